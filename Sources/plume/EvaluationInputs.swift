import ArgumentParser
import Foundation
import PlumeIO

/// A netCDF file (truth or rollout) with a CF `time` axis decoded to absolute seconds since
/// 2000-01-01 00:00 in its calendar, and its horizontal grid, for `plume evaluate`.
final class TimedFile {
    let path: String
    let file: NetCDFFile
    /// Seconds since 2000-01-01 00:00 of each record (strictly increasing).
    let seconds: [Double]
    let epoch: CFTimeUnits
    let latitudeName: String
    let longitudeName: String
    let latitudes: [Double]
    let longitudes: [Double]

    init(path: String, role: String) throws {
        self.path = path
        do { file = try NetCDFFile(path: path) } catch { throw ValidationError("\(role) \(path): cannot open: \(error)") }
        guard let time = file.dataset.variable("time"), time.shape.count == 1 else {
            throw ValidationError("\(role) \(path): no one-dimensional 'time' coordinate")
        }
        guard let units = time.units else { throw ValidationError("\(role) \(path): 'time' has no units attribute") }
        let cf: CFTimeUnits
        do { cf = try CFTimeUnits(units: units, calendar: time.attributes["calendar"]?.text) } catch {
            throw ValidationError("\(role) \(path): time units '\(units)': \(error)")
        }
        epoch = CFTimeUnits(secondsPerUnit: 1, reference: CFDate(year: 2000, month: 1, day: 1), calendar: cf.calendar)
        let values = try file.read("time")
        var decoded: [Double] = []
        for v in values {
            do { decoded.append(epoch.value(of: try cf.checkedDate(v)).rounded()) } catch {
                throw ValidationError("\(role) \(path): time value \(v): \(error)")
            }
        }
        guard !decoded.isEmpty else { throw ValidationError("\(role) \(path): 'time' has no records") }
        guard zip(decoded, decoded.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("\(role) \(path): times are not strictly increasing")
        }
        seconds = decoded
        let names = Set(file.variableNames)
        latitudeName = names.contains("lat") ? "lat" : "latitude"
        longitudeName = names.contains("lon") ? "lon" : "longitude"
        guard names.contains(latitudeName), names.contains(longitudeName) else {
            throw ValidationError("\(role) \(path): no lat/latitude and lon/longitude coordinates")
        }
        latitudes = try file.read(latitudeName)
        longitudes = try file.read(longitudeName)
        // A rollout's plume_init_time must be its first record (the initial state).
        if let initTime = file.dataset.attributes["plume_init_time"]?.text {
            let stated: CFDate
            do { stated = try CFTimeUnits(units: "seconds since " + initTime, calendar: cf.calendar.rawValue).reference } catch {
                throw ValidationError("\(role) \(path): global attribute plume_init_time '\(initTime)' is not an ISO 8601 date: \(error)")
            }
            guard epoch.value(of: stated).rounded() == decoded[0] else {
                throw ValidationError("\(role) \(path): plume_init_time \(initTime) is not the first time \(epoch.date(decoded[0]))")
            }
        }
    }

    var calendar: CFCalendar { epoch.calendar }

    /// ISO 8601 date of absolute `seconds`.
    func date(_ seconds: Double) -> CFDate { epoch.date(seconds) }

    /// Day of year (1…366) of absolute `seconds`.
    func dayOfYear(_ seconds: Double) -> Int {
        let d = date(seconds)
        return (1..<d.month).reduce(0) { $0 + calendar.daysInMonth(year: d.year, month: $1) } + d.day
    }

    /// The shape of `name` after its leading time dimension; throws naming the file when
    /// the variable is missing or does not start with `time`.
    func recordShape(_ name: String, role: String) throws -> [Int] {
        guard let v = file.dataset.variable(name) else { throw ValidationError("\(role) \(path): no variable '\(name)'") }
        guard v.dimensions.first == "time" else {
            throw ValidationError("\(role) \(path): '\(name)' must have 'time' as its first dimension, has \(v.dimensions)")
        }
        return Array(v.shape.dropFirst())
    }

