import Foundation
import PlumePhysics
import PlumeSupport
import PlumeGrids

/// An SF6-like tracer for measuring the interhemispheric exchange time the TransCom way
/// (TransCom 2, Denning et al. 1999, Tellus 51B): a constant emission E (kg s⁻¹), no sink,
/// spread uniformly per unit area over every cell whose centre latitude lies in
/// [`southernLatitude`, `northernLatitude`] (default 30°N–60°N, all cells, land and ocean),
/// into the lowest layer, starting from zero at the start of the transport. Once the
/// gradient has settled (after about two years) the two-box exchange time
///
///     τ = 2·(M_N − M_S) / E
///
/// (M_N, M_S the tracer masses of the northern and southern hemisphere) is constant. Two-box
/// model: dM_S/dt = (M_N − M_S)/τ; once the difference no longer grows, both hemispheres
/// gain E/2, so (M_N − M_S)/τ = E/2. The TransCom SF6 models give about 1.0–1.4 years.
public struct InterhemisphericExchangeTracer: Sendable, Equatable {
    /// Emission rate, kg s⁻¹ (default 8 Gg per 365-day year, about the SF6 emission of the 2010s).
    public var emissionRate: Double = 8e6 / (365 * 86_400)
    /// Latitude band of the source, degrees north (cell centres inside it emit).
    public var southernLatitude: Double = 30
    public var northernLatitude: Double = 60

    public init() {}

    /// The emitted mass per cell for `duration` seconds, kg, `[lat, lon]` (sums to E·duration).
    /// - Throws: `TransportError.invalidValue` when no cell centre lies in the band or a setting is bad.
    public func emission(grid: TransportGrid, duration: Double) throws(TransportError) -> [Double] {
        guard emissionRate.isFinite, emissionRate >= 0 else {
            throw .invalidValue(name: "exchange tracer emission rate", reason: "\(emissionRate) kg/s must be finite and ≥ 0")
        }
        guard southernLatitude < northernLatitude else {
            throw .invalidValue(name: "exchange tracer source band", reason: "\(southernLatitude)° … \(northernLatitude)° is empty")
        }
        let nlon = grid.longitudeCount
        let rows = (0..<grid.latitudeCount).filter {
            let degrees = grid.centreLatitude(row: $0) * 180 / .pi
            return degrees >= southernLatitude && degrees <= northernLatitude
        }
        guard !rows.isEmpty else {
            throw .invalidValue(name: "exchange tracer source band",
                                reason: "no cell centre of the grid lies in \(southernLatitude)° … \(northernLatitude)°")
        }
        let bandArea = rows.reduce(0.0) { $0 + grid.rowAreas[$1] * Double(nlon) }
        var out = [Double](repeating: 0, count: grid.cellCount)
        for j in rows {
            let perCell = emissionRate * duration * grid.rowAreas[j] / bandArea
            for i in 0..<nlon { out[j * nlon + i] = perCell }
        }
        return out
    }

    /// Tracer masses of the northern and southern hemisphere (rows with centre latitude > 0
    /// and < 0; all layers), kg (compensated sums).
    public static func hemisphericMasses(_ state: TracerMassState, tracer t: Int, grid: TransportGrid) -> (north: Double, south: Double) {
        let n = grid.cellCount, nlon = grid.longitudeCount
        var north: [Double] = [], south: [Double] = []
        north.reserveCapacity(state.levelCount * n / 2)
        south.reserveCapacity(state.levelCount * n / 2)
        for k in 0..<state.levelCount {
            for j in 0..<grid.latitudeCount {
                let phi = grid.centreLatitude(row: j)
                guard phi != 0 else { continue }
                let row = state.tracerMass[t][(k * n + j * nlon)..<(k * n + (j + 1) * nlon)]
                if phi > 0 { north.append(contentsOf: row) } else { south.append(contentsOf: row) }
            }
        }
        return (compensatedSum(north), compensatedSum(south))
    }

    /// τ = 2·(M_N − M_S)/E, seconds.
    public static func exchangeTime(north: Double, south: Double, emissionRate: Double) -> Double {
        2 * (north - south) / emissionRate
    }
}
