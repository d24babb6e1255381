import Foundation
import PlumeIO

/// A small CarbonBench-like transport file on latlon5.625 (32×64) written with PlumeIO:
/// smooth analytic fields, `records` 6-hourly records from 2000-01-01, `levels` levels.
/// Variables: co2massmix, airmass, u, v [time, level, lat, lon]; blh, co2flux_land/ocean/anthro
/// [time, lat, lon]; orography, cell_area [lat, lon]. `corrupt` lets a test damage values.
/// Used by the emulator tests and by `plume bench emulators` when no data is given.
package enum SyntheticTransportData {
    package static let latitudes = (0..<32).map { -87.1875 + 5.625 * Double($0) }
    package static let longitudes = (0..<64).map { 5.625 * Double($0) }

    package static func write(to path: String, records: Int = 12, levels: Int = 2, startHours: Double = 0,
                      omit: Set<String> = [], descendingLatitudes: Bool = false, corrupt: ((String, inout [Float]) -> Void)? = nil) throws {
        let nLat = 32, nLon = 64, cells = nLat * nLon
        var area: [Float] = []
        for lat in latitudes {
            let south = (lat - 2.8125) * .pi / 180, north = (lat + 2.8125) * .pi / 180
            let a = 6.3781e6 * 6.3781e6 * (sin(north) - sin(south)) * (5.625 * .pi / 180)
            area += Array(repeating: Float(a), count: nLon)
        }
        func field3(_ f: (Int, Int, Int, Int) -> Double) -> [Float] {
            var out: [Float] = []
            out.reserveCapacity(records * levels * cells)
            for t in 0..<records { for l in 0..<levels { for i in 0..<nLat { for j in 0..<nLon { out.append(Float(f(t, l, i, j))) } } } }
            return out
        }
        func field2(_ f: (Int, Int, Int) -> Double) -> [Float] {
            var out: [Float] = []
            for t in 0..<records { for i in 0..<nLat { for j in 0..<nLon { out.append(Float(f(t, i, j))) } } }
            return out
        }
        func phase(_ t: Int, _ j: Int) -> Double { 2 * .pi * Double(j) / 64 - 0.3 * Double(t) }
        var values: [String: [Float]] = [
            "co2massmix": field3 { t, l, i, j in 600 + 3 * sin(Double(i) / 5 + Double(l)) + 2 * cos(phase(t, j)) },
            "airmass": field3 { t, l, i, j in Double(area[i * nLon]) / 4e8 * (1 + 0.3 * Double(l)) * (1 + 0.01 * sin(phase(t, j))) },
            "u": field3 { t, l, i, j in 10 * cos(Double(i - 16) / 10) + Double(l) + sin(phase(t, j)) },
            "v": field3 { t, l, i, j in 2 * sin(phase(t, j) + Double(i)) },
            "blh": field2 { t, i, j in 600 + 300 * sin(phase(t, j)) },
            "co2flux_land": field2 { t, i, j in 1e-8 * sin(phase(t, j) + Double(i) / 3) },
            "co2flux_ocean": field2 { _, i, _ in -5e-10 * (1 + cos(Double(i) / 4)) },
            "co2flux_anthro": field2 { _, i, j in i > 20 && i < 26 && j % 7 == 0 ? 5e-8 : 0 },
        ]
        var statics: [String: [Float]] = [
            "orography": (0..<cells).map { Float(max(0, 1500 * sin(Double($0 % nLon) / 10) * cos(Double($0 / nLon) / 6))) },
            "cell_area": area,
        ]
        if let corrupt {
            for key in values.keys.sorted() { corrupt(key, &values[key, default: []]) }
            for key in statics.keys.sorted() { corrupt(key, &statics[key, default: []]) }
        }
        var variables: [Variable] = [
            Variable(name: "time", dimensions: ["time"], shape: [records],
                     attributes: [Attribute("units", .text("hours since 2000-01-01 00:00:00")), Attribute("calendar", .text("standard"))],
                     data: .float64((0..<records).map { startHours + 6 * Double($0) })),
            Variable(name: "level", dimensions: ["level"], shape: [levels], attributes: [Attribute("units", .text("hPa"))],
                     data: .float64((0..<levels).map { 1000 - 100 * Double($0) })),
            Variable(name: "lat", dimensions: ["lat"], shape: [nLat], attributes: [Attribute("units", .text("degrees_north"))],
                     data: .float64(descendingLatitudes ? latitudes.reversed() : latitudes)),
            Variable(name: "lon", dimensions: ["lon"], shape: [nLon], attributes: [Attribute("units", .text("degrees_east"))],
                     data: .float64(longitudes)),
        ]
        for name in ["cell_area", "orography"] where !omit.contains(name) {
            variables.append(Variable(name: name, dimensions: ["lat", "lon"], shape: [nLat, nLon], data: .float32(statics[name] ?? [])))
        }
        for name in ["co2massmix", "airmass", "u", "v"] where !omit.contains(name) {
            variables.append(Variable(name: name, dimensions: ["time", "level", "lat", "lon"], shape: [records, levels, nLat, nLon],
                                      data: .float32(values[name] ?? [])))
        }
        for name in ["blh", "co2flux_land", "co2flux_ocean", "co2flux_anthro"] where !omit.contains(name) {
            variables.append(Variable(name: name, dimensions: ["time", "lat", "lon"], shape: [records, nLat, nLon],
                                      data: .float32(values[name] ?? [])))
        }
        let dataset = Dataset(dimensions: [Dimension(name: "time", length: records), Dimension(name: "level", length: levels),
                                           Dimension(name: "lat", length: nLat), Dimension(name: "lon", length: nLon)],
                              variables: variables)
        try NetCDFWriter(deflateLevel: 1).write(dataset, to: path)
    }
}
