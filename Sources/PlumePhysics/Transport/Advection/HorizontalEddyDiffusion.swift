import Foundation
import PlumeSupport
import PlumeGrids

/// Subgrid horizontal eddy mixing of the tracers: Fickian diffusion of the mixing ratio
/// along the model layers, ∂(m q)/∂t = ∇·(m K ∇q) (m the air mass per area), with a
/// latitude-dependent coefficient
///
///     K(φ) = K_ext + (K_trop − K_ext)·exp(−(φ/φ_w)²)            (m² s⁻¹)
///
/// **Why**: the winds that drive the transport (the shallow-water weather of CarbonBench-mini,
/// or any coarse analysis) do not resolve the synoptic and tropical eddies — easterly waves,
/// monsoon surges, convective outflow, the breaking Rossby waves that reach into the tropics
/// — that carry most of the real interhemispheric exchange (Hadley cells carry little net
/// tracer: both branches carry air of nearly the same mixing ratio). Zonal-mean (2D)
/// transport models parametrise that eddy transport as quasi-horizontal diffusion of order
/// 10⁶ m² s⁻¹ in the troposphere: Plumb & Mahlman (1987, J. Atmos. Sci. 44, 298–327) derived
/// the diffusion tensor from the GFDL GCM's tracer transport and found strong quasi-horizontal
/// mixing in the mid-latitude lower troposphere and a band of it across the tropical upper
/// troposphere. The CarbonBench-mini values (`CarbonBenchGenerator.defaultHorizontalDiffusion`)
/// are calibrated so that the two-box interhemispheric exchange time of an SF6-like tracer
/// (`InterhemisphericExchangeTracer`) falls in the range of the TransCom 2 SF6 models
/// (Denning et al. 1999, Tellus 51B, 266–297; about 1.0–1.4 years; BENCHMARKS.md).
///
/// **Discretisation** (on a `TransportGrid`, every layer independently, flux form): across
/// each cell face f between cells a and b the tracer mass
///
///     F_f = K_f · Δt · (L_f / d_f) · σ_f · (q_b − q_a)            (kg)
///
/// moves from b to a (L_f the face length, d_f the distance between the cell centres,
/// σ_f = ½(m_a/A_a + m_b/A_b) the air mass per area at the face, K_f at the face's latitude
/// (zonal faces: the row's centre latitude)). Each face's flux is added to one cell and
/// subtracted from the other, so the tracer mass is conserved to round-off. The step is
/// explicit (forward Euler), split into a zonal sweep and a meridional sweep; each sweep is
/// sub-stepped so that Σ_f w_f / m ≤ `maximumExchangeFraction` (≤ ½) in every cell, where
/// w_f = K_f Δt_sub (L_f/d_f) σ_f: the new mixing ratio is then a convex combination of the
/// old ones of the cell and its neighbours, so **no mixing ratio becomes negative** and a
/// uniform mixing ratio stays uniform. The zonal sweep is sub-stepped per row (the rows near
/// the poles are narrow: d = R cos φ Δλ), the meridional sweep for the whole layer. No flux
/// crosses the poles (L = 0 there). The air mass is not changed.
public struct HorizontalEddyDiffusion: Sendable, Equatable, Codable {
    /// K at the equator (the tropical maximum), m² s⁻¹.
    public var tropicalCoefficient: Double
    /// K far from the equator, m² s⁻¹.
    public var extratropicalCoefficient: Double
    /// e-folding half width φ_w of the tropical maximum, degrees.
    public var tropicalHalfWidthDegrees: Double
    /// Largest Σ_f w_f / m of a cell in one sub-step (≤ ½ keeps every update a convex
    /// combination with a non-negative own weight ≥ ½: positive and non-oscillatory).
    public var maximumExchangeFraction: Double = 0.5

    public init(tropicalCoefficient: Double, extratropicalCoefficient: Double, tropicalHalfWidthDegrees: Double = 20) {
        self.tropicalCoefficient = tropicalCoefficient
        self.extratropicalCoefficient = extratropicalCoefficient
        self.tropicalHalfWidthDegrees = tropicalHalfWidthDegrees
    }

