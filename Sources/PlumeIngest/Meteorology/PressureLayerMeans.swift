import Foundation
import PlumeSupport
import PlumeGrids

/// Pressure-weighted layer means of profiles given at a few pressures per column.
///
/// In each column the profile u(p) is piecewise linear between the given levels'
/// pressures p_l and constant beyond the first and last of them; the mean over a target
/// layer [p_top, p_bottom] is its exact integral ∫ u dp divided by Δp = p_bottom − p_top.
/// Each layer is cut at the levels inside it and every piece contributes its length times
/// u at the piece's midpoint (exact for a linear piece), so there is no cancellation
/// between large cumulative integrals: a profile linear in p over the levels comes out
/// exact to round-off. A layer of zero thickness takes u at its pressure.
public enum PressureLayerMeans {
    /// Layer means of `levelA.count` profiles' worth of values per column.
    ///
    /// - Parameters:
    ///   - values: the profile values, `[level, cell]` (`levelA.count × surfacePressures.count`).
    ///   - levelA: a_l, Pa, and `levelB`: b_l (1) of the input levels: p_l = a_l + b_l·p_s
    ///     (pressure levels: a = p, b = 0; model levels: the full-level coefficients). In
    ///     every column the p_l must increase strictly with l (top level first).
    ///   - surfacePressures: p_s, Pa, one per cell (finite, > 0).
    ///   - layers: the target layers; their interfaces a_k + b_k·p_s, surface first.
    ///   - name: what the profile is, for errors (e.g. the file and variable).
    /// - Returns: the layer means, `[layer, cell]`, layer 0 the lowest.
    /// - Throws: `IngestError.shapeMismatch` when the counts disagree, `.invalidValue`
    ///   naming the first column whose level pressures do not increase strictly or whose
    ///   surface pressure is not finite and positive.
    public static func layerMeans(
        values: [Double], levelA: [Double], levelB: [Double], surfacePressures: [Double], layers: HybridLevels,
        name: String = "profile"
    ) throws(IngestError) -> [Double] {
        let n = levelA.count, cells = surfacePressures.count, layerCount = layers.count
        guard n >= 1 else { throw .invalidValue(name: name, reason: "no input levels (expected at least one)") }
        guard levelB.count == n else { throw .shapeMismatch(name: "\(name): level coefficients b", expected: n, actual: levelB.count) }
        guard values.count == n * cells else {
            throw .shapeMismatch(name: "\(name): values [level, cell] (\(n) levels × \(cells) cells)", expected: n * cells, actual: values.count)
        }
        if cells == 0 { return [] }
        let chunk = 256
        let chunkCount = (cells + chunk - 1) / chunk
        var out = [Double](repeating: 0, count: layerCount * cells)
        // Per chunk: the first failing cell (-1: none) and what failed (1: p_s, 2: levels).
        var failures = [Int](repeating: -1, count: 2 * chunkCount)
        // Coefficients in one buffer: level a, level b, interface a, interface b.
        let coefficients = levelA + levelB + layers.a + layers.b
        values.withUnsafeBufferPointer { valueBuffer in
            surfacePressures.withUnsafeBufferPointer { psBuffer in
                coefficients.withUnsafeBufferPointer { coefficientBuffer in
                    out.withUnsafeMutableBufferPointer { outBuffer in
                        failures.withUnsafeMutableBufferPointer { failureBuffer in
                            guard let v = valueBuffer.baseAddress, let ps = psBuffer.baseAddress, let k = coefficientBuffer.baseAddress,
                                  let o = outBuffer.baseAddress, let f = failureBuffer.baseAddress else { return }
                            let input = LayerMeanInput(values: v, surfacePressures: ps, coefficients: k)
                            let output = LayerMeanOutput(means: o, failures: f)
                            parallelFor(chunkCount, minimumWork: 8_192, work: cells * (n + layerCount)) { c in
                                meansOfChunk(c, chunk: chunk, cells: cells, levelCount: n, layerCount: layerCount, input: input, output: output)
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<chunkCount where failures[2 * c] >= 0 {
            let cell = failures[2 * c]
            if failures[2 * c + 1] == 1 {
                throw .invalidValue(name: name, reason: "surface pressure \(surfacePressures[cell]) Pa at cell \(cell) (expected a finite positive value)")
            }
            let ps = surfacePressures[cell]
            let pressures = (0..<n).map { levelA[$0] + levelB[$0] * ps }
            throw .invalidValue(name: name, reason: "level pressures at cell \(cell) (p_s = \(ps) Pa) are not strictly increasing from the top level down: "
                + "\(pressures.prefix(12).map { String(format: "%.6g", $0) }.joined(separator: ", "))\(n > 12 ? ", …" : "") Pa")
        }
        return out
    }

    /// The columns of chunk `c`: failures go to `output.failures[2c]` (cell) and `[2c + 1]` (kind).
    static func meansOfChunk(_ c: Int, chunk: Int, cells: Int, levelCount n: Int, layerCount: Int,
                             input: LayerMeanInput, output: LayerMeanOutput) {
        let levelA = input.coefficients, levelB = levelA + n
        let interfaceA = levelB + n, interfaceB = interfaceA + layerCount + 1
        let p = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let u = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let interfaces = UnsafeMutablePointer<Double>.allocate(capacity: layerCount + 1)
        defer { p.deallocate(); u.deallocate(); interfaces.deallocate() }
        var cell = c * chunk
        let end = min(cells, cell + chunk)
        while cell < end {
            let surface = input.surfacePressures[cell]
            guard surface.isFinite, surface > 0 else {
                output.failures[2 * c] = cell
                output.failures[2 * c + 1] = 1
                return
            }
            var l = 0
            while l < n {
                p[l] = levelA[l] + levelB[l] * surface
                u[l] = input.values[l * cells + cell]
                if l > 0 && !(p[l] > p[l - 1]) {
                    output.failures[2 * c] = cell
                    output.failures[2 * c + 1] = 2
                    return
                }
                l += 1
            }
            var k = 0
            while k <= layerCount {
                interfaces[k] = interfaceA[k] + interfaceB[k] * surface
                k += 1
            }
            columnMeans(p: p, u: u, n: n, interfaces: interfaces, layerCount: layerCount, out: output.means + cell, stride: cells)
            cell += 1
        }
    }

    /// One column: `p` (strictly increasing) and `u` hold the n levels, `interfaces` the
    /// layerCount + 1 interface pressures (surface first); means go to out[k·stride].
    @inline(__always)
    static func columnMeans(p: UnsafePointer<Double>, u: UnsafePointer<Double>, n: Int, interfaces: UnsafePointer<Double>,
                            layerCount: Int, out: UnsafeMutablePointer<Double>, stride: Int) {
        // s: the number of levels with p_l ≤ the current layer's top.
        var s = 0
        for k in Swift.stride(from: layerCount - 1, through: 0, by: -1) {
            let lo = interfaces[k + 1], hi = interfaces[k]
            while s < n && p[s] <= lo { s += 1 }
            while s > 0 && p[s - 1] > lo { s -= 1 }
            guard hi > lo else {
                out[k * stride] = value(at: lo, segment: s, p: p, u: u, n: n)
                continue
            }
            var x = lo, sum = 0.0, t = s
            while true {
                let next = t < n ? min(p[t], hi) : hi
                if next > x { sum += (next - x) * value(at: 0.5 * (x + next), segment: t, p: p, u: u, n: n) }
                x = next
                if x >= hi { break }
                t += 1
            }
            out[k * stride] = sum / (hi - lo)
        }
    }

    /// u at pressure x in segment t (between levels t − 1 and t; 0 and n are the constant ends).
    @inline(__always)
    static func value(at x: Double, segment t: Int, p: UnsafePointer<Double>, u: UnsafePointer<Double>, n: Int) -> Double {
        if t <= 0 { return u[0] }
        if t >= n { return u[n - 1] }
        return u[t - 1] + (u[t] - u[t - 1]) * ((x - p[t - 1]) / (p[t] - p[t - 1]))
    }
}

/// Read-only inputs of the parallel column loop.
struct LayerMeanInput: @unchecked Sendable {
    let values: UnsafePointer<Double>
    let surfacePressures: UnsafePointer<Double>
    /// Level a, level b (n each), interface a, interface b (layers + 1 each).
    let coefficients: UnsafePointer<Double>
}

/// Outputs of the parallel column loop, written at disjoint indices.
struct LayerMeanOutput: @unchecked Sendable {
    let means: UnsafeMutablePointer<Double>
    let failures: UnsafeMutablePointer<Int>
}