    func has(_ name: String) -> Bool { file.dataset.variable(name) != nil }

    /// Record `t` of `name` (a variable whose first dimension is time), CF-decoded.
    func record(_ name: String, _ t: Int) throws -> [Double] {
        guard let v = file.dataset.variable(name) else { throw ValidationError("\(path): no variable '\(name)'") }
        var start = [Int](repeating: 0, count: v.shape.count), count = v.shape
        start[0] = t
        count[0] = 1
        return try file.read(name, Hyperslab(start: start, count: count))
    }

    /// A time-independent variable (e.g. `cell_area`); its first record when it has a time axis.
    func field(_ name: String) throws -> [Double] {
        guard let v = file.dataset.variable(name) else { throw ValidationError("\(path): no variable '\(name)'") }
        return v.dimensions.first == "time" ? try record(name, 0) : try file.read(name)
    }

    /// Throws naming both files when the horizontal grids or the record shapes of
    /// `variables` differ.
    func checkSameGrid(as truth: TimedFile, variables: [String]) throws {
        guard Self.compatible(calendar, truth.calendar) else {
            throw ValidationError("rollout \(path): calendar \(calendar.rawValue) differs from \(truth.path)'s \(truth.calendar.rawValue)")
        }
        func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 } }
        func difference(_ a: [Double], _ b: [Double]) -> String {
            guard a.count == b.count else { return "\(a.count) values against \(b.count)" }
            let i = a.indices.first { abs(a[$0] - b[$0]) > 1e-6 } ?? 0
            return "value \(i) is \(a[i]) against \(b[i])"
        }
        guard close(latitudes, truth.latitudes) else {
            throw ValidationError("rollout \(path): latitudes differ from \(truth.path)'s: \(difference(latitudes, truth.latitudes))")
        }
        guard close(longitudes, truth.longitudes) else {
            throw ValidationError("rollout \(path): longitudes differ from \(truth.path)'s: \(difference(longitudes, truth.longitudes))")
        }
        for name in variables {
            let mine = try recordShape(name, role: "rollout"), theirs = try truth.recordShape(name, role: "truth")
            guard mine == theirs else {
                throw ValidationError("rollout \(path): '\(name)' has shape \(mine) per record, \(truth.path) has \(theirs) (levels or grid differ)")
            }
        }
        if has("level"), truth.has("level") {
            let mine = try file.read("level"), theirs = try truth.file.read("level")
            guard close(mine, theirs) else {
                throw ValidationError("rollout \(path): 'level' differs from \(truth.path)'s: \(difference(mine, theirs))")
            }
        }
    }
}

extension TimedFile {
    /// Same calendar, or standard and proleptic Gregorian (identical after 1582-10-15).
    static func compatible(_ a: CFCalendar, _ b: CFCalendar) -> Bool {
        let gregorian: Set<CFCalendar> = [.standard, .proleptic_gregorian]
        return a == b || (gregorian.contains(a) && gregorian.contains(b))
    }
}

/// Truth files joined by absolute time (CarbonBench-mini's train/val/test periods, or one file).
struct TruthArchive {
    let files: [TimedFile]
    private let index: [Int64: (file: Int, record: Int)]

    init(paths: [String]) throws {
        files = try paths.map { try TimedFile(path: $0, role: "truth") }
        var index: [Int64: (file: Int, record: Int)] = [:]
        for (f, file) in files.enumerated() {
            for (r, s) in file.seconds.enumerated() { index[Int64(s)] = (f, r) }
        }
        self.index = index
        if let first = files.first {
            for other in files.dropFirst() {
                guard other.latitudes == first.latitudes, other.longitudes == first.longitudes, TimedFile.compatible(other.calendar, first.calendar) else {
                    throw ValidationError("truth \(other.path): grid or calendar differs from \(first.path)")
                }
            }
        }
    }

    /// The truth file and record at absolute `seconds`, if any.
    func locate(_ seconds: Double) -> (file: TimedFile, record: Int)? {
        index[Int64(seconds)].map { (files[$0.file], $0.record) }
    }

    var first: TimedFile? { files.first }
}
