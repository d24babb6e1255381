import Foundation
import PlumeAssimilation
import PlumeGrids
import PlumeIO
import PlumeSupport

/// Grids, states and random numbers for the analysis tests.
enum AssimilationFixtures {
    static let time = CFDate(year: 2018, month: 11, day: 2, hour: 12)
    static let window = CFDate(year: 2018, month: 11, day: 2, hour: 9)...CFDate(year: 2018, month: 11, day: 2, hour: 15)

    /// A global grid of `step`° cells with centres at −90 + step/2 … and 0, step, ….
    static func grid(step: Double) throws -> RegularLatLonGrid {
        try RegularLatLonGrid(name: "g\(step)", firstLatitude: -90 + step / 2, latitudeStep: step, latitudeCount: Int(180 / step),
                              firstLongitude: 0, longitudeStep: step, longitudeCount: Int(360 / step))
    }

    static func state(grid: RegularLatLonGrid, levels: Int = 1, fields: [String: (Int, Double, Double) -> Double],
                      pressures: [Double]? = nil) throws -> GriddedState {
        var values: [String: [Double]] = [:]
        for (name, f) in fields {
            var v: [Double] = []
            for k in 0..<levels {
                for i in 0..<grid.latitudeCount {
                    for j in 0..<grid.longitudeCount {
                        v.append(f(k, grid.firstLatitude + Double(i) * grid.latitudeStep, grid.firstLongitude + Double(j) * grid.longitudeStep))
                    }
                }
            }
            values[name] = v
        }
        return try GriddedState(grid: grid, levelCount: levels, time: time, fields: values, levelPressuresPa: pressures)
    }

    static func observation(_ variable: String, latitude: Double, longitude: Double, value: Double, sigma: Double? = nil,
                            vertical: Observation.Vertical? = nil, time: CFDate = time) -> Observation {
        Observation(time: time, latitude: latitude, longitude: longitude, vertical: vertical, variable: variable, value: value,
                    sigma: sigma, site: "test", source: "test")
    }
}

/// Reproducible random numbers for the tests.
typealias TestRandom = SeededRandom
