import Foundation
import PlumeGrids
import PlumeRegrid
import Testing
import PlumeVerify

/// The analytic test fields of the regridding benchmark (Y2_2, Y16_32, vortex), their
/// error norms, and a convergence check: first-order conservative remapping of Y2_2
/// gets more accurate as both grids are refined.
@Suite("Test fields and error norms")
struct TestFieldsTests {
    @Test("Y2_2 and Y16_32 at known points")
    func harmonics() {
        #expect(abs(TestField.y2_2.value(latitude: 0, longitude: 0) - 3) < 1e-15)
        #expect(abs(TestField.y2_2.value(latitude: 0, longitude: 90) - 1) < 1e-15)
        #expect(abs(TestField.y2_2.value(latitude: 60, longitude: 0) - 2.25) < 1e-15)
        #expect(abs(TestField.y2_2.value(latitude: 90, longitude: 37) - 2) < 1e-15)
        #expect(abs(TestField.y16_32.value(latitude: 45, longitude: 0) - 3) < 1e-15)
        #expect(abs(TestField.y16_32.value(latitude: 45, longitude: 11.25) - 1) < 1e-15)
        #expect(abs(TestField.y16_32.value(latitude: -45, longitude: 22.5) - 3) < 1e-14)
        #expect(abs(TestField.y16_32.value(latitude: 0, longitude: 5) - 2) < 1e-15)
        #expect(abs(TestField.y16_32.value(latitude: 90, longitude: 5) - 2) < 1e-15)
    }

    /// Reference values from an independent transcription of TempestRemap's
    /// `TestFunctionVortex` (Python, float64).
    @Test("vortex against TempestRemap's formula", arguments: [
        (10.0, 20.0, 1.2325019396343266), (-45, 200, 0.9981379679270315),
        (0, 0, 1.2912984820594535), (60, -90, 1.2397086610531538),
    ])
    func vortex(_ latitude: Double, _ longitude: Double, _ expected: Double) {
        let v = TestField.vortex.value(latitude: latitude, longitude: longitude)
        #expect(abs(v - expected) < 1e-13, "vortex(\(latitude), \(longitude)) = \(v)")
    }

    @Test("vortex is 1 at its centre and stays in (0, 2)")
    func vortexShape() {
        #expect(abs(TestField.vortex.value(latitude: 0.6 * 180 / .pi, longitude: 0) - 1) < 1e-12)
        for lat in stride(from: -90.0, through: 90, by: 7.5) {
            for lon in stride(from: 0.0, to: 360, by: 7.5) {
                let v = TestField.vortex.value(latitude: lat, longitude: lon)
                #expect(v > 0 && v < 2)
            }
        }
    }

    @Test("norms: zero for the reference itself, known values for a constant offset")
    func norms() throws {
        let reference = [1.0, 2, 4], areas = [1.0, 1, 2]
        let exact = try ErrorNorms(computed: reference, reference: reference, areas: areas)
        #expect(exact.l1 == 0 && exact.l2 == 0 && exact.lInfinity == 0)
        let shifted = try ErrorNorms(computed: reference.map { $0 + 0.5 }, reference: reference, areas: areas)
        #expect(abs(shifted.l1 - 2.0 / 11) < 1e-15)                     // 0.5·4 / (1 + 2 + 8)
        #expect(abs(shifted.l2 - (1.0 / 37).squareRoot()) < 1e-15)      // √(0.25·4 / (1 + 4 + 32))
        #expect(abs(shifted.lInfinity - 0.125) < 1e-15)
        let holes = try ErrorNorms(computed: [Float.nan, 2, 4], reference: reference, areas: areas)
        #expect(holes.skipped == 1 && holes.l1 == 0)
    }

    @Test("cell averages: exact for a constant, Y2_2's mean over the sphere is 2")
    func cellAverages() throws {
        let grid = try RegularLatLonGrid.global(name: "r36x18", latitudeCount: 18, longitudeCount: 36)
        let averages = TestField.y2_2.cellAverages(on: grid)
        let areas = grid.cellAreas()
        let mean = zip(averages, areas).reduce(0) { $0 + $1.0 * $1.1 } / (4 * .pi)
        #expect(abs(mean - 2) < 1e-13)
        // A cell average lies between the extremes of the field over the cell.
        let centres = TestField.y2_2.values(at: grid.centres())
        #expect(zip(averages, centres).allSatisfy { abs($0 - $1) < 0.05 })
    }

    @Test("conservative Y2_2 errors shrink as both grids are refined")
    func convergence() throws {
        var previous: (centre: ErrorNorms, average: ErrorNorms)?
        for n in [18, 36, 72] {
            let source = try RegularLatLonGrid.global(name: "src", latitudeCount: 2 * n, longitudeCount: 4 * n)
            let destination = try RegularLatLonGrid.global(name: "dst", latitudeCount: n, longitudeCount: 2 * n)
            let remapper = Remapper(ConservativeWeights.make(from: source, to: destination))
            let result = try remapper.apply(TestField.y2_2.values(at: source.centres()))
            let areas = destination.cellAreas()
            let centre = try ErrorNorms(computed: result, reference: TestField.y2_2.values(at: destination.centres()), areas: areas)
            let average = try ErrorNorms(computed: result, reference: TestField.y2_2.cellAverages(on: destination), areas: areas)
            if let previous {
                // Second order in the cell size: halving it should divide the errors by ~4.
                #expect(centre.l2 < previous.centre.l2 / 3, "n=\(n): \(centre) after \(previous.centre)")
                #expect(centre.lInfinity < previous.centre.lInfinity / 2.5, "n=\(n): \(centre) after \(previous.centre)")
                #expect(average.l2 < previous.average.l2 / 3, "n=\(n): \(average) after \(previous.average)")
            }
            #expect(centre.l2 < 1e-2)
            previous = (centre, average)
        }
    }
}