    /// The same K everywhere, m² s⁻¹.
    public static func uniform(_ coefficient: Double) -> HorizontalEddyDiffusion {
        HorizontalEddyDiffusion(tropicalCoefficient: coefficient, extratropicalCoefficient: coefficient)
    }

    /// K(φ) at latitude `latitude` (radians), m² s⁻¹.
    public func coefficient(latitude: Double) -> Double {
        let width = tropicalHalfWidthDegrees * .pi / 180
        let x = latitude / width
        return extratropicalCoefficient + (tropicalCoefficient - extratropicalCoefficient) * exp(-x * x)
    }

    /// Checks that the coefficients are finite and non-negative and the width positive.
    public func validate() throws(TransportError) {
        guard tropicalCoefficient.isFinite, tropicalCoefficient >= 0 else {
            throw .invalidValue(name: "tropical eddy diffusion coefficient", reason: "\(tropicalCoefficient) m²/s must be finite and ≥ 0")
        }
        guard extratropicalCoefficient.isFinite, extratropicalCoefficient >= 0 else {
            throw .invalidValue(name: "extratropical eddy diffusion coefficient",
                                reason: "\(extratropicalCoefficient) m²/s must be finite and ≥ 0")
        }
        guard tropicalHalfWidthDegrees.isFinite, tropicalHalfWidthDegrees > 0 else {
            throw .invalidValue(name: "tropical half width of the eddy diffusion", reason: "\(tropicalHalfWidthDegrees)° must be > 0")
        }
        guard maximumExchangeFraction > 0, maximumExchangeFraction <= 0.5 else {
            throw .invalidValue(name: "maximum exchange fraction of the eddy diffusion",
                                reason: "\(maximumExchangeFraction) must be in (0, 0.5]")
        }
    }

    /// What one application did.
    public struct Report: Sendable, Equatable {
        /// Most sub-steps of the zonal sweep in any row.
        public var zonalSubsteps: Int
        /// Sub-steps of the meridional sweep.
        public var meridionalSubsteps: Int
    }

