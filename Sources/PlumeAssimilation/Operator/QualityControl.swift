/// Quality control of observations against physical limits and the background.
///
/// - Range check: a value outside the variable's physical range is `outOfRange` (a gross
///   error that no background is needed to see).
/// - Background check: |O − B| > k·√(σb² + σo²) is `backgroundCheck`. With σb the
///   ensemble spread at the observation this is CTDAS's rejection (k = 3); with OI, σb is
///   the static background error.
public struct QualityControl: Sendable, Equatable {
    /// k of the background check; nil turns the check off.
    public var backgroundCheckSigmas: Double?
    /// Physical ranges by variable (SI units).
    public var ranges: [String: ClosedRange<Double>]

    public init(backgroundCheckSigmas: Double? = 3, ranges: [String: ClosedRange<Double>] = QualityControl.physicalRanges) {
        self.backgroundCheckSigmas = backgroundCheckSigmas
        self.ranges = ranges
    }

    /// Limits no real atmosphere leaves: temperatures 150–350 K, winds ±150 m/s, pressures
    /// 100 Pa–110 kPa, CO2 100–3000 µmol/mol.
    public static let physicalRanges: [String: ClosedRange<Double>] = [
        "t": 150...350, "td": 150...350, "u": -150...150, "v": -150...150,
        "msl": 85_000...110_000, "p": 100...110_000, "co2": 1e-4...3e-3,
    ]

    /// The range check alone (before any background is known).
    public func rangeCheck(_ observation: Observation) -> FlagReason? {
        guard observation.value.isFinite else { return FlagReason(.outOfRange, "the value is not finite") }
        if let range = ranges[observation.variable], !range.contains(observation.value) {
            return FlagReason(.outOfRange, "\(observation.value) is outside \(range.lowerBound)…\(range.upperBound) for '\(observation.variable)'")
        }
        return nil
    }

    /// The background check for innovation `d` = O − B with background and observation errors.
    public func backgroundCheck(innovation d: Double, backgroundSigma: Double, observationSigma: Double) -> FlagReason? {
        guard let k = backgroundCheckSigmas else { return nil }
        let limit = k * (backgroundSigma * backgroundSigma + observationSigma * observationSigma).squareRoot()
        guard abs(d) > limit || !d.isFinite else { return nil }
        return FlagReason(.backgroundCheck, "|O − B| = \(abs(d)) exceeds \(k)·√(σb² + σo²) = \(limit)")
    }
}
