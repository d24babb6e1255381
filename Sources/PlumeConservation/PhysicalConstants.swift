/// Physical constants, SI units. Sources: Williamson et al. (1992) for the shallow-water
/// test cases; CarbonBench (CarbonBench, Benson et al. 2024) for transport.
public enum PhysicalConstants {
    /// Earth radius used by the shallow-water test cases (Williamson et al. 1992), m.
    public static let earthRadius = 6.37122e6
    /// Earth's angular velocity, rad s⁻¹.
    public static let earthRotation = 7.292e-5
    /// Gravitational acceleration of the shallow-water test cases, m s⁻².
    public static let shallowWaterGravity = 9.80616
    /// Standard gravity (CarbonBench air mass Δp·A/g), m s⁻².
    public static let standardGravity = 9.80665
    /// Molar masses, kg mol⁻¹.
    public static let molarMassCO2 = 44.009e-3
    public static let molarMassAir = 28.9652e-3
    public static let molarMassCarbon = 12.011e-3
    /// Seconds per day.
    public static let day = 86_400.0
}
