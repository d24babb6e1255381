import Foundation
import PlumeSupport

/// Applies remapping weights to fields, in parallel over fields and destination rows.
///
/// Missing values (NaN) follow ESMF's "fracarea" normalisation: a destination value is
/// Σ S·x over the valid source cells divided by Σ S over them, and its valid fraction is
/// that Σ S (for conservative weights: the covered part of the destination cell). Cells
/// with no valid source are NaN with fraction 0. Fields without NaN take a fast path (a
/// NaN in a row's sum sends only that row to the masked path).
public struct Remapper: Sendable {
    public let weights: RemapWeights
    /// 1 / Σ_k S_ik per destination cell (0 where a row has no weights).
    let inverseRowSums: [Double]

    public init(_ weights: RemapWeights) {
        self.weights = weights
        var inverse = [Double](repeating: 0, count: weights.destinationCount)
        for i in 0..<weights.destinationCount {
            var sum = 0.0
            for k in weights.rowStart[i]..<weights.rowStart[i + 1] { sum += weights.weights[k] }
            inverse[i] = sum > 0 ? 1 / sum : 0
        }
        inverseRowSums = inverse
    }

    /// Remaps one intensive field (`sourceCount` values) and returns the destination values.
    /// - Throws: `RemapError.gridMismatch` when `source` does not hold `sourceCount` values.
    public func apply<T: BinaryFloatingPoint & Sendable>(_ source: [T]) throws(RemapError) -> [T] {
        try apply(fields: source, count: 1)
    }

