import Foundation
import PlumeIO

/// The cycles of an inbox: each file matching the pattern, at the first time it holds
/// (its `time` or `valid_time` coordinate; GRIB and netCDF alike).
enum InboxScanner {
    static func scan(folder: String, pattern: String, calendar: CFCalendar) throws(PipelineError) -> [(date: CFDate, file: String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw .io(path: folder, reason: "the inbox folder cannot be listed (create it, and drop analyses into it)")
        }
        var found: [String: (CFDate, String)] = [:]
        for name in names.sorted() where fnmatch(pattern, name, 0) == 0 && !name.hasPrefix(".") {
            let path = folder + "/" + name
            let date = try firstTime(path)
            if let other = found[date.isoDateTime] {
                throw .io(path: path, reason: "holds the analysis time \(date.isoDateTime), as \(other.1) does: one file per cycle")
            }
            found[date.isoDateTime] = (date, path)
        }
        return found.values.sorted { $0.0 < $1.0 }.map { (date: $0.0, file: $0.1) }
    }

    /// The first time of a file.
    static func firstTime(_ path: String) throws(PipelineError) -> CFDate {
        let loaded: DatasetLoader.Loaded
        do { loaded = try DatasetLoader.load(path) } catch { throw .io(path: path, reason: "not a readable GRIB or netCDF file: \(error)") }
        for name in ["time", "valid_time", "t"] {
            guard let variable = loaded.dataset.variables.first(where: { $0.name == name }),
                  let units = variable.attributes["units"]?.text else { continue }
            let calendarName = variable.attributes["calendar"]?.text
            guard let clock = try? CFTimeUnits(units: units, calendar: calendarName),
                  let first = variable.data?.doubles.first else { continue }
            return clock.date(first)
        }
        throw .io(path: path, reason: "no time coordinate (time or valid_time with CF units): the inbox needs the analysis time")
    }
}
