import Foundation

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
    public func apply<T: BinaryFloatingPoint & Sendable>(_ source: [T]) -> [T] {
        apply(fields: source, count: 1)
    }

    /// Remaps `count` fields stored one after another (`[count, sourceCount]`), returning
    /// `[count, destinationCount]`.
    public func apply<T: BinaryFloatingPoint & Sendable>(fields source: [T], count: Int) -> [T] {
        precondition(source.count == count * weights.sourceCount, "source holds \(source.count) values, expected \(count) × \(weights.sourceCount)")
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
    public func applyWithFraction(_ source: [Double]) -> (values: [Double], fraction: [Double]) {
        precondition(source.count == weights.sourceCount)
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
    public func applyExtensive(_ amounts: [Double]) -> [Double] {
        precondition(amounts.count == weights.sourceCount)
        let density = zip(amounts, weights.sourceArea).map { $0 / $1 }
        let remapped = apply(density)
        return zip(remapped, weights.destinationArea).map { $0 * $1 }
    }

    /// The kernel: CSR rows × fields, chunked over all cores.
    func apply<T: BinaryFloatingPoint>(_ input: UnsafeBufferPointer<T>, _ output: UnsafeMutableBufferPointer<T>,
                                       fieldCount: Int, fraction: UnsafeMutableBufferPointer<Double>?) {
        guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
        let w = weights
        let nd = w.destinationCount, ns = w.sourceCount
        let rowsPerChunk = max(1024, nd / (ProcessInfo.processInfo.activeProcessorCount * 4))
        let chunksPerField = (nd + rowsPerChunk - 1) / rowsPerChunk
        let src = SharedPointer(base: inBase), dst = SharedMutablePointer(base: outBase)
        let frac = fraction.flatMap { $0.baseAddress }.map { SharedMutablePointer(base: $0) }
        w.rowStart.withUnsafeBufferPointer { rowStart in
            w.sourceIndex.withUnsafeBufferPointer { index in
                w.weights.withUnsafeBufferPointer { s in
                    inverseRowSums.withUnsafeBufferPointer { inverse in
                        guard let rs = rowStart.baseAddress, let ix = index.baseAddress, let sw = s.baseAddress,
                              let inv = inverse.baseAddress else { return }
                        let r = SharedPointer(base: rs), x = SharedPointer(base: ix), sv = SharedPointer(base: sw)
                        let iv = SharedPointer(base: inv)
                        parallelFor(fieldCount * chunksPerField) { task in
                            let field = task / chunksPerField, chunk = task % chunksPerField
                            let lo = chunk * rowsPerChunk, hi = min(nd, lo + rowsPerChunk)
                            let fieldIn = src.base + field * ns, fieldOut = dst.base + field * nd
                            for i in lo..<hi {
                                let begin = r.base[i], end = r.base[i + 1]
                                var sum = 0.0
                                for k in begin..<end { sum += sv.base[k] * Double(fieldIn[Int(x.base[k])]) }
                                if sum.isNaN {
                                    var valid = 0.0
                                    sum = 0
                                    for k in begin..<end {
                                        let v = Double(fieldIn[Int(x.base[k])])
                                        if !v.isNaN {
                                            sum += sv.base[k] * v
                                            valid += sv.base[k]
                                        }
                                    }
                                    fieldOut[i] = valid > 0 ? T(sum / valid) : T.nan
                                    if let frac, field == 0 { frac.base[i] = valid }
                                } else if begin == end {
                                    fieldOut[i] = T.nan
                                    if let frac, field == 0 { frac.base[i] = 0 }
                                } else {
                                    fieldOut[i] = T(sum * iv.base[i])
                                    if let frac, field == 0 { frac.base[i] = 1 / iv.base[i] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
