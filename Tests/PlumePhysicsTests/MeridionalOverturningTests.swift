import Foundation
import PlumeGrids
@testable import PlumePhysics
@testable import PlumeCarbonBench
import Testing
import PlumeConservation

/// The prescribed Hadley cells (`MeridionalOverturning`) added to the CarbonBench-mini
/// winds: column-non-divergent, air mass kept by the vertical fluxes, the right sense of
/// rotation and seasonality, and faster interhemispheric exchange.
@Suite("meridional overturning (Hadley cells)")
struct MeridionalOverturningTests {
    static func geometry() throws -> Transport3DGeometry {
        try Transport3DGeometry(grid: TransportGrid(latitudeCount: 32, longitudeCount: 64),
                                levels: Transport3DGeometry.carbonBenchLevels(count: 10))
    }

    @Test("layer fluxes sum to zero in every column; sense of rotation and seasons as observed")
    func shapeAndSense() throws {
        let geometry = try Self.geometry()
        let hadley = MeridionalOverturning()
        let january = 15 * PhysicalConstants.day, july = 196 * PhysicalConstants.day
        #expect(hadley.itczLatitude(time: january) < -5 * .pi / 180)
        #expect(hadley.itczLatitude(time: july) > 5 * .pi / 180)
        // January: the northern (winter) cell is strong and reaches south of the equator.
        let nJan = hadley.latitudinalShape(latitude: 15 * .pi / 180, time: january)
        let sJan = hadley.latitudinalShape(latitude: -15 * .pi / 180, time: january)
        #expect(nJan > 1.5e11 && sJan > -0.5e11 && sJan < 0)
        #expect(hadley.latitudinalShape(latitude: -2 * .pi / 180, time: january) > 0)
        #expect(hadley.latitudinalShape(latitude: 40 * .pi / 180, time: january) == 0)

        let grid = geometry.grid, nlat = grid.latitudeCount, nlon = grid.longitudeCount, L = geometry.levelCount
        let flux = hadley.northwardFluxes(geometry: geometry, from: january, duration: 3600)
        var largest = 0.0, worstColumn = 0.0
        for f in 1..<nlat {
            for i in 0..<nlon {
                var column = 0.0
                for k in 0..<L {
                    column += flux[(k * (nlat + 1) + f) * nlon + i]
                    largest = max(largest, abs(flux[(k * (nlat + 1) + f) * nlon + i]))
                }
                worstColumn = max(worstColumn, abs(column))
            }
        }
        print("largest layer flux \(largest) kg per face and hour, worst column sum \(worstColumn)")
        #expect(largest > 1e9)
        #expect(worstColumn < 1e-12 * largest)
        // At 15°N in January: equatorward in the lowest layer, poleward in the upper troposphere.
        let face = nlat / 2 + 3  // edge at 16.875°N
        #expect(flux[(0 * (nlat + 1) + face) * nlon] < 0)
        #expect(flux[(7 * (nlat + 1) + face) * nlon] > 0)
        // The zonal-mean wind agrees with the face fluxes (uniform surface pressure).
        let phi = grid.latitudeEdges[face], ps = geometry.surfacePressure[0]
        let p = geometry.levels.interfacePressures(surfacePressure: ps)
        let t = january + 1800
        for k in [0, 4, 7] {
            let v = hadley.meridionalWind(latitude: phi, bottom: p[k], top: p[k + 1], surfacePressure: ps, time: t)
            let expected = v * (p[k] - p[k + 1]) / PhysicalConstants.standardGravity * grid.radius * cos(phi) * grid.longitudeStep * 3600
            #expect(abs(flux[(k * (nlat + 1) + face) * nlon] / expected - 1) < 1e-12, "layer \(k): v = \(v) m/s")
        }
    }

    /// Zero weather winds plus the Hadley cells for 10 days in January: the air mass stays,
    /// the budget closes, and a tracer released in the northern tropics reaches the south.
    @Test("air mass kept, budget closed, northern tropical tracer crosses the equator")
    func crossEquatorialTransport() throws {
        let geometry = try Self.geometry()
        let grid = geometry.grid, nlat = grid.latitudeCount, nlon = grid.longitudeCount, L = geometry.levelCount, n = nlat * nlon
        let zero = [Double](repeating: 0, count: (nlat + 1) * nlon)
        var blob = [Double](repeating: 0, count: L * n)
        for k in 0..<3 {
            for j in (nlat / 2 + 1)...(nlat / 2 + 3) { for i in 0..<nlon { blob[k * n + j * nlon + i] = 1e-6 } }
        }
        func southernShare(hadley: MeridionalOverturning?) throws -> (share: Double, drift: Double, budget: Double) {
            var model = try Transport3DModel(geometry: geometry,
                                             winds: CarbonBenchWindSnapshot(cornerStreamfunction: zero, factors: [Double](repeating: 1, count: L),
                                                                            overturning: hadley))
            model.airMassTolerance = 1e-12
            var state = try model.makeState(mixingRatios: [blob])
            let start = state.totalTracerMass(0)
            var drift = 0.0
            for step in 0..<(10 * 24) {
                let report = try model.step(&state, time: Double(step) * 3600, duration: 3600)
                drift = max(drift, report.airMassDrift)
            }
            var south = 0.0
            for k in 0..<L { for c in 0..<(n / 2) { south += state.tracerMass[0][k * n + c] } }
            return (south / start, drift, abs(state.totalTracerMass(0) / start - 1))
        }
        let without = try southernShare(hadley: nil)
        let with = try southernShare(hadley: MeridionalOverturning())
        print("southern share after 10 days: without \(without.share), with Hadley cells \(with.share); drift \(with.drift), budget \(with.budget)")
        #expect(with.drift < 1e-12)
        #expect(with.budget < 1e-13)
        #expect(with.share > 0.005)
        #expect(with.share > 5 * without.share)
    }
}
