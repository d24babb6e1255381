import Foundation
import PlumeGrids
import PlumeSpectral
import Torch
import PlumePhysics

/// The vertical profile that turns the (single-layer) shallow-water flow into winds of the
/// transport layers: layer k gets the weather streamfunction and winds times
/// f(s_k) = (0.25 + s_k)/1.25, with s_k = 1 − p_k/p₀ the height coordinate of
/// `Transport3DAnalyticWinds.heightCoordinate` (p_k the layer's mid pressure at
/// p₀ = 1013.25 hPa). So the lowest layer (s ≈ 0) moves at 0.2× and the top (s → 1) at
/// 1× the shallow-water wind — stronger aloft, as the analytic winds' jets.
public enum CarbonBenchVerticalProfile {
    /// f(s) per layer of `geometry`, dimensionless, lowest first.
    public static func factors(geometry: Transport3DGeometry) -> [Double] {
        Transport3DAnalyticWinds.heightCoordinate(geometry: geometry).map { (0.25 + $0) / 1.25 }
    }
}

/// One transport step's winds from the weather model: the shallow-water streamfunction ψ
/// (m² s⁻¹) at the cell corners of the transport grid (`[lat + 1, lon]`, see
/// `StreamfunctionMassFluxes`), held fixed over the step (the driver passes the mean of ψ at
/// the step's start and end), scaled per layer by `factors` (`CarbonBenchVerticalProfile`).
///
/// The fluxes of layer k over Δt are the differences of the mass streamfunction
/// σ_k·Δt·f_k·ψ at the corners (σ_k = the geometry's corner air mass per area, kg m⁻²), so
/// they are discretely non-divergent and every cell keeps its air mass.
///
/// `overturning` adds the Hadley cells (`MeridionalOverturning`) that the shallow-water flow
/// lacks: layer fluxes whose column sums vanish, with the vertical fluxes from continuity
/// at constant air mass (`VerticalMassFluxes`), so every cell still keeps its air mass.
public struct CarbonBenchWindSnapshot: Transport3DWindProvider {
    /// ψ at the corners, m² s⁻¹, `[lat + 1, lon]`.
    public var cornerStreamfunction: [Double]
    /// Vertical profile factor per layer, lowest first.
    public var factors: [Double]
    /// The prescribed meridional overturning (none: nil).
    public var overturning: MeridionalOverturning?

    public init(cornerStreamfunction: [Double], factors: [Double], overturning: MeridionalOverturning? = nil) {
        self.cornerStreamfunction = cornerStreamfunction
        self.factors = factors
        self.overturning = overturning
    }

    public func stepFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> Transport3DStepFluxes {
        var horizontal = try massFluxes(geometry: geometry, from: time, duration: duration)
        guard let overturning else { return Transport3DStepFluxes(horizontal: horizontal) }
        let extra = overturning.northwardFluxes(geometry: geometry, from: time, duration: duration)
        for idx in horizontal.northward.indices { horizontal.northward[idx] += extra[idx] }
        let (upward, _) = try VerticalMassFluxes.fromContinuity(horizontal: horizontal, airMassStart: geometry.airMass,
                                                               airMassEnd: geometry.airMass)
        return Transport3DStepFluxes(horizontal: horizontal, upward: upward)
    }

    public func massFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> HorizontalMassFluxes {
        guard duration.isFinite, duration >= 0 else {
            throw .invalidValue(name: "wind interval", reason: "duration \(duration) s")
        }
        let grid = geometry.grid
        let corners = (grid.latitudeCount + 1) * grid.longitudeCount
        guard cornerStreamfunction.count == corners else {
            throw .shapeMismatch(name: "corner streamfunction [lat+1, lon]", expected: corners, actual: cornerStreamfunction.count)
        }
        guard factors.count == geometry.levelCount else {
            throw .shapeMismatch(name: "vertical profile factors", expected: geometry.levelCount, actual: factors.count)
        }
        var psi = [Double](repeating: 0, count: geometry.levelCount * corners)
        for k in 0..<geometry.levelCount {
            let f = factors[k] * duration
            for c in 0..<corners { psi[k * corners + c] = geometry.cornerMassPerArea[k * corners + c] * f * cornerStreamfunction[c] }
        }
        return try StreamfunctionMassFluxes.massStreamfunctionFluxes(grid: grid, levelCount: geometry.levelCount, massStreamfunction: psi)
    }
}

/// Bilinear interpolation from a regular Gaussian grid (rows north → south, longitudes from
/// 0° eastward, periodic) to arbitrary points; latitudes beyond the outermost rows take the
/// outermost row's value.
struct CarbonBenchGaussianInterpolator {
    /// Row latitudes, radians, ascending (south → north) — the model's rows reversed.
    let ascendingLatitudes: [Double]
    let nlat: Int
    let nlon: Int

    init(latitudesDegreesNorthToSouth: [Double], longitudeCount: Int) {
        ascendingLatitudes = latitudesDegreesNorthToSouth.reversed().map { $0 * .pi / 180 }
        nlat = latitudesDegreesNorthToSouth.count
        nlon = longitudeCount
    }

