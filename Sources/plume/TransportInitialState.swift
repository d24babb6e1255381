import ArgumentParser
import Foundation
import PlumeIO
import PlumeIngest

/// The initial CO2 of `plume transport --init`: `co2massmix` of a file (CarbonBench's name
/// and layout, as in the data `plume generate carbonbench-mini` writes and the rollouts
/// `plume rollout` writes) at one date.
enum TransportInitialState {
    /// Mass mixing ratio, kg kg⁻¹, `[level, lat, lon]` (level 0 the lowest layer), of
    /// `co2massmix` in `path` at `date`.
    ///
    /// The file's grid must be `latitudes` × `longitudes` (degrees, the transport grid's
    /// cell centres, rows south to north) and it must have `levels` layers.
    /// - Throws: `ValidationError` naming the file, the variable and what was expected.
    static func read(path: String, date: CFDate, latitudes: [Double], longitudes: [Double], levels: Int) throws -> [Double] {
        let file: NetCDFFile
        do { file = try NetCDFFile(path: path) } catch { throw ValidationError("--init \(path): cannot be read as netCDF: \(error)") }
        let dataset = file.dataset
        guard let variable = dataset.variable("co2massmix") else {
            throw ValidationError("--init \(path): no variable 'co2massmix' (expected the CO2 mass mixing ratio, [time, level, lat, lon])")
        }
        guard variable.dimensions.count == 4 else {
            throw ValidationError("--init \(path): 'co2massmix' has dimensions \(variable.dimensions) (expected [time, level, lat, lon])")
        }
        let scale: Double
        switch (variable.units ?? "").trimmingCharacters(in: .whitespaces) {
        case "1e-6 kg kg-1", "1e-6 kg/kg", "mg kg-1", "mg/kg", "1e-6": scale = 1e-6
        case "kg kg-1", "kg/kg", "1": scale = 1
        case let other:
            throw ValidationError("--init \(path): 'co2massmix' has units '\(other)' (expected 1e-6 kg kg-1 or kg kg-1)")
        }
        guard variable.shape[1] == levels else {
            throw ValidationError("--init \(path): 'co2massmix' has \(variable.shape[1]) levels (expected \(levels), those of --levels)")
        }
        func coordinate(_ names: [String]) -> [Double]? {
            names.lazy.compactMap { dataset.variable($0) }.first.flatMap { try? file.read($0.name) }
        }
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 } }
        guard let lat = coordinate(GridFromData.latitudeNames), same(lat, latitudes),
              let lon = coordinate(GridFromData.longitudeNames), same(lon, longitudes) else {
            throw ValidationError("--init \(path): its latitude/longitude coordinates are not those of --grid "
                + "(\(latitudes.count) × \(longitudes.count) cell centres, rows south to north; expected the same grid in the same order)")
        }
        let timeName = variable.dimensions[0]
        guard let time = dataset.variables.first(where: { $0.name == timeName && $0.dimensions == [timeName] }), let units = time.units else {
            throw ValidationError("--init \(path): no time coordinate '\(timeName)' with units")
        }
        let cf: CFTimeUnits
        do { cf = try CFTimeUnits(units: units, calendar: time.attributes["calendar"]?.text) } catch {
            throw ValidationError("--init \(path): time units '\(units)': \(error)")
        }
        let times = try file.read(timeName)
        let wanted = cf.value(of: date)
        guard let record = times.firstIndex(where: { abs($0 - wanted) * cf.secondsPerUnit < 1 }) else {
            let range = times.isEmpty ? "no records" : "\(cf.date(times[0])) … \(cf.date(times[times.count - 1]))"
            throw ValidationError("--init \(path): no record at \(date) (it covers \(range))")
        }
        let values = try file.read("co2massmix", Hyperslab(start: [record, 0, 0, 0], count: [1, levels, latitudes.count, longitudes.count]))
        if let bad = values.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw ValidationError("--init \(path): 'co2massmix' at \(date) is \(values[bad]) at element \(bad) (expected finite values ≥ 0)")
        }
        return values.map { $0 * scale }
    }
}
