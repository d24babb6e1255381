import Foundation
import PlumeIO

/// An ObsPack file's structure, checked, and its columns read: what `ObsPackNetCDF` turns
/// into records. Every structural problem is an `.unreadable` error naming the file.
struct ObsPackLayout {
    /// Why a record is not read.
    enum Problem: Error {
        case malformed(String)
        case outsideWindow(String)
    }

    /// What makes two records duplicates: time, position, altitude and value.
    struct RecordKey: Hashable {
        var time: [Double]
        var latitude: Double
        var longitude: Double
        var altitude: Double?
        var value: Double
    }

    /// One numeric variable's values as stored, with its fill and range conventions.
    struct Column {
        let name: String
        let raw: [Double]
        let packing: CFPacking

        /// Value `i`, unpacked; a failure naming the variable for a fill value, NaN or a
        /// value outside `valid_range`, with `expected` appended.
        func value(_ i: Int, _ expected: String) -> Result<Double, Problem> {
            let stored = raw[i]
            if stored.isNaN { return .failure(.malformed("\(name) is NaN (expected \(expected))")) }
            if packing.missingValues.contains(stored) {
                return .failure(.malformed("\(name) is the fill value \(ObsPackNetCDF.shown(stored)) (expected \(expected))"))
            }
            if let lo = packing.validMin, stored < lo { return .failure(.malformed("\(name) \(ObsPackNetCDF.shown(stored)) is below its valid_min \(ObsPackNetCDF.shown(lo))")) }
            if let hi = packing.validMax, stored > hi { return .failure(.malformed("\(name) \(ObsPackNetCDF.shown(stored)) is above its valid_max \(ObsPackNetCDF.shown(hi))")) }
            guard stored.isFinite else { return .failure(.malformed("\(name) \(ObsPackNetCDF.shown(stored)) is not finite (expected \(expected))")) }
            return .success(stored * (packing.scaleFactor ?? 1) + (packing.addOffset ?? 0))
        }
    }

    enum Times {
        case seconds(Column, CFTimeUnits)
        case components(Column)
    }

    let path: String
    let records: Int
    let site: String
    let valueUnits: String
    let valueScale: Double
    let uncertaintyScale: Double
    let times: Times
    let latitude: Column
    let longitude: Column
    /// `altitude`, or `intake_height` plus `site_elevation`.
    let altitude: Column?
    let altitudeOffset: Double
    let value: Column
    let uncertainty: Column?
    let flag: Column?
    let ids: [String]?

    init(file: NetCDFFile, path: String) throws(ObservationError) {
        self.path = path
        let dataset = file.dataset
        let available = dataset.variables.map(\.name).joined(separator: ", ")
        guard let obs = dataset.dimension("obs") else {
            throw .unreadable(file: path, reason: "no 'obs' dimension (an ObsPack file has one record per obs); the file has dimensions: \(dataset.dimensions.map(\.name).joined(separator: ", "))")
        }
        records = obs.length
        if let parameter = dataset.attributes["dataset_parameter"]?.text, parameter.lowercased() != "co2" {
            throw .unreadable(file: path, reason: "dataset_parameter is '\(parameter)', expected 'co2' (this reader reads CO2)")
        }
        if let code = dataset.attributes["site_code"]?.text?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
            site = code
        } else {
            site = ObsPackNetCDF.site(fromFileName: path)
        }

        func perObs(_ name: String, _ meaning: String, columns: Int? = nil) throws(ObservationError) -> Variable? {
            guard let v = dataset.variable(name) else { return nil }
            let expected = columns.map { ["obs", "\($0) values"] } ?? ["obs"]
            guard v.dimensions.first == "obs", v.dimensions.count == expected.count, columns.map({ v.shape.last == $0 }) ?? true else {
                throw .unreadable(file: path, reason: "variable '\(name)' (\(meaning)) has dimensions (\(v.dimensions.joined(separator: ", "))), expected (\(expected.joined(separator: ", ")))")
            }
            guard v.dataType.isNumeric else {
                throw .unreadable(file: path, reason: "variable '\(name)' (\(meaning)) holds \(v.dataType.rawValue) values, expected numbers")
            }
            return v
        }
        func required(_ name: String, _ meaning: String) throws(ObservationError) -> Variable {
            guard let v = try perObs(name, meaning) else {
                throw .unreadable(file: path, reason: "no '\(name)' variable (\(meaning), one per obs); the file has: \(available)")
            }
            return v
        }
        func column(_ v: Variable) throws(ObservationError) -> Column {
            do {
                return Column(name: v.name, raw: try file.readRaw(v.name), packing: file.packing(v))
            } catch {
                throw .unreadable(file: path, reason: "variable '\(v.name)' cannot be read: \(error)")
            }
        }