    /// Mixes every tracer of `state` horizontally over `duration` seconds on `grid`.
    /// - Throws: `TransportError` for a state that does not fit `grid`, a bad setting or a
    ///   non-positive duration.
    @discardableResult
    public func apply(to state: inout TracerMassState, grid: TransportGrid, duration: Double) throws(TransportError) -> Report {
        try validate()
        guard duration.isFinite, duration > 0 else { throw .invalidValue(name: "eddy diffusion duration", reason: "\(duration) s") }
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, n = grid.cellCount, levels = state.levelCount
        guard state.latitudeCount == nlat, state.longitudeCount == nlon, state.airMass.count == levels * n else {
            throw .shapeMismatch(name: "state [level, lat, lon] for the eddy diffusion", expected: levels * n, actual: state.airMass.count)
        }
        let R = grid.radius
        // Zonal faces of row j: K_j·L/d (m² s⁻¹) with L = R Δφ_j, d = R cos φ_j Δλ; w = that·Δt·σ.
        var zonalRate = [Double](repeating: 0, count: nlat)
        for j in 0..<nlat {
            let phi = grid.centreLatitude(row: j)
            let dphi = grid.latitudeEdges[j + 1] - grid.latitudeEdges[j]
            zonalRate[j] = coefficient(latitude: phi) * (R * dphi) / (R * cos(phi) * grid.longitudeStep)
        }
        // Meridional face e (between rows e−1 and e, e = 1…nlat−1): K·L/d with L = R cos φ_e Δλ.
        var meridionalRate = [Double](repeating: 0, count: nlat + 1)
        for e in 1..<nlat {
            let phi = grid.latitudeEdges[e]
            let d = R * (grid.centreLatitude(row: e) - grid.centreLatitude(row: e - 1))
            meridionalRate[e] = coefficient(latitude: phi) * (R * cos(phi) * grid.longitudeStep) / d
        }
        let areas = grid.rowAreas
        let fraction = maximumExchangeFraction
        // Sub-steps: per row for the zonal sweep, one count for the meridional sweep.
        var zonalSubsteps = [Int](repeating: 1, count: nlat)
        var meridionalSubsteps = 1
        for k in 0..<levels {
            for j in 0..<nlat {
                var worstZonal = 0.0, worstMeridional = 0.0
                let a = areas[j]
                for i in 0..<nlon {
                    let c = k * n + j * nlon + i
                    let m = state.airMass[c]
                    let west = state.airMass[k * n + j * nlon + (i + nlon - 1) % nlon]
                    let east = state.airMass[k * n + j * nlon + (i + 1) % nlon]
                    let wZ = zonalRate[j] * duration * (0.5 * (m + west) / a + 0.5 * (m + east) / a)
                    worstZonal = max(worstZonal, wZ / m)
                    var wM = 0.0
                    if j > 0 {
                        let s = state.airMass[c - nlon]
                        wM += meridionalRate[j] * duration * 0.5 * (m / a + s / areas[j - 1])
                    }
                    if j < nlat - 1 {
                        let north = state.airMass[c + nlon]
                        wM += meridionalRate[j + 1] * duration * 0.5 * (m / a + north / areas[j + 1])
                    }
                    worstMeridional = max(worstMeridional, wM / m)
                }
                zonalSubsteps[j] = max(zonalSubsteps[j], Int((worstZonal / fraction).rounded(.up)))
                meridionalSubsteps = max(meridionalSubsteps, Int((worstMeridional / fraction).rounded(.up)))
            }
        }
        let tracers = state.tracerMass.count
        let air = state.airMass
        let rowSteps = zonalSubsteps, zonal = zonalRate, meridional = meridionalRate
        for t in 0..<tracers {
            state.tracerMass[t].withUnsafeMutableBufferPointer { rmBuffer in
                guard let rmBase = rmBuffer.baseAddress else { return }
                let rmPointer = SharedMutablePointer<Double>(base: rmBase)
                air.withUnsafeBufferPointer { airBuffer in
                    guard let airBase = airBuffer.baseAddress else { return }
                    let mPointer = SharedPointer<Double>(base: airBase)
                    // Zonal sweep: one task per (level, row).
                    parallelFor(levels * nlat, minimumWork: 8_192, work: levels * n * 4) { task in
                        let k = task / nlat, j = task % nlat
                        let row = k * n + j * nlon
                        let rm = rmPointer.base + row, m = mPointer.base + row
                        let steps = rowSteps[j]
                        let scale = zonal[j] * (duration / Double(steps)) * 0.5 / areas[j]
                        var flux = [Double](repeating: 0, count: nlon)  // flux[i]: into i from i + 1 across the east face
                        for _ in 0..<steps {
                            for i in 0..<nlon {
                                let e = (i + 1) % nlon
                                flux[i] = scale * (m[i] + m[e]) * (rm[e] / m[e] - rm[i] / m[i])
                            }
                            for i in 0..<nlon {
                                rm[i] += flux[i] - flux[(i + nlon - 1) % nlon]
                            }
                        }
                    }
                    // Meridional sweep: one task per (level, column).
                    let steps = meridionalSubsteps
                    let dt = duration / Double(steps)
                    parallelFor(levels * nlon, minimumWork: 8_192, work: levels * n * 4) { task in
                        let k = task / nlon, i = task % nlon
                        let base = k * n + i
                        let rm = rmPointer.base + base, m = mPointer.base + base
                        var flux = [Double](repeating: 0, count: nlat + 1)  // flux[e]: into row e − 1 from row e
                        for _ in 0..<steps {
                            for e in 1..<nlat {
                                let s = (e - 1) * nlon, north = e * nlon
                                let sigma = 0.5 * (m[s] / areas[e - 1] + m[north] / areas[e])
                                flux[e] = meridional[e] * dt * sigma * (rm[north] / m[north] - rm[s] / m[s])
                            }
                            for j in 0..<nlat {
                                rm[j * nlon] += flux[j + 1] - flux[j]
                            }
                        }
                    }
                }
            }
        }
        return Report(zonalSubsteps: zonalSubsteps.max() ?? 1, meridionalSubsteps: meridionalSubsteps)
    }
}
