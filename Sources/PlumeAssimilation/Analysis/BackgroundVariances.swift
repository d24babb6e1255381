/// Background-error standard deviations per variable and level.
public enum BackgroundVariances {
    /// The NMC method (Parrish and Derber 1992): σb² = `scale` × the mean square difference
    /// between pairs of forecasts valid at the same time from different starts (e.g. 48 h −
    /// 24 h), per variable and level, over every point and pair. `scale` tunes the
    /// differences' size to the short-range error (0.5 is customary for 48 − 24 h pairs).
    /// - Throws: `AssimilationError` when the pairs are empty or their states disagree in shape.
    public static func nmc(pairs: [(longer: GriddedState, shorter: GriddedState)], variables: [String], scale: Double = 0.5) throws(AssimilationError) -> [String: [Double]] {
        guard let first = pairs.first?.longer else {
            throw .invalidSetting(key: "NMC pairs", expected: "at least one pair of forecasts", found: "none")
        }
        var result: [String: [Double]] = [:]
        let layer = first.horizontalCount
        for variable in variables {
            var sums = [Double](repeating: 0, count: first.levelCount)
            for (longer, shorter) in pairs {
                guard let a = longer.fields[variable], let b = shorter.fields[variable] else {
                    throw .missingVariable(variable, available: Array(longer.fields.keys))
                }
                guard a.count == first.pointCount, b.count == first.pointCount else {
                    throw .shape(what: "NMC pair of '\(variable)'", expected: "\(first.pointCount) values", found: "\(a.count) and \(b.count)")
                }
                for k in 0..<first.levelCount {
                    var s = 0.0
                    for n in (k * layer)..<((k + 1) * layer) { s += (a[n] - b[n]) * (a[n] - b[n]) }
                    sums[k] += s
                }
            }
            result[variable] = sums.map { (scale * $0 / Double(pairs.count * layer)).squareRoot() }
        }
        return result
    }
}