    /// Remaps `count` fields stored one after another (`[count, sourceCount]`), returning
    /// `[count, destinationCount]`.
    /// - Throws: `RemapError.gridMismatch` when `source` does not hold `count × sourceCount` values.
    public func apply<T: BinaryFloatingPoint & Sendable>(fields source: [T], count: Int) throws(RemapError) -> [T] {
        try expect(source.count, count * weights.sourceCount, "\(count) field(s) × \(weights.sourceCount) source cells")
        var out = [T](repeating: 0, count: count * weights.destinationCount)
        source.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                apply(input, output, fieldCount: count, fraction: nil)
            }
        }
        return out
    }

    /// Remaps one field and returns, per destination cell, the valid fraction Σ S over
    /// valid source cells (see the type's discussion).
    public func applyWithFraction(_ source: [Double]) throws(RemapError) -> (values: [Double], fraction: [Double]) {
        try expect(source.count, weights.sourceCount, "\(weights.sourceCount) source cells")
        var out = [Double](repeating: 0, count: weights.destinationCount)
        var fraction = [Double](repeating: 0, count: weights.destinationCount)
        source.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                fraction.withUnsafeMutableBufferPointer { f in
                    apply(input, output, fieldCount: 1, fraction: f)
                }
            }
        }
        return (out, fraction)
    }

    /// Remaps an extensive field given as an amount per cell (air mass, tracer mass, flux ×
    /// area): converted to a density with the source areas, remapped, and multiplied by the
    /// destination areas, so the global total is preserved by conservative weights.
    public func applyExtensive(_ amounts: [Double]) throws(RemapError) -> [Double] {
        try expect(amounts.count, weights.sourceCount, "\(weights.sourceCount) source cells")
        let density = zip(amounts, weights.sourceArea).map { $0 / $1 }
        let remapped = try apply(density)
        return zip(remapped, weights.destinationArea).map { $0 * $1 }
    }

    private func expect(_ count: Int, _ expected: Int, _ what: String) throws(RemapError) {
        guard count == expected else {
            throw .gridMismatch(reason: "the field holds \(count) values, the weights expect \(expected) (\(what))")
        }
    }

    /// Dispatches to the kernel specialised for the element type: float32 and float64 run
    /// concrete code (a generic `BinaryFloatingPoint` conversion per value, as an unspecialised
    /// caller in another module would get, costs ~30× the arithmetic); other types go through
    /// float64 copies.
    func apply<T: BinaryFloatingPoint>(_ input: UnsafeBufferPointer<T>, _ output: UnsafeMutableBufferPointer<T>,
                                       fieldCount: Int, fraction: UnsafeMutableBufferPointer<Double>?) {
        if T.self == Float.self {
            input.withMemoryRebound(to: Float.self) { i in
                output.withMemoryRebound(to: Float.self) { o in kernel(i, o, fieldCount: fieldCount, fraction: fraction) }
            }
        } else if T.self == Double.self {
            input.withMemoryRebound(to: Double.self) { i in
                output.withMemoryRebound(to: Double.self) { o in kernel(i, o, fieldCount: fieldCount, fraction: fraction) }
            }
        } else {
            let wide = input.map { Double($0) }
            var result = [Double](repeating: 0, count: output.count)
            wide.withUnsafeBufferPointer { (i: UnsafeBufferPointer<Double>) in
                result.withUnsafeMutableBufferPointer { (o: inout UnsafeMutableBufferPointer<Double>) in
                    kernel(i, o, fieldCount: fieldCount, fraction: fraction)
                }
            }
            for k in result.indices { output[k] = T(result[k]) }
        }
    }

    /// Fields remapped together in one pass over the weights: each link's weight and index
    /// are loaded once for `fieldBlock` fields (the weights are 12 bytes per link, usually
    /// more than the source values they gather).
    static let fieldBlock = 4

    /// The kernel: CSR rows × blocks of fields, chunked over all cores. Every destination
    /// value is Σ_k S·x in link order, the same sum whatever the blocking.
    func kernel<T: RemapValue>(_ input: UnsafeBufferPointer<T>, _ output: UnsafeMutableBufferPointer<T>,
                               fieldCount: Int, fraction: UnsafeMutableBufferPointer<Double>?) {
        guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
        let w = weights
        let nd = w.destinationCount, ns = w.sourceCount
        let rowsPerChunk = max(1024, nd / (ProcessInfo.processInfo.activeProcessorCount * 4))
        let chunksPerBlock = (nd + rowsPerChunk - 1) / rowsPerChunk
        let blockSize = Self.fieldBlock
        let blocks = (fieldCount + blockSize - 1) / blockSize
        let src = SharedPointer(base: inBase), dst = SharedMutablePointer(base: outBase)
        let frac = fraction.flatMap { $0.baseAddress }.map { SharedMutablePointer(base: $0) }
        w.rowStart.withUnsafeBufferPointer { rowStart in
            w.sourceIndex.withUnsafeBufferPointer { index in
                w.weights.withUnsafeBufferPointer { s in
                    inverseRowSums.withUnsafeBufferPointer { inverse in
                        guard let rs = rowStart.baseAddress, let ix = index.baseAddress, let sw = s.baseAddress,
                              let inv = inverse.baseAddress else { return }
                        let rows = Rows(start: SharedPointer(base: rs), index: SharedPointer(base: ix), weight: SharedPointer(base: sw),
                                        inverse: SharedPointer(base: inv))
                        parallelFor(blocks * chunksPerBlock) { task in
                            let block = task / chunksPerBlock, chunk = task % chunksPerBlock
                            let lo = chunk * rowsPerChunk, hi = min(nd, lo + rowsPerChunk)
                            let first = block * blockSize, width = min(blockSize, fieldCount - first)
                            let fieldIn = src.base + first * ns, fieldOut = dst.base + first * nd
                            // The fraction is reported for field 0 only.
                            let f = first == 0 ? frac : nil
                            if width == 4 {
                                Self.rows4(lo..<hi, rows, fieldIn, ns, fieldOut, nd, f)
                            } else {
                                for field in 0..<width {
                                    Self.rows1(lo..<hi, rows, fieldIn + field * ns, fieldOut + field * nd, field == 0 ? f : nil)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The CSR arrays, shareable across the parallel loop.
    struct Rows: Sendable {
        let start: SharedPointer<Int>
        let index: SharedPointer<Int32>
        let weight: SharedPointer<Double>
        let inverse: SharedPointer<Double>
    }

    /// Rows `range` of one field.
    @inline(__always)
    static func rows1<T: RemapValue>(_ range: Range<Int>, _ r: Rows, _ fieldIn: UnsafePointer<T>, _ fieldOut: UnsafeMutablePointer<T>,
                                     _ frac: SharedMutablePointer<Double>?) {
        let rs = r.start.base, ix = r.index.base, sv = r.weight.base
        for i in range {
            let begin = rs[i], end = rs[i + 1]
            var sum = 0.0
            for k in begin..<end { sum += sv[k] * fieldIn[Int(ix[k])].double }
            finish(i, sum, begin, end, r, fieldIn, fieldOut, frac)
        }
    }

    /// Rows `range` of four fields (`ns` values apart in, `nd` apart out) in one pass over the links.
    @inline(__always)
    static func rows4<T: RemapValue>(_ range: Range<Int>, _ r: Rows, _ fieldIn: UnsafePointer<T>, _ ns: Int,
                                     _ fieldOut: UnsafeMutablePointer<T>, _ nd: Int, _ frac: SharedMutablePointer<Double>?) {
        let rs = r.start.base, ix = r.index.base, sv = r.weight.base
        let in0 = fieldIn, in1 = fieldIn + ns, in2 = fieldIn + 2 * ns, in3 = fieldIn + 3 * ns
        for i in range {
            let begin = rs[i], end = rs[i + 1]
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            for k in begin..<end {
                let j = Int(ix[k]), w = sv[k]
                s0 += w * in0[j].double
                s1 += w * in1[j].double
                s2 += w * in2[j].double
                s3 += w * in3[j].double
            }
            finish(i, s0, begin, end, r, in0, fieldOut, frac)
            finish(i, s1, begin, end, r, in1, fieldOut + nd, nil)
            finish(i, s2, begin, end, r, in2, fieldOut + 2 * nd, nil)
            finish(i, s3, begin, end, r, in3, fieldOut + 3 * nd, nil)
        }
    }

    /// Stores row i of one field from its plain sum: normalised by the row sum, or, when the
    /// sum is NaN, recomputed over the valid source values (fracarea).
    @inline(__always)
    static func finish<T: RemapValue>(_ i: Int, _ plain: Double, _ begin: Int, _ end: Int, _ r: Rows, _ fieldIn: UnsafePointer<T>,
                                      _ fieldOut: UnsafeMutablePointer<T>, _ frac: SharedMutablePointer<Double>?) {
        if plain.isNaN {
            let ix = r.index.base, sv = r.weight.base
            var valid = 0.0, sum = 0.0
            for k in begin..<end {
                let v = fieldIn[Int(ix[k])].double
                if !v.isNaN {
                    sum += sv[k] * v
                    valid += sv[k]
                }
            }
            fieldOut[i] = valid > 0 ? T(sum / valid) : T.nan
            frac?.base[i] = valid
        } else if begin == end {
            fieldOut[i] = T.nan
            frac?.base[i] = 0
        } else {
            let inverse = r.inverse.base[i]
            fieldOut[i] = T(plain * inverse)
            frac?.base[i] = 1 / inverse
        }
    }
}

/// Element types the kernel is specialised for (float32 and float64 fields).
protocol RemapValue: BinaryFloatingPoint, SendableMetatype {
    init(_ value: Double)
    var double: Double { get }
}

extension Float: RemapValue {
    @inline(__always) var double: Double { Double(self) }
}

extension Double: RemapValue {
    @inline(__always) var double: Double { self }
}
