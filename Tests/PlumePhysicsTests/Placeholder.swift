enum PhysicsTestsPlaceholder {}
