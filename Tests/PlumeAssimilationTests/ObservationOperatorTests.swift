import Foundation
import PlumeAssimilation
import PlumeGrids
import PlumeIO
import Testing

/// The observation operator on fields it must reproduce exactly, and its flags.
@Suite struct ObservationOperatorTests {
    typealias F = AssimilationFixtures

    func value(_ op: ObservationOperator, _ observation: Observation, _ states: [GriddedState]) throws -> Double {
        let location = try op.locate(observation, in: states, window: F.window).get()
        return try #require(ObservationPreparation.equivalent(location, variable: observation.variable, states: states))
    }

    @Test func bilinearIsExactForFieldsLinearInLatitudeAndLongitudeAndWrapsAtTheDateline() throws {
        let grid = try F.grid(step: 2)
        let state = try F.state(grid: grid, fields: ["t": { _, lat, lon in 250 + 0.3 * lat + 0.01 * lon }, "u": { _, lat, lon in 3 * lat + cos(lon * .pi / 180) }])
        let op = ObservationOperator()
        #expect(abs(try value(op, F.observation("t", latitude: 47.3, longitude: 123.7, value: 0), [state]) - (250 + 0.3 * 47.3 + 0.01 * 123.7)) < 1e-9)
        // Between 358° and 0°: the two columns' values, weighted.
        let wrapped = try value(op, F.observation("u", latitude: 1, longitude: 359.5, value: 0), [state])
        #expect(abs(wrapped - (3 + 0.25 * cos(358 * .pi / 180) + 0.75)) < 1e-9)
        let negative = try value(op, F.observation("u", latitude: 1, longitude: -0.5, value: 0), [state])
        #expect(abs(negative - wrapped) < 1e-12)
        // Poleward of the last row: that row's values.
        #expect(abs(try value(op, F.observation("u", latitude: 89.9, longitude: 10, value: 0), [state]) - (3 * 89 + cos(10 * .pi / 180))) < 1e-9)
        // Nearest.
        let nearest = ObservationOperator(horizontal: .nearest)
        #expect(try value(nearest, F.observation("t", latitude: 47.3, longitude: 123.7, value: 0), [state]) == 250 + 0.3 * 47 + 0.01 * 124)
    }

    @Test func pressureInterpolationIsLinearInLogPressure() throws {
        let grid = try F.grid(step: 10)
        let pressures = [100_000.0, 70_000, 30_000]
        let state = try F.state(grid: grid, levels: 3, fields: ["t": { k, _, _ in 200 + 20 * log(pressures[k]) }], pressures: pressures)
        let op = ObservationOperator()
        for p in [95_000.0, 70_000, 50_000, 31_000] {
            #expect(abs(try value(op, F.observation("t", latitude: 5, longitude: 5, value: 0, vertical: .pressurePa(p)), [state]) - (200 + 20 * log(p))) < 1e-9)
        }
        // Above the top: outside the domain. Just below the lowest level (within 200 m ≈ 2.5%): the lowest level.
        #expect(op.locate(F.observation("t", latitude: 5, longitude: 5, value: 0, vertical: .pressurePa(20_000)), in: [state], window: F.window).failureFlag == .outsideDomain)
        #expect(abs(try value(op, F.observation("t", latitude: 5, longitude: 5, value: 0, vertical: .pressurePa(101_500)), [state]) - (200 + 20 * log(100_000))) < 1e-9)
        #expect(op.locate(F.observation("t", latitude: 5, longitude: 5, value: 0, vertical: .pressurePa(104_000)), in: [state], window: F.window).failureFlag == .belowSurface)
        // A multi-level state needs a vertical position.
        #expect(op.locate(F.observation("t", latitude: 5, longitude: 5, value: 0), in: [state], window: F.window).failureFlag == .noVerticalCoordinate)
    }

