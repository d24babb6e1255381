import Foundation
import PlumeSupport
import PlumeConservation

/// Vertical turbulent mixing of the reference transport model: implicit (backward Euler)
/// diffusion of the mixing ratio in every column, in flux form on the mass-weighted layers.
///
/// With D_k the air mass exchanged per step across interface k (between layers k − 1 and k,
/// kg): D_k = ρ_k·K(z_k, h)·Δt·A / Δz_k, the new mixing ratios solve the tridiagonal system
///
///     m_k q'_k − rm_k = D_{k+1} (q'_{k+1} − q'_k) − D_k (q'_k − q'_{k−1}),   D_0 = D_L = 0,
///
/// (Thomas algorithm; the matrix is an M-matrix, and with non-negative right-hand sides every
/// operation of the elimination adds non-negative terms, so q' ≥ 0 exactly in floating
/// point). The tracer masses are then updated **in flux form**,
/// rm_k += G_{k+1} − G_k with G_k = D_k (q'_k − q'_{k−1}) the mass moved from layer k down to
/// k − 1, so whatever the solver's round-off every bit of tracer that leaves one layer enters
/// its neighbour: column tracer mass is conserved to the round-off of the additions. Should
/// round-off in those additions make a (near-zero) layer negative, that column takes
/// rm_k = m_k q'_k instead (non-negative) with the column's round-off difference added to its
/// largest layer.
///
/// Diffusivity: K = K_free + (K_bl − K_free)·σ((h − z)/δ), σ the logistic function,
/// δ = `transitionWidth`·h: `boundaryLayerDiffusivity` below the boundary-layer height h,
/// `freeTroposphereDiffusivity` above. Heights and densities from an isothermal
/// atmosphere of scale height H: z = H ln(p_s/p), ρ = p/(g H); Δz_k between the mid pressures
/// of the two layers.
///
/// Layouts: air and tracer masses `[level, lat, lon]` (level 0 lowest), boundary-layer
/// heights `[lat, lon]` in m.
public struct VerticalDiffusion: Sendable {
    /// Diffusivity inside the boundary layer, m² s⁻¹.
    public var boundaryLayerDiffusivity: Double
    /// Diffusivity above it, m² s⁻¹.
    public var freeTroposphereDiffusivity: Double
    /// Width of the transition at the boundary-layer top, as a fraction of its height.
    public var transitionWidth: Double

    public let geometry: Transport3DGeometry
    /// Height of interior interface k (between layers k and k + 1), m, `[level − 1, lat, lon]`.
    public let interfaceHeights: [Double]
    /// ρ·A/Δz at interior interface k, kg m⁻², `[level − 1, lat, lon]` (× K·Δt gives D in kg).
    public let exchangeCoefficients: [Double]

    /// Isothermal scale height used for heights and densities, m (R_d·255 K / g).
    public static let scaleHeight = 287.05 * 255 / PhysicalConstants.standardGravity

    public init(geometry: Transport3DGeometry, boundaryLayerDiffusivity: Double = 100, freeTroposphereDiffusivity: Double = 5,
                transitionWidth: Double = 0.1) throws(TransportError) {
        for (name, v) in [("boundary-layer diffusivity", boundaryLayerDiffusivity),
                          ("free-troposphere diffusivity", freeTroposphereDiffusivity), ("transition width", transitionWidth)]
        where !(v >= 0 && v.isFinite) {
            throw .invalidValue(name: name, reason: "\(v) must be finite and non-negative")
        }
        self.geometry = geometry
        self.boundaryLayerDiffusivity = boundaryLayerDiffusivity
        self.freeTroposphereDiffusivity = freeTroposphereDiffusivity
        self.transitionWidth = transitionWidth
        let n = geometry.cellCount, levels = geometry.levelCount
        let areas = geometry.grid.cellAreas()
        let H = Self.scaleHeight, g = PhysicalConstants.standardGravity
        var heights = [Double](repeating: 0, count: max(levels - 1, 0) * n), coefficients = heights
        for c in 0..<n {
            let ps = geometry.surfacePressure[c]
            let p = geometry.levels.interfacePressures(surfacePressure: ps)
            for k in 0..<(levels - 1) {
                let below = 0.5 * (p[k] + p[k + 1]), above = 0.5 * (p[k + 1] + p[k + 2])
                let dz = H * log(below / above)
                heights[k * n + c] = H * log(ps / p[k + 1])
                coefficients[k * n + c] = p[k + 1] / (g * H) * areas[c] / dz
            }
        }
        interfaceHeights = heights
        exchangeCoefficients = coefficients
    }

