import Foundation
import PlumeConservation

/// A zonal-mean meridional overturning circulation — two Hadley cells following the sun —
/// as layer mass fluxes and vertical fluxes that leave every column's air mass unchanged.
///
/// The shallow-water weather has no divergent circulation, so without this term the tropics
/// exchange air between the hemispheres far too slowly (an interhemispheric CO2 difference of
/// ~50 ppm after five years instead of the observed ~4). The overturning is prescribed by a
/// mass streamfunction Ψ (kg s⁻¹, northward mass transport around a latitude circle below
/// pressure p):
///
///     Ψ(φ, p, t) = Φ(φ, t) · sin(π (p_s − p) / (p_s − p_top))   for p ≥ p_top, 0 above,
///
/// zero at the surface and at `topPressure`, and in latitude
///
///     Φ = a_N(t) sin(π (φ − φ_I)/(φ_e − φ_I))            for φ_I ≤ φ ≤ φ_e,
///     Φ = −a_S(t) sin(π (φ − φ_I)/(−φ_e − φ_I))          for −φ_e ≤ φ < φ_I,
///
/// with the rising branch at the ITCZ φ_I(t) = `itczAmplitude`·s(t) and the sinking branches at
/// ±φ_e = ±`edgeLatitude`, s(t) = cos 2π(t − 15 July)/year; the winter cell is the stronger,
/// a_N = `strength`·(1 − c·s), a_S = `strength`·(1 + c·s), c = `seasonalContrast`, and in
/// the solstice seasons it reaches across the equator (the main interhemispheric exchange).
/// Northern cell: Ψ > 0, equatorward near the surface, poleward aloft.
///
/// Layer k carries Ψ(p_k) − Ψ(p_{k+1}) northward (p_k its bottom, p_{k+1} its top), shared
/// equally among the faces of a face row; the column sum is zero, so with vertical fluxes
/// from continuity (`VerticalMassFluxes`) no cell's air mass changes.
public struct MeridionalOverturning: Sendable, Equatable {
    /// Annual-mean peak mass transport of each cell, kg s⁻¹ (observed: ~8·10¹⁰).
    public var strength: Double = 1.0e11
    /// Seasonal contrast c (0: both cells always equal).
    public var seasonalContrast: Double = 0.8
    /// Largest excursion of the ITCZ from the equator, degrees.
    public var itczAmplitude: Double = 6
    /// Latitude of the sinking branches, degrees.
    public var edgeLatitude: Double = 30
    /// Top of the cells, Pa.
    public var topPressure: Double = 15_000

    public init() {}

    /// s(t): +1 in mid-July, −1 in mid-January (t in s since 1 January 00 UTC).
    func season(_ t: Double) -> Double {
        cos(2 * .pi * (t - 195 * PhysicalConstants.day) / SyntheticSurfaceFluxes.year)
    }

    /// ITCZ latitude at time `t`, radians.
    public func itczLatitude(time t: Double) -> Double { itczAmplitude * season(t) * .pi / 180 }

    /// Φ(φ, t), kg s⁻¹ (latitude in radians).
    public func latitudinalShape(latitude phi: Double, time t: Double) -> Double {
        let s = season(t)
        let itcz = itczLatitude(time: t), edge = edgeLatitude * .pi / 180
        if phi >= itcz && phi <= edge {
            return strength * (1 - seasonalContrast * s) * sin(.pi * (phi - itcz) / (edge - itcz))
        }
        if phi < itcz && phi >= -edge {
            return -strength * (1 + seasonalContrast * s) * sin(.pi * (phi - itcz) / (-edge - itcz))
        }
        return 0
    }

    /// Ψ at latitude `phi` (radians) and pressure `p` (Pa) over a surface pressure `ps`, kg s⁻¹.
    public func streamfunction(latitude phi: Double, pressure p: Double, surfacePressure ps: Double, time t: Double) -> Double {
        guard p > topPressure, ps > topPressure else { return 0 }
        let x = min(max((ps - p) / (ps - topPressure), 0), 1)
        return latitudinalShape(latitude: phi, time: t) * sin(.pi * x)
    }

    /// Zonal-mean northward wind of the layer between `bottom` and `top` (Pa) at latitude
    /// `phi` (radians), m s⁻¹: (Ψ(bottom) − Ψ(top)) / (2π R cos φ · (bottom − top)/g).
    public func meridionalWind(latitude phi: Double, bottom: Double, top: Double, surfacePressure ps: Double,
                               time t: Double, radius: Double = PhysicalConstants.earthRadius) -> Double {
        let dp = bottom - top
        guard dp > 0, cos(phi) > 1e-12 else { return 0 }
        let transport = streamfunction(latitude: phi, pressure: bottom, surfacePressure: ps, time: t)
            - streamfunction(latitude: phi, pressure: top, surfacePressure: ps, time: t)
        return transport / (2 * .pi * radius * cos(phi) * dp / PhysicalConstants.standardGravity)
    }

    /// Northward air mass through every face during [`time`, `time` + `duration`], kg,
    /// `[level, lat + 1, lon]` (`HorizontalMassFluxes.northward` layout; Ψ at the step's
    /// middle, interface pressures at each face's surface pressure — the mean of its two cells').
    public func northwardFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) -> [Double] {
        let grid = geometry.grid, nlat = grid.latitudeCount, nlon = grid.longitudeCount, L = geometry.levelCount
        var out = [Double](repeating: 0, count: L * (nlat + 1) * nlon)
        let t = time + duration / 2
        let share = duration / Double(nlon)
        for f in 1..<nlat {
            let phi = grid.latitudeEdges[f]
            guard latitudinalShape(latitude: phi, time: t) != 0 else { continue }
            for i in 0..<nlon {
                let ps = 0.5 * (geometry.surfacePressure[(f - 1) * nlon + i] + geometry.surfacePressure[f * nlon + i])
                let p = geometry.levels.interfacePressures(surfacePressure: ps)
                var below = streamfunction(latitude: phi, pressure: p[0], surfacePressure: ps, time: t)
                for k in 0..<L {
                    let above = streamfunction(latitude: phi, pressure: p[k + 1], surfacePressure: ps, time: t)
                    out[(k * (nlat + 1) + f) * nlon + i] = (below - above) * share
                    below = above
                }
            }
        }
        return out
    }
}