        if let t = try perObs("time", "seconds since a reference date") {
            guard let units = t.units else {
                throw .unreadable(file: path, reason: "variable 'time' has no units attribute (expected e.g. 'seconds since 1970-01-01T00:00:00Z')")
            }
            let cf: CFTimeUnits
            do {
                cf = try CFTimeUnits(units: units, calendar: t.attributes["calendar"]?.text)
            } catch {
                throw .unreadable(file: path, reason: "variable 'time': \(error)")
            }
            times = .seconds(try column(t), cf)
        } else if let t = try perObs("time_components", "year, month, day, hour, minute, second", columns: 6) {
            times = .components(try column(t))
        } else {
            throw .unreadable(file: path, reason: "no 'time' or 'time_components' variable (the time of each obs); the file has: \(available)")
        }
        latitude = try column(try required("latitude", "degrees north"))
        longitude = try column(try required("longitude", "degrees east"))

        let valueVariable = try required("value", "the CO2 mole fraction")
        guard let units = valueVariable.units else {
            throw .unreadable(file: path, reason: "variable 'value' has no units attribute (expected mol mol-1, mol/mol or 1; ppm and micromol mol-1 are converted)")
        }
        valueUnits = units
        valueScale = try ObsPackNetCDF.scale(units, variable: "value", path: path)
        value = try column(valueVariable)
        if let unc = try perObs("value_unc", "the uncertainty of value") {
            uncertaintyScale = try unc.units.map { u throws(ObservationError) in try ObsPackNetCDF.scale(u, variable: "value_unc", path: path) } ?? valueScale
            uncertainty = try column(unc)
        } else {
            uncertaintyScale = valueScale
            uncertainty = nil
        }

        func metres(_ v: Variable) throws(ObservationError) {
            if let u = v.units, !["m", "meter", "meters", "metre", "metres"].contains(u.trimmingCharacters(in: .whitespaces).lowercased()) {
                throw .unreadable(file: path, reason: "variable '\(v.name)' has units '\(u)', expected m")
            }
        }
        if let a = try perObs("altitude", "m above sea level") {
            try metres(a)
            altitude = try column(a)
            altitudeOffset = 0
        } else if let h = try perObs("intake_height", "m above ground"), let elevation = dataset.attributes["site_elevation"]?.double {
            try metres(h)
            altitude = try column(h)
            altitudeOffset = elevation
        } else {
            altitude = nil
            altitudeOffset = 0
        }
        flag = try perObs("obs_flag", "1 representative, 0 not").map { v throws(ObservationError) in try column(v) }