    /// Diffusivity at height `z` under a boundary layer of height `h` (m), m² s⁻¹.
    @inline(__always)
    public func diffusivity(height z: Double, boundaryLayerHeight h: Double) -> Double {
        let width = max(transitionWidth * h, 1)
        let x = (h - z) / width
        let s = x > 40 ? 1 : x < -40 ? 0 : 1 / (1 + exp(-x))
        return freeTroposphereDiffusivity + (boundaryLayerDiffusivity - freeTroposphereDiffusivity) * s
    }

    /// Air mass exchanged across each interior interface during `duration` seconds, kg,
    /// `[level − 1, lat, lon]`, under the boundary-layer heights `boundaryLayerHeight` (m, `[lat, lon]`).
    public func exchanges(boundaryLayerHeight h: [Double], duration: Double) -> [Double] {
        let n = geometry.cellCount
        var out = [Double](repeating: 0, count: exchangeCoefficients.count)
        for k in 0..<(geometry.levelCount - 1) {
            for c in 0..<n {
                out[k * n + c] = exchangeCoefficients[k * n + c] * diffusivity(height: interfaceHeights[k * n + c],
                                                                               boundaryLayerHeight: h[c]) * duration
            }
        }
        return out
    }

    /// Mixes every tracer of `state` for `duration` seconds under the boundary-layer heights
    /// `boundaryLayerHeight` (m, `[lat, lon]`). The air mass is unchanged.
    public func apply(to state: inout TracerMassState, boundaryLayerHeight: [Double], duration: Double) throws(TransportError) {
        let n = geometry.cellCount, levels = geometry.levelCount
        guard state.levelCount == levels, state.latitudeCount * state.longitudeCount == n else {
            throw .shapeMismatch(name: "state [level, lat, lon]", expected: levels * n,
                                 actual: state.levelCount * state.latitudeCount * state.longitudeCount)
        }
        guard boundaryLayerHeight.count == n else {
            throw .shapeMismatch(name: "boundary-layer height [lat, lon]", expected: n, actual: boundaryLayerHeight.count)
        }
        guard duration >= 0, duration.isFinite else { throw .invalidValue(name: "duration", reason: "\(duration) s") }
        guard levels > 1, duration > 0 else { return }
        let d = exchanges(boundaryLayerHeight: boundaryLayerHeight, duration: duration)
        let nlat = geometry.grid.latitudeCount, nlon = geometry.grid.longitudeCount
        // The factorisation (1/β_k and D_{k+1}/β_k, [level, lat, lon]) is the same for every tracer.
        var inverseBeta = [Double](repeating: 0, count: levels * n), upper = inverseBeta
        d.withUnsafeBufferPointer { dBuffer in
            state.airMass.withUnsafeBufferPointer { mBuffer in
                inverseBeta.withUnsafeMutableBufferPointer { ibBuffer in
                    upper.withUnsafeMutableBufferPointer { uBuffer in
                        guard let db = dBuffer.baseAddress, let mb = mBuffer.baseAddress, let ib = ibBuffer.baseAddress,
                              let ub = uBuffer.baseAddress else { return }
                        let dp = SharedPointer<Double>(base: db), mp = SharedPointer<Double>(base: mb)
                        let ip = SharedMutablePointer<Double>(base: ib), up = SharedMutablePointer<Double>(base: ub)
                        parallelFor(nlat, minimumWork: 16_384, work: levels * n) { j in
                            Self.factorRow(j, nlon: nlon, cells: n, levels: levels, d: dp.base, m: mp.base,
                                           inverseBeta: ip.base, upper: up.base)
                        }
                    }
                }
            }
        }
        d.withUnsafeBufferPointer { dBuffer in
            state.airMass.withUnsafeBufferPointer { mBuffer in
                inverseBeta.withUnsafeBufferPointer { ibBuffer in
                    upper.withUnsafeBufferPointer { uBuffer in
                        guard let db = dBuffer.baseAddress, let mb = mBuffer.baseAddress, let ib = ibBuffer.baseAddress,
                              let ub = uBuffer.baseAddress else { return }
                        let dp = SharedPointer<Double>(base: db), mp = SharedPointer<Double>(base: mb)
                        let ip = SharedPointer<Double>(base: ib), up = SharedPointer<Double>(base: ub)
                        for t in 0..<state.tracerMass.count {
                            state.tracerMass[t].withUnsafeMutableBufferPointer { rmBuffer in
                                guard let rb = rmBuffer.baseAddress else { return }
                                let rp = SharedMutablePointer<Double>(base: rb)
                                parallelFor(nlat, minimumWork: 16_384, work: levels * n) { j in
                                    Self.mixRow(j, nlon: nlon, cells: n, levels: levels, d: dp.base, m: mp.base,
                                                inverseBeta: ip.base, upper: up.base, rm: rp.base)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Thomas factorisation of the `nlon` columns of row `j`: β_k = m_k + D_{k+1} + D_k (1 − D_k/β_{k−1})
    /// (every term ≥ 0; D_k/β_{k−1} ≤ 1 as β_{k−1} ≥ D_k), stored as 1/β_k and D_{k+1}/β_k.
    private static func factorRow(_ j: Int, nlon: Int, cells n: Int, levels: Int, d: UnsafePointer<Double>,
                                  m: UnsafePointer<Double>, inverseBeta: UnsafeMutablePointer<Double>,
                                  upper: UnsafeMutablePointer<Double>) {
        let row = j * nlon
        for k in 0..<levels {
            let here = k * n + row
            for i in 0..<nlon {
                let below = k > 0 ? d[(k - 1) * n + row + i] : 0
                let above = k < levels - 1 ? d[here + i] : 0
                // β_{k−1} = 1/inverseBeta_{k−1}; D_k/β_{k−1} = D_k·inverseBeta_{k−1} ≤ 1 (clamped against round-off).
                let ratio = k > 0 ? min(1, below * inverseBeta[(k - 1) * n + row + i]) : 0
                let beta = m[here + i] + above + below * (1 - ratio)
                let ib = 1 / beta
                inverseBeta[here + i] = ib
                upper[here + i] = above * ib
            }
        }
    }

    /// Solves and applies the implicit diffusion of one tracer in the `nlon` columns of row `j`
    /// (loops over the row innermost, so they vectorise).
    private static func mixRow(_ j: Int, nlon: Int, cells n: Int, levels: Int, d: UnsafePointer<Double>,
                               m: UnsafePointer<Double>, inverseBeta: UnsafePointer<Double>, upper: UnsafePointer<Double>,
                               rm: UnsafeMutablePointer<Double>) {
        let row = j * nlon
        withUnsafeTemporaryAllocation(of: Double.self, capacity: (levels + 2) * nlon) { scratch in
            guard let q = scratch.baseAddress else { return }
            let gBelow = q + levels * nlon, negative = q + (levels + 1) * nlon
            // Forward: d'_k = (rm_k + D_k d'_{k−1}) / β_k (all terms ≥ 0 for rm ≥ 0).
            for i in 0..<nlon { q[i] = rm[row + i] * inverseBeta[row + i] }
            for k in 1..<levels {
                let here = k * n + row, below = (k - 1) * n + row, qk = q + k * nlon, qb = q + (k - 1) * nlon
                for i in 0..<nlon { qk[i] = (rm[here + i] + d[below + i] * qb[i]) * inverseBeta[here + i] }
            }
            // Back substitution: q'_k = d'_k + (D_{k+1}/β_k) q'_{k+1}.
            for k in stride(from: levels - 2, through: 0, by: -1) {
                let here = k * n + row, qk = q + k * nlon, qa = q + (k + 1) * nlon
                for i in 0..<nlon { qk[i] += upper[here + i] * qa[i] }
            }
            // Flux form: G_k = D_k (q'_k − q'_{k−1}) moves tracer from layer k down to k − 1.
            for i in 0..<nlon {
                gBelow[i] = 0
                negative[i] = 0
            }
            for k in 0..<levels {
                let here = k * n + row, qk = q + k * nlon
                if k < levels - 1 {
                    let qa = q + (k + 1) * nlon
                    for i in 0..<nlon {
                        let gAbove = d[here + i] * (qa[i] - qk[i])
                        let value = rm[here + i] + gAbove - gBelow[i]
                        rm[here + i] = value
                        gBelow[i] = gAbove
                        if value < 0 { negative[i] = 1 }
                    }
                } else {
                    for i in 0..<nlon {
                        let value = rm[here + i] - gBelow[i]
                        rm[here + i] = value
                        if value < 0 { negative[i] = 1 }
                    }
                }
            }
            for i in 0..<nlon where negative[i] != 0 {
                // Round-off made a near-empty layer negative: take m·q' (≥ 0) and keep the column total.
                let c = row + i
                var before = 0.0, after = 0.0, largest = 0
                for k in 0..<levels {
                    before += rm[k * n + c]
                    let v = m[k * n + c] * q[k * nlon + i]
                    after += v
                    rm[k * n + c] = v
                    if v > rm[largest * n + c] { largest = k }
                }
                rm[largest * n + c] = max(0, rm[largest * n + c] + (before - after))
            }
        }
    }
}
