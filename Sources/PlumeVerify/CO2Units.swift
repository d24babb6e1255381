/// CarbonBench's CO2 units: `co2massmix` in 1e-6 kg kg⁻¹, `airmass` in Pg per cell.
///
/// The molar masses are those of PlumeConservation's `PhysicalConstants` (repeated here:
/// PlumeVerify has no Torch dependency); keep the two in step.
public enum CO2Units {
    /// Molar mass of dry air, kg mol⁻¹.
    public static let molarMassDryAir = 28.9652e-3
    /// Molar mass of CO2, kg mol⁻¹.
    public static let molarMassCO2 = 44.009e-3
    /// kg CO2 per kg C (44.009 / 12.011).
    public static let co2PerCarbon = 3.664

    /// Dry-air mole fraction in ppm from a mass mixing ratio in 1e-6 kg kg⁻¹.
    public static func ppm(massMixingRatio q: Double) -> Double {
        q * molarMassDryAir / molarMassCO2
    }

    /// Global CO2 mass in PgC: Σ q·m·1e-6 (Pg CO2) ÷ 3.664, with `massMixingRatio` in
    /// 1e-6 kg kg⁻¹ and `airmass` in Pg, the same layout (e.g. `[level, lat, lon]`).
    public static func globalMassPgC(massMixingRatio: [Double], airmass: [Double]) throws(VerifyError) -> Double {
        guard massMixingRatio.count == airmass.count else {
            throw .shapeMismatch(name: "airmass", expected: massMixingRatio.count, actual: airmass.count)
        }
        var sum = 0.0
        for i in airmass.indices { sum += massMixingRatio[i] * airmass[i] }
        return sum * 1e-6 / co2PerCarbon
    }
}
