/// What a rollout did, for the log and the tests.
public struct RolloutSummary: Sendable, Codable, Equatable {
    /// Steps taken in this run (fewer than requested when resumed).
    public var stepsRun: Int
    /// Steps taken in earlier, interrupted runs and kept.
    public var stepsResumed: Int
    /// Worst |M(t+Δt) − M(t) − S(t)| / M(t+Δt) over the steps of this run, where M is the
    /// global tracer mass and S the surface source of the step (transport; nil for weather).
    public var worstMassResidual: Double?
    /// Smallest tracer value over the rollout (transport).
    public var minimumTracer: Double?
    /// Wall-clock seconds of this run's steps.
    public var seconds: Double
    /// Simulated days per wall-clock second.
    public var daysPerSecond: Double
}