    @Test func altitudeInterpolationUsesEachColumnsHeightsAndFlagsObservationsBelowTheSurface() throws {
        let grid = try F.grid(step: 10)
        // Level heights rise with longitude; the field is linear in height.
        let heights: [Double] = (0..<3).flatMap { k in (0..<18).flatMap { _ in (0..<36).map { j in 100 * Double(j) + 1000 * Double(k) } } }
        var state = try F.state(grid: grid, levels: 3, fields: ["t": { _, _, _ in 0 }])
        state.levelHeightsM = heights
        state.fields["t"] = heights.map { 288 - 0.0065 * $0 }
        state.surfaceHeightM = (0..<18).flatMap { _ in (0..<36).map { j in 100 * Double(j) } }
        let op = ObservationOperator()
        let t = try value(op, F.observation("t", latitude: 5, longitude: 55, value: 0, vertical: .altitudeM(1500)), [state])
        #expect(abs(t - (288 - 0.0065 * 1500)) < 1e-9)
        // At 55°E the surface is at 550 m: 190 m below is still used, 400 m below is not.
        #expect((try? op.locate(F.observation("t", latitude: 5, longitude: 55, value: 0, vertical: .altitudeM(360)), in: [state], window: F.window).get()) != nil)
        let below = op.locate(F.observation("t", latitude: 5, longitude: 55, value: 0, vertical: .altitudeM(150)), in: [state], window: F.window)
        #expect(below.failureFlag == .belowSurface)
        #expect(op.locate(F.observation("t", latitude: 5, longitude: 55, value: 0, vertical: .altitudeM(9000)), in: [state], window: F.window).failureFlag == .outsideDomain)
    }

    @Test func timeInterpolationIsLinearBetweenStatesAndTheWindowIsEnforced() throws {
        let grid = try F.grid(step: 10)
        var early = try F.state(grid: grid, fields: ["h": { _, _, _ in 100 }])
        early.time = CFDate(year: 2018, month: 11, day: 2, hour: 9)
        var late = try F.state(grid: grid, fields: ["h": { _, _, _ in 160 }])
        late.time = CFDate(year: 2018, month: 11, day: 2, hour: 15)
        let op = ObservationOperator()
        let at = { (hour: Int, minute: Int) throws -> Double in
            try self.value(op, F.observation("h", latitude: 0, longitude: 0, value: 0, time: CFDate(year: 2018, month: 11, day: 2, hour: hour, minute: minute)), [early, late])
        }
        #expect(abs(try at(12, 0) - 130) < 1e-9)
        #expect(abs(try at(10, 30) - 115) < 1e-9)
        #expect(abs(try at(15, 0) - 160) < 1e-9)
        let outside = op.locate(F.observation("h", latitude: 0, longitude: 0, value: 0, time: CFDate(year: 2018, month: 11, day: 2, hour: 16)), in: [early, late], window: F.window)
        #expect(outside.failureFlag == .outsideWindow)
    }

    @Test func regionalGridsFlagPositionsOutsideThem() throws {
        let grid = try RegularLatLonGrid(name: "europe", firstLatitude: 35, latitudeStep: 1, latitudeCount: 36, firstLongitude: -10, longitudeStep: 1, longitudeCount: 51)
        let state = try GriddedState(grid: grid, time: F.time, fields: ["t": [Double](repeating: 280, count: 36 * 51)])
        let op = ObservationOperator()
        #expect((try? op.locate(F.observation("t", latitude: 50, longitude: 5, value: 0), in: [state], window: F.window).get()) != nil)
        #expect(op.locate(F.observation("t", latitude: 20, longitude: 5, value: 0), in: [state], window: F.window).failureFlag == .outsideDomain)
        #expect(op.locate(F.observation("t", latitude: 50, longitude: 100, value: 0), in: [state], window: F.window).failureFlag == .outsideDomain)
        #expect(op.locate(F.observation("t", latitude: .nan, longitude: 5, value: 0), in: [state], window: F.window).failureFlag == .outsideDomain)
    }

    @Test func errorTableChoosesTheMostSpecificEntry() {
        let table = ObservationErrorTable(entries: [.init(variable: "t", sigma: 1.5), .init(variable: "t", sitePrefix: "10", sigma: 0.8),
                                                    .init(variable: "t", sitePrefix: "104", sigma: 0.5)])
        var o = F.observation("t", latitude: 0, longitude: 0, value: 280)
        o.site = "10400"
        #expect(table.sigma(for: o) == 0.5)
        o.site = "10100"
        #expect(table.sigma(for: o) == 0.8)
        o.site = "72000"
        #expect(table.sigma(for: o) == 1.5)
        o.sigma = 2
        #expect(table.sigma(for: o) == 2)
        #expect(ObservationErrorTable(entries: table.entries, overridesFiles: true).sigma(for: o) == 1.5)
    }
}

extension Result where Failure == FlagReason {
    var failureFlag: ObservationFlag? {
        if case .failure(let reason) = self { return reason.flag }
        return nil
    }
}