    /// Value of `field` (`[nlat, nlon]`, rows north → south) at (λ, φ), radians.
    func value(_ field: [Double], longitude lambda: Double, latitude phi: Double) -> Double {
        // Row pair (ascending index a0, a1) and weight.
        var a0 = 0, a1 = 0, wy = 0.0
        if phi <= ascendingLatitudes[0] {
            a0 = 0; a1 = 0
        } else if phi >= ascendingLatitudes[nlat - 1] {
            a0 = nlat - 1; a1 = nlat - 1
        } else {
            var lo = 0, hi = nlat - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if ascendingLatitudes[mid] <= phi { lo = mid } else { hi = mid }
            }
            a0 = lo; a1 = hi
            wy = (phi - ascendingLatitudes[lo]) / (ascendingLatitudes[hi] - ascendingLatitudes[lo])
        }
        // Ascending index a ↔ model row nlat − 1 − a.
        let r0 = nlat - 1 - a0, r1 = nlat - 1 - a1
        let dl = 2 * Double.pi / Double(nlon)
        var x = (lambda / dl).truncatingRemainder(dividingBy: Double(nlon))
        if x < 0 { x += Double(nlon) }
        let i0 = min(Int(x.rounded(.down)), nlon - 1), i1 = (i0 + 1) % nlon
        let wx = x - Double(i0)
        let south = (1 - wx) * field[r0 * nlon + i0] + wx * field[r0 * nlon + i1]
        let north = (1 - wx) * field[r1 * nlon + i0] + wx * field[r1 * nlon + i1]
        return (1 - wy) * south + wy * north
    }
}

/// The shallow-water weather model stepped alongside the transport model: it holds the
/// `WeatherModel` and its state and gives the streamfunction ψ = ∇⁻²ζ (m² s⁻¹) at the
/// corners of the transport grid and u, v (m s⁻¹) on the Gaussian grid.
///
/// Holds tensors (not `Sendable`).
public struct CarbonBenchWeatherDriver {
    public let weather: WeatherModel
    public private(set) var state: ShallowWaterState
    let interpolator: CarbonBenchGaussianInterpolator

    /// - Throws: `WeatherGeneratorError`, `TorchError` from building the model.
    public init(configuration: WeatherConfiguration, grid: GaussianGrid, seed: UInt64) throws {
        weather = try WeatherModel(configuration: configuration, grid: grid, seed: seed)
        state = weather.initialState
        interpolator = CarbonBenchGaussianInterpolator(latitudesDegreesNorthToSouth: weather.latitudesDegrees,
                                                       longitudeCount: weather.longitudesDegrees.count)
    }

    /// The weather time step, s.
    public var timeStep: Double { weather.configuration.effectiveTimeStep }

    /// Advances the weather by `steps` model steps, checking that the winds stay finite and
    /// below `WeatherGenerator.maximumWind` after the last one.
    public mutating func advance(steps: Int) throws {
        for _ in 0..<max(0, steps) { state = try weather.model.step(state) }
    }

    /// ψ on the Gaussian grid, `[nlat, nlon]` rows north → south, m² s⁻¹.
    public func gaussianStreamfunction() throws -> [Double] {
        let transform = weather.model.transform
        let psi = try transform.inverse(transform.inverseLaplacian(state.vorticity()))
        return try psi.contiguous().toArray(of: Double.self)
    }

    /// ψ at the corners of `grid` (`[lat + 1, lon]`, bilinear from the Gaussian grid), m² s⁻¹.
    public func cornerStreamfunction(grid: TransportGrid) throws -> [Double] {
        let field = try gaussianStreamfunction()
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var out = [Double](repeating: 0, count: (nlat + 1) * nlon)
        for j in 0...nlat {
            let phi = grid.latitudeEdges[j]
            for i in 0..<nlon { out[j * nlon + i] = interpolator.value(field, longitude: grid.westEdge(column: i), latitude: phi) }
        }
        return out
    }

    /// u and v on the Gaussian grid (`[nlat, nlon]` each, rows north → south), m s⁻¹, and
    /// the largest wind speed.
    /// - Throws: `WeatherGeneratorError.blowUp` when the largest speed is not finite or
    ///   exceeds `WeatherGenerator.maximumWind`.
    public func winds(day: Double) throws -> (u: [Double], v: [Double], maximum: Double) {
        let fields = try weather.model.gridFields(state)
        let u = try fields.u.contiguous().toArray(of: Double.self)
        let v = try fields.v.contiguous().toArray(of: Double.self)
        var m2 = 0.0
        for c in u.indices { m2 = max(m2, u[c] * u[c] + v[c] * v[c]) }
        let maximum = m2.squareRoot()
        guard maximum.isFinite, maximum <= WeatherGenerator.maximumWind else {
            throw WeatherGeneratorError.blowUp(day: day, maximumWind: maximum)
        }
        return (u, v, maximum)
    }
}
