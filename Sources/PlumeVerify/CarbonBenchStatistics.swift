import Foundation

/// Normalisation statistics of a CarbonBench-mini train split (CarbonBench, Benson et al. 2024), written as
/// JSON: per variable the mean and standard deviation over all train values (offset and
/// scale), per level for the 3D variables, and for `co2massmix` the per-level mean and
/// standard deviation of the one-step (6-hour) differences (delta offset and scale).
/// All in the units of the data files.
public struct CarbonBenchStatistics: Codable, Sendable, Equatable {
    /// Statistics of one variable.
    public struct Entry: Codable, Sendable, Equatable {
        public var units: String
        /// Mean over all train values (the normalisation offset).
        public var mean: Double
        /// Population standard deviation over all train values (the normalisation scale).
        public var std: Double
        /// Per level, lowest first (3D variables only).
        public var levelMean: [Double]?
        public var levelStd: [Double]?
    }

    /// Statistics of one-step differences, per level (lowest first).
    public struct Delta: Codable, Sendable, Equatable {
        public var units: String
        public var offset: [Double]
        public var scale: [Double]
    }

    public var split: String
    /// Snapshots of the train split.
    public var snapshots: Int
    public var variables: [String: Entry]
    /// One-step differences of `co2massmix`.
    public var co2massmixDelta: Delta
}

/// Streaming sums for `CarbonBenchStatistics` (shifted by the first value seen, so the
/// variance has no cancellation problem).
package struct CarbonBenchMoments {
    package var shift: Double?
    package var count = 0.0
    package var sum = 0.0
    package var sumSquares = 0.0

    package mutating func add(_ values: ArraySlice<Double>) {
        guard let first = values.first else { return }
        let s = shift ?? first
        shift = s
        for x in values {
            let d = x - s
            sum += d
            sumSquares += d * d
        }
        count += Double(values.count)
    }

    package var mean: Double { count > 0 ? (shift ?? 0) + sum / count : .nan }
    package var std: Double {
        guard count > 0 else { return .nan }
        let m = sum / count
        return max(0, sumSquares / count - m * m).squareRoot()
    }
}

/// Accumulates the moments of every variable of a split.
package struct CarbonBenchStatisticsAccumulator {
    package let levelCount: Int
    package var units: [String: String] = [:]
    package var total: [String: CarbonBenchMoments] = [:]
    package var perLevel: [String: [CarbonBenchMoments]] = [:]
    package var delta: [CarbonBenchMoments]
    package var previousCO2: [Double]?
    package var snapshots = 0

    package init(levelCount: Int) {
        self.levelCount = levelCount
        delta = [CarbonBenchMoments](repeating: CarbonBenchMoments(), count: levelCount)
    }

    /// Adds one snapshot of `name` (`[level, cells]` when `levels`, else `[cells]`).
    package mutating func add(_ name: String, units: String, values: [Double], levels: Bool) {
        self.units[name] = units
        total[name, default: CarbonBenchMoments()].add(values[...])
        guard levels else { return }
        let n = values.count / levelCount
        var per = perLevel[name] ?? [CarbonBenchMoments](repeating: CarbonBenchMoments(), count: levelCount)
        for k in 0..<levelCount { per[k].add(values[(k * n)..<((k + 1) * n)]) }
        perLevel[name] = per
    }

    /// Adds the difference of `co2massmix` from the previous train snapshot.
    package mutating func addCO2(_ values: [Double]) {
        if let previous = previousCO2 {
            let n = values.count / levelCount
            for k in 0..<levelCount {
                let d = ((k * n)..<((k + 1) * n)).map { values[$0] - previous[$0] }
                delta[k].add(d[...])
            }
        }
        previousCO2 = values
    }

    package func result(split: String) -> CarbonBenchStatistics {
        var entries: [String: CarbonBenchStatistics.Entry] = [:]
        for (name, m) in total {
            entries[name] = CarbonBenchStatistics.Entry(units: units[name] ?? "", mean: m.mean, std: m.std,
                                                        levelMean: perLevel[name]?.map(\.mean), levelStd: perLevel[name]?.map(\.std))
        }
        return CarbonBenchStatistics(split: split, snapshots: snapshots, variables: entries,
                                     co2massmixDelta: .init(units: "1e-6 kg kg-1 per 6 h", offset: delta.map(\.mean), scale: delta.map(\.std)))
    }
}
