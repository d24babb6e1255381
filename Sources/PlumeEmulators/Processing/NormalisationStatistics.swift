/// The training data's normalisation: per variable and level the mean and standard
/// deviation, and for prognostic variables those of the one-step change (CarbonBench's
/// offset/scale and delta offset/scale). Stored in every checkpoint.
public struct NormalisationStatistics: Codable, Sendable, Equatable {
    /// Mean and standard deviation per level (one entry for a 2-D variable).
    public struct Moments: Codable, Sendable, Equatable {
        public var mean: [Double]
        public var std: [Double]

        public init(mean: [Double], std: [Double]) {
            self.mean = mean
            self.std = std
        }
    }

    /// Of the values of each prognostic, forcing and static variable.
    public var variables: [String: Moments]
    /// Of the one-step change of each prognostic variable.
    public var deltas: [String: Moments]
    /// Records the statistics were computed from.
    public var records: Int

    public init(variables: [String: Moments], deltas: [String: Moments], records: Int) {
        self.variables = variables
        self.deltas = deltas
        self.records = records
    }

    /// A standard deviation below this fraction of the typical magnitude (or exactly zero) is
    /// replaced by 1 so that constant fields normalise to their offset instead of dividing by
    /// zero (CarbonBench's top level of CO2 hardly changes in 6 h).
    static let degenerateFraction = 1e-7

    /// The standard deviation of a level's one-step change is floored at this fraction of the
    /// largest level's: a level that barely changes in the training data (the stratosphere
    /// after a short spin-up: 1e-5 against 2 for the surface in `make demo`'s 12 days) would
    /// otherwise weigh rounding-size changes, and the mass fixer's column scaling, by up to
    /// 1/σΔ² ≈ 10¹⁰ in the loss. CarbonBench-mini's five years are far above it (smallest
    /// level 0.9% of the largest).
    static let deltaFloorFraction = 1e-3

    /// Streams every record of `file` once and accumulates the statistics in double precision.
    /// `progress` receives records done and the total.
    public static func compute(from file: EmulatorDataFile, model: ModelDefinition,
                               progress: ((Int, Int) -> Void)? = nil) throws(EmulatorError) -> NormalisationStatistics {
        let v = model.variables
        let cells = file.grid.latitudes.count * file.grid.longitudes.count
        var sums: [String: Accumulator] = [:]
        var deltaSums: [String: Accumulator] = [:]
        for name in v.fileVariables { sums[name] = Accumulator(levels: file.levelCount(of: name)) }
        for name in v.prognostic { deltaSums[name] = Accumulator(levels: file.levelCount(of: name)) }
        for name in v.static {
            sums[name]?.add(try file.read(name, time: 0), cells: cells)
        }
        let timed = v.prognostic + v.forcing
        var previous: [String: [Float]] = [:]
        let records = file.recordCount
        guard records >= 2 else {
            throw .dataMismatch(file: file.path, issues: ["\(records) record(s): statistics of one-step changes need at least 2"])
        }
        for t in 0..<records {
            for name in timed {
                let values = try file.read(name, time: t)
                sums[name]?.add(values, cells: cells)
                if deltaSums[name] != nil {
                    if let before = previous[name] {
                        deltaSums[name]?.add(zip(values, before).map { $0 - $1 }, cells: cells)
                    }
                    previous[name] = values
                }
            }
            progress?(t + 1, records)
        }
        return NormalisationStatistics(variables: sums.mapValues { $0.moments }, deltas: deltaSums.mapValues { flooredChange($0.moments) },
                                       records: records)
    }

    /// `moments` of a one-step change with each level's deviation floored at
    /// `deltaFloorFraction` of the largest level's.
    static func flooredChange(_ moments: Moments) -> Moments {
        var floored = moments
        let floor = deltaFloorFraction * (moments.std.max() ?? 0)
        floored.std = moments.std.map { Swift.max($0, floor) }
        return floored
    }

    struct Accumulator {
        var sum: [Double]
        var sumSquares: [Double]
        var count: [Double]

        init(levels: Int) {
            sum = Array(repeating: 0, count: levels)
            sumSquares = sum
            count = sum
        }

        mutating func add(_ values: [Float], cells: Int) {
            for level in sum.indices {
                var s = 0.0, s2 = 0.0
                let base = level * cells
                for i in base..<min(base + cells, values.count) {
                    let x = Double(values[i])
                    s += x
                    s2 += x * x
                }
                sum[level] += s
                sumSquares[level] += s2
                count[level] += Double(cells)
            }
        }

        var moments: Moments {
            var mean: [Double] = [], std: [Double] = []
            for l in sum.indices {
                let m = count[l] > 0 ? sum[l] / count[l] : 0
                let variance = count[l] > 0 ? max(sumSquares[l] / count[l] - m * m, 0) : 0
                var s = variance.squareRoot()
                if !(s > NormalisationStatistics.degenerateFraction * max(abs(m), 1e-30)) || !s.isFinite { s = 1 }
                mean.append(m)
                std.append(s)
            }
            return Moments(mean: mean, std: std)
        }
    }
}
