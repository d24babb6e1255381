import Dispatch
import PlumeSupport
import PlumeGrids

/// How the layers of a group are combined.
public enum VerticalAggregationMethod: String, Sendable, Codable, CaseIterable {
    /// Mixing ratios (kg/kg, mol/mol): Σ q_k·m_k / Σ m_k with the air mass m_k of each layer,
    /// so the tracer mass Σ q·m of the column is kept.
    case airMassWeighted = "air_mass_weighted"
    /// Extensive quantities (air mass, tracer mass): Σ x_k.
    case summed
    /// Intensive quantities (temperature, wind, humidity): Σ x_k·Δp_k / Σ Δp_k with the
    /// pressure thickness Δp_k of each layer.
    case thicknessWeighted = "thickness_weighted"
}

/// Shapes that do not fit the grouping.
public enum VerticalAggregationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `what` has `count` values where `expected` were needed.
    case shapeMismatch(what: String, count: Int, expected: String)
    /// A weighted method was asked for without weights.
    case missingWeights(method: VerticalAggregationMethod)

    public var description: String {
        switch self {
        case .shapeMismatch(let what, let count, let expected): "\(what) has \(count) values, expected \(expected)"
        case .missingWeights(let method):
            "\(method.rawValue) aggregation needs weights (\(method == .thicknessWeighted ? "Δp" : "air mass") per [level, cell])"
        }
    }
}

/// Aggregates fields on the layers of a level set to the groups of a `LevelGrouping`.
///
/// Layout: fields are flat arrays in `[level, cell]` order, level outermost, levels in the
/// order of the level set (from the surface upward for TM5/CarbonTracker):
/// `x[k * cellCount + c]` for layer k = 0 ..< grouping.sourceCount. Results are
/// `[group, cell]`: `y[g * cellCount + c]`. For a field with a leading time axis, call once
/// per time step.
///
/// Weights (air mass for `.airMassWeighted`, Δp for `.thicknessWeighted`) are either
/// per `[level, cell]` (`sourceCount × cellCount` values) or per level only
/// (`sourceCount` values, the same for every cell, e.g. Δp at a standard surface pressure).
/// Units of the weights cancel (kg, Pg or Pa all give the same result).
///
/// NaN: a layer whose value or weight is NaN contributes nothing to its group (neither to
/// the numerator nor to the denominator); a group without a valid layer, or whose valid
/// weights sum to zero, gives NaN. Sums are accumulated in Double (also for Float fields)
/// in layer order, so results do not depend on the number of threads. Large fields are
/// split into chunks of cells processed in parallel.
public struct VerticalAggregator: Sendable {
    /// The grouping applied.
    public let grouping: LevelGrouping
    /// Number of cells (columns) per level.
    public let cellCount: Int

    /// Cells per parallel chunk.
    static let chunkCells = 4096
    /// Fields with fewer values than this are aggregated on the calling thread.
    static let parallelThreshold = 1 << 17

    public init(grouping: LevelGrouping, cellCount: Int) {
        self.grouping = grouping
        self.cellCount = max(cellCount, 0)
    }

    /// Layer sums per group (air mass, tracer mass): `[group, cell]`.
    public func sum<T: BinaryFloatingPoint & Sendable>(_ values: [T]) throws(VerticalAggregationError) -> [T] {
        try run(values, weights: [T]?.none, method: .summed)
    }

    /// Air-mass-weighted group means of mixing ratios: Σ q·m / Σ m, `[group, cell]`.
    /// `airMass`: per `[level, cell]` or per level, any mass unit.
    public func airMassWeighted<T: BinaryFloatingPoint & Sendable, W: BinaryFloatingPoint & Sendable>(
        _ values: [T], airMass: [W]) throws(VerticalAggregationError) -> [T] {
        try run(values, weights: airMass, method: .airMassWeighted)
    }

    /// Pressure-thickness-weighted group means of intensive fields: Σ x·Δp / Σ Δp, `[group, cell]`.
    /// `thickness`: Δp per `[level, cell]` or per level, any pressure unit.
    public func thicknessWeighted<T: BinaryFloatingPoint & Sendable, W: BinaryFloatingPoint & Sendable>(
        _ values: [T], thickness: [W]) throws(VerticalAggregationError) -> [T] {
        try run(values, weights: thickness, method: .thicknessWeighted)
    }

    /// Aggregates with `method`; `weights` are required by the weighted methods and
    /// ignored by `.summed`.
    public func aggregate<T: BinaryFloatingPoint & Sendable, W: BinaryFloatingPoint & Sendable>(
        _ values: [T], method: VerticalAggregationMethod, weights: [W]?) throws(VerticalAggregationError) -> [T] {
        try run(values, weights: method == .summed ? nil : weights, method: method)
    }

