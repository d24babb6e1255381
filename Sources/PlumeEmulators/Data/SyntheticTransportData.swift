import Foundation
import PlumeIO

/// A small CarbonBench-like transport file on latlon5.625 (32×64) written with PlumeIO:
/// smooth analytic fields, `records` 6-hourly records from 2000-01-01, `levels` levels; or on
/// another regular global grid (`latitudes`, `longitudes`: cell centres, evenly spaced), with
/// the same fields at the same fractions of the grid (LowRes's values unchanged).
/// Variables: co2massmix, airmass, u, v [time, level, lat, lon]; blh, co2flux_land/ocean/anthro
/// [time, lat, lon]; orography, cell_area [lat, lon]. `corrupt` lets a test damage values.
/// Used by the emulator tests and by `plume bench emulators` when no data is given.
package enum SyntheticTransportData {
    package static let latitudes = (0..<32).map { -87.1875 + 5.625 * Double($0) }
    package static let longitudes = (0..<64).map { 5.625 * Double($0) }

    package static func write(to path: String, records: Int = 12, levels: Int = 2, startHours: Double = 0,
                      omit: Set<String> = [], descendingLatitudes: Bool = false,
                      latitudes: [Double] = SyntheticTransportData.latitudes, longitudes: [Double] = SyntheticTransportData.longitudes,
                      corrupt: ((String, inout [Float]) -> Void)? = nil) throws {
        let nLat = latitudes.count, nLon = longitudes.count, cells = nLat * nLon
        guard nLat >= 2, nLon >= 2 else { throw SyntheticDataError(message: "a grid of at least 2 × 2 cells, not \(nLat) × \(nLon)") }
        let dLat = latitudes[1] - latitudes[0], dLon = longitudes[1] - longitudes[0]
        // Indices scaled to LowRes's 32 × 64 (exactly the indices there), so that every field
        // has the same shape on any grid.
        func si(_ i: Int) -> Double { Double(i) * 32 / Double(nLat) }
        func sj(_ j: Int) -> Double { Double(j) * 64 / Double(nLon) }
        var area: [Float] = []
        for lat in latitudes {
            let south = (lat - dLat / 2) * .pi / 180, north = (lat + dLat / 2) * .pi / 180
            let a = 6.3781e6 * 6.3781e6 * (sin(north) - sin(south)) * (dLon * .pi / 180)
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
        func phase(_ t: Int, _ j: Int) -> Double { 2 * .pi * Double(j) / Double(nLon) - 0.3 * Double(t) }
        var values: [String: [Float]] = [
            "co2massmix": field3 { t, l, i, j in 600 + 3 * sin(si(i) / 5 + Double(l)) + 2 * cos(phase(t, j)) },
            "airmass": field3 { t, l, i, j in Double(area[i * nLon]) / 4e8 * (1 + 0.3 * Double(l)) * (1 + 0.01 * sin(phase(t, j))) },
            "u": field3 { t, l, i, j in 10 * cos((si(i) - 16) / 10) + Double(l) + sin(phase(t, j)) },
            "v": field3 { t, l, i, j in 2 * sin(phase(t, j) + si(i)) },
            "blh": field2 { t, i, j in 600 + 300 * sin(phase(t, j)) },
            "co2flux_land": field2 { t, i, j in 1e-8 * sin(phase(t, j) + si(i) / 3) },
            "co2flux_ocean": field2 { _, i, _ in -5e-10 * (1 + cos(si(i) / 4)) },
            "co2flux_anthro": field2 { _, i, j in si(i) > 20 && si(i) < 26 && Int(sj(j)) % 7 == 0 ? 5e-8 : 0 },
        ]
        var statics: [String: [Float]] = [
            "orography": (0..<cells).map { Float(max(0, 1500 * sin(sj($0 % nLon) / 10) * cos(si($0 / nLon) / 6))) },
            "cell_area": area,
        ]
        if let corrupt {
            for key in values.keys.sorted() { corrupt(key, &values[key, default: []]) }
            for key in statics.keys.sorted() { corrupt(key, &statics[key, default: []]) }
        }
        // hPa: 100 apart (LowRes's ten levels), or evenly from 1000 to 50 for more.
        let levelValues: [Double] = (0..<levels).map { (l: Int) -> Double in
            let index = Double(l)
            return levels <= 10 ? 1000 - 100 * index : 1000 - 950 * index / Double(levels - 1)
        }
        var variables: [Variable] = [
            Variable(name: "time", dimensions: ["time"], shape: [records],
                     attributes: [Attribute("units", .text("hours since 2000-01-01 00:00:00")), Attribute("calendar", .text("standard"))],
                     data: .float64((0..<records).map { startHours + 6 * Double($0) })),
            Variable(name: "level", dimensions: ["level"], shape: [levels], attributes: [Attribute("units", .text("hPa"))],
                     data: .float64(levelValues)),
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

/// A grid that `SyntheticTransportData.write` cannot fill.
package struct SyntheticDataError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { "synthetic data: \(message)" }
}
