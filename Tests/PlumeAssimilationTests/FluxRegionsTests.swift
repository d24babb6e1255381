import Foundation
import PlumeAssimilation
import PlumeSupport
import Testing

/// Latitude-band regions of the flux inversion: scaling a region's flux scales exactly its
/// total and no other, and every cell belongs to one band.
@Suite struct FluxRegionsTests {
    static let latitudes = (0..<32).map { -90 + 5.625 * (Double($0) + 0.5) }

    @Test func scalingARegionScalesItsTotalAndNoOther() throws {
        let regions = try FluxRegions(edgesDegrees: [-90, -30, 0, 30, 90], latitudes: Self.latitudes, longitudeCount: 64)
        #expect(regions.count == 8)
        #expect(regions.names == ["land 90S-30S", "ocean 90S-30S", "land 30S-0", "ocean 30S-0", "land 0-30N", "ocean 0-30N", "land 30N-90N", "ocean 30N-90N"])
        #expect(regions.bandOfRow.filter { $0 == 0 }.count == 11)   // rows centred south of 30°S: −87.2 … −30.9
        var random = SeededRandom(seed: 4)
        let land = (0..<(32 * 64)).map { _ in random.normal() }, ocean = (0..<(32 * 64)).map { _ in random.normal() }
        let area = Self.latitudes.flatMap { lat in [Double](repeating: cos(lat * .pi / 180), count: 64) }
        let prior = try regions.totals(land: land, ocean: ocean, cellArea: area)
        let factors = [0.5, 1.5, 2, 1, 1, 0.25, 3, 0.8]
        let zero = [Double](repeating: 0, count: 32 * 64)
        let landOnly = try regions.totals(land: try regions.scaled(land: land, ocean: zero, factors: factors), ocean: zero, cellArea: area)
        let oceanOnly = try regions.totals(land: zero, ocean: try regions.scaled(land: zero, ocean: ocean, factors: factors), cellArea: area)
        for b in 0..<4 {
            #expect(abs(landOnly[2 * b] - factors[2 * b] * prior[2 * b]) < 1e-9)
            #expect(abs(oceanOnly[2 * b + 1] - factors[2 * b + 1] * prior[2 * b + 1]) < 1e-9)
        }
        // With every factor 1 the fluxes are the prior's, cell by cell.
        let unscaled = try regions.scaled(land: land, ocean: ocean, factors: [Double](repeating: 1, count: 8))
        #expect(zip(unscaled, zip(land, ocean)).allSatisfy { abs($0 - ($1.0 + $1.1)) < 1e-15 })
    }

    @Test func badEdgesAndShapesAreRefused() throws {
        #expect(throws: AssimilationError.self) { _ = try FluxRegions(edgesDegrees: [-90, 30, 0, 90], latitudes: Self.latitudes, longitudeCount: 64) }
        #expect(throws: AssimilationError.self) { _ = try FluxRegions(edgesDegrees: [-80, 90], latitudes: Self.latitudes, longitudeCount: 64) }
        // A band narrower than a row holds no row.
        #expect(throws: AssimilationError.self) { _ = try FluxRegions(edgesDegrees: [-90, 0, 1, 90], latitudes: Self.latitudes, longitudeCount: 64) }
        let regions = try FluxRegions(edgesDegrees: [-90, 0, 90], latitudes: Self.latitudes, longitudeCount: 64)
        #expect(throws: AssimilationError.self) { _ = try regions.scaled(land: [1], ocean: [1], factors: [1, 1, 1, 1]) }
    }
}