    /// `aggregate` for `.summed` or with weights of the field's own type.
    public func aggregate<T: BinaryFloatingPoint & Sendable>(
        _ values: [T], method: VerticalAggregationMethod, weights: [T]? = nil) throws(VerticalAggregationError) -> [T] {
        try run(values, weights: method == .summed ? nil : weights, method: method)
    }

    // MARK: Implementation

    private func run<T: BinaryFloatingPoint & Sendable, W: BinaryFloatingPoint & Sendable>(
        _ values: [T], weights: [W]?, method: VerticalAggregationMethod) throws(VerticalAggregationError) -> [T] {
        let levels = grouping.sourceCount, n = cellCount
        guard values.count == levels * n else {
            throw .shapeMismatch(what: "field", count: values.count,
                                 expected: "\(levels * n) (\(levels) levels × \(n) cells, [level, cell])")
        }
        let perLevel: Bool
        if method == .summed {
            perLevel = false
        } else {
            guard let weights else { throw .missingWeights(method: method) }
            if weights.count == levels * n {
                perLevel = false
            } else if weights.count == levels {
                perLevel = true
            } else {
                throw .shapeMismatch(what: method == .thicknessWeighted ? "thickness" : "air mass", count: weights.count,
                                     expected: "\(levels * n) ([level, cell]) or \(levels) (one per level)")
            }
        }
        let ranges = grouping.ranges
        var out = [T](repeating: 0, count: ranges.count * n)
        guard n > 0 else { return out }
        let emptyWeights: [W] = []
        let w = weights ?? emptyWeights

        values.withUnsafeBufferPointer { xBuffer in
            w.withUnsafeBufferPointer { wBuffer in
                out.withUnsafeMutableBufferPointer { yBuffer in
                    guard let x = xBuffer.baseAddress, let y = yBuffer.baseAddress else { return }
                    let input = VerticalReadPointer(base: x)
                    let weight = VerticalReadPointer(base: wBuffer.baseAddress)
                    let output = VerticalWritePointer(base: y)
                    let chunk = Self.chunkCells
                    let chunks = (n + chunk - 1) / chunk
                    let work: @Sendable (Int) -> Void = { i in
                        guard let xBase = input.base else { return }
                        let start = i * chunk, end = min(start + chunk, n)
                        Self.aggregateCells(start ..< end, cellCount: n, ranges: ranges, method: method, perLevel: perLevel,
                                            x: xBase, w: weight.base, y: output.base)
                    }
                    parallelFor(chunks, minimumWork: Self.parallelThreshold, work: values.count, work)
                }
            }
        }
        return out
    }

    /// Aggregates the cells `cells` of every group; writes only those cells of `y`.
    private static func aggregateCells<T: BinaryFloatingPoint, W: BinaryFloatingPoint>(
        _ cells: Range<Int>, cellCount n: Int, ranges: [Range<Int>], method: VerticalAggregationMethod, perLevel: Bool,
        x: UnsafePointer<T>, w: UnsafePointer<W>?, y: UnsafeMutablePointer<T>) {
        let m = cells.count
        var numerator = [Double](repeating: 0, count: m)
        var denominator = [Double](repeating: 0, count: m)
        var valid = [Bool](repeating: false, count: m)
        for (g, levels) in ranges.enumerated() {
            for j in 0..<m { numerator[j] = 0; denominator[j] = 0; valid[j] = false }
            for k in levels {
                let row = k * n + cells.lowerBound
                switch method {
                case .summed:
                    for j in 0..<m {
                        let v = Double(x[row + j])
                        if !v.isNaN { numerator[j] += v; valid[j] = true }
                    }
                case .airMassWeighted, .thicknessWeighted:
                    guard let w else { return }
                    if perLevel {
                        let weight = Double(w[k])
                        if weight.isNaN { continue }
                        for j in 0..<m {
                            let v = Double(x[row + j])
                            if !v.isNaN { numerator[j] += v * weight; denominator[j] += weight; valid[j] = true }
                        }
                    } else {
                        for j in 0..<m {
                            let v = Double(x[row + j]), weight = Double(w[row + j])
                            if !v.isNaN && !weight.isNaN { numerator[j] += v * weight; denominator[j] += weight; valid[j] = true }
                        }
                    }
                }
            }
            let target = g * n + cells.lowerBound
            for j in 0..<m {
                let result: Double
                if !valid[j] {
                    result = .nan
                } else if method == .summed {
                    result = numerator[j]
                } else {
                    result = denominator[j] != 0 ? numerator[j] / denominator[j] : .nan
                }
                y[target + j] = T(result)
            }
        }
    }
}

/// Read-only base pointer shared by the parallel chunks (each reads what it needs).
private struct VerticalReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>?
}

/// Output base pointer shared by the parallel chunks, which write disjoint cells.
private struct VerticalWritePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}