        if let idVariable = dataset.variable("obspack_id") {
            guard idVariable.dimensions.first == "obs" else {
                throw .unreadable(file: path, reason: "variable 'obspack_id' has dimensions (\(idVariable.dimensions.joined(separator: ", "))), expected (obs[, characters])")
            }
            do {
                ids = try file.readText("obspack_id")
            } catch {
                throw .unreadable(file: path, reason: "variable 'obspack_id' cannot be read as text: \(error)")
            }
            guard ids?.count == records else {
                throw .unreadable(file: path, reason: "variable 'obspack_id' has \(ids?.count ?? 0) strings for \(records) obs")
            }
        } else {
            ids = nil
        }
    }

    /// Record `i` as an observation (with its duplicate key), or why not.
    func observation(_ i: Int, source: String, window: ClosedRange<CFDate>?) -> Result<(Observation, RecordKey), Problem> {
        do throws(Problem) {
            let (time, timeKey) = try self.time(i)
            if let reason = ObservationWindow.outside(window, time) { throw .outsideWindow(reason) }
            let latitude = try self.latitude.value(i, "degrees north, −90…90").get()
            guard (-90...90).contains(latitude) else { throw .malformed("latitude \(ObsPackNetCDF.shown(latitude)) is not within −90…90") }
            let longitude = try self.longitude.value(i, "degrees east, −180…360").get()
            guard (-180...360).contains(longitude) else { throw .malformed("longitude \(ObsPackNetCDF.shown(longitude)) is not within −180…360") }
            let altitude = try self.altitude.map { column throws(Problem) in try column.value(i, "m above sea level").get() + altitudeOffset }
            let stored = try value.value(i, "a CO2 mole fraction").get()
            let co2 = stored * valueScale
            guard ObsPackNetCDF.plausibleCO2.contains(co2) else {
                let given = valueScale == 1 ? "" : " (\(ObsPackNetCDF.shown(stored)) \(valueUnits))"
                throw .malformed("value \(ObsPackNetCDF.shown(co2)) mol/mol\(given) is not a plausible CO2 mole fraction (expected 0.0001…0.01 mol/mol)")
            }
            var sigma: Double?
            if let uncertainty, case .success(let u) = uncertainty.value(i, "") {
                guard u > 0 else { throw .malformed("value_unc \(ObsPackNetCDF.shown(u)) must be positive") }
                sigma = u * uncertaintyScale
            }
            var qcFlag: Int?
            if let flag, case .success(let f) = flag.value(i, ""), let whole = Int(exactly: f) { qcFlag = whole }
            let observation = Observation(time: time, latitude: latitude, longitude: longitude, vertical: altitude.map { .altitudeM($0) },
                                          variable: "co2", value: co2, sigma: sigma, site: site, source: source, qcFlag: qcFlag)
            return .success((observation, RecordKey(time: timeKey, latitude: latitude, longitude: longitude, altitude: altitude, value: co2)))
        } catch {
            return .failure(error)
        }
    }

    /// The time of record `i`, and its stored values (for duplicates).
    func time(_ i: Int) throws(Problem) -> (CFDate, [Double]) {
        switch times {
        case .seconds(let column, let units):
            let seconds = try column.value(i, "a time in \(ObsPackNetCDF.unitsText(units))").get()
            do {
                return (try units.checkedDate(seconds), [seconds])
            } catch {
                throw .malformed("time: \(error)")
            }
        case .components(let column):
            let names = ["year", "month", "day", "hour", "minute", "second"]
            var parts: [Double] = []
            for k in 0..<6 {
                let stored = column.raw[i * 6 + k]
                if stored.isNaN || column.packing.missingValues.contains(stored) {
                    throw .malformed("time_components \(names[k]) is \(stored.isNaN ? "NaN" : "the fill value \(ObsPackNetCDF.shown(stored))") (expected year, month, day, hour, minute, second)")
                }
                parts.append(stored)
            }
            let text = parts.map(ObsPackNetCDF.shown).joined(separator: " ")
            guard parts.allSatisfy({ $0 == $0.rounded() }), (1...9999).contains(parts[0]), (1...12).contains(parts[1]) else {
                throw .malformed("time_components \(text) is not a date and time (expected year 1…9999, month 1…12, day, hour 0…23, minute 0…59, second 0…59)")
            }
            let days = CFCalendar.standard.daysInMonth(year: Int(parts[0]), month: Int(parts[1]))
            guard (1...Double(days)).contains(parts[2]), (0...23).contains(parts[3]), (0...59).contains(parts[4]), (0...59).contains(parts[5]) else {
                throw .malformed("time_components \(text) is not a date and time (expected day 1…\(days), hour 0…23, minute 0…59, second 0…59)")
            }
            return (CFDate(year: Int(parts[0]), month: Int(parts[1]), day: Int(parts[2]), hour: Int(parts[3]), minute: Int(parts[4]),
                           second: parts[5]), parts)
        }
    }
}

extension ObsPackNetCDF {
    /// `seconds since 1970-01-01T00:00:00` for messages.
    static func unitsText(_ units: CFTimeUnits) -> String {
        let unit = switch units.secondsPerUnit {
        case 1: "seconds"
        case 60: "minutes"
        case 3600: "hours"
        case 86400: "days"
        default: "units of \(shown(units.secondsPerUnit)) s"
        }
        return "\(unit) since \(units.reference.isoDateTime)"
    }
}
