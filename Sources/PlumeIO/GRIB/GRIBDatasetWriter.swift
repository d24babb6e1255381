import Foundation

/// Writing a whole `Dataset` (with values) as GRIB 2: the way back from `plume convert`'s
/// netCDF (or from `GRIBFile.dataset()`) to GRIB.
extension GRIBWriter {
    /// Writes every data variable of `dataset` whose last two dimensions are latitude and
    /// longitude coordinates of a regular lat-lon or regular (global) Gaussian grid, one
    /// message per 2-D field, to `path` atomically. Returns the number of messages written.
    ///
    /// Leading dimensions are iterated in row-major order; each must have a coordinate
    /// variable that says what it is, as `GRIBFile.dataset()` and CF files name them:
    /// - ensemble member: `number` or `standard_name = realization`;
    /// - reference time: `standard_name = forecast_reference_time` (CF `units` "… since …",
    ///   a Gregorian calendar); or else a valid time (`standard_name = time`, or named
    ///   `time`/`valid_time`), from which the step is subtracted;
    /// - step: `standard_name = forecast_period` or `step`, in hours, minutes, seconds or days;
    /// - level: the variable's `GRIB_typeOfLevel` attribute, a coordinate named after an
    ///   ecCodes level type (`isobaricInhPa`, `hybrid`, …), or `standard_name = air_pressure`
    ///   in hPa or Pa.
    /// Scalar coordinates (named in the variable's `coordinates` attribute) give the
    /// values of axes that are not dimensions.
    ///
    /// The parameter is `parameterMap[name]`, else the `GRIB_paramId` or `GRIB_shortName`
    /// attribute, else the variable's name as an ecCodes shortName. `GRIB_centre` (global)
    /// and `GRIB_dataType` (an, fc, cf, pf) are kept when present. Fields that are entirely
    /// missing (NaN, as `GRIBFile.dataset()` fills absent combinations) are not written.
    /// Variables not on a latitude-longitude grid are skipped; a dataset with none throws.
    @discardableResult
    public static func write(
        dataset: Dataset, to path: String, parameterMap: [String: GRIBOutputField.Parameter] = [:],
        packing: GRIBPacking = .simple()
    ) throws -> Int {
        let plans = try dataset.dataVariables.compactMap { try GRIBDatasetPlan.make($0, in: dataset, path: path, parameterMap: parameterMap) }
        guard !plans.isEmpty else {
            throw PlumeIOError.writeFailed(
                file: path,
                reason: "no data variable with values on a (latitude, longitude) grid (expected trailing latitude and longitude dimensions with coordinate variables)")
        }
        return try write(to: path, packing: packing) { sink in
            for plan in plans { try plan.write(to: sink) }
        }
    }
}

/// How one variable of a dataset becomes GRIB messages: its grid, its leading axes and
/// the fixed keys of its fields.
struct GRIBDatasetPlan {
    /// What a leading dimension or scalar coordinate stands for.
    enum Role {
        case number
        case referenceTime(CFTimeUnits)
        case validTime(CFTimeUnits)
        /// Hours per unit of the coordinate.
        case step(Double)
        case level(String)
    }

    struct Axis {
        var role: Role
        var values: [Double]
    }

    let variable: Variable
    let grid: GRIBOutputGrid
    let parameter: GRIBOutputField.Parameter
    /// Leading dimensions, slowest first.
    let axes: [Axis]
    /// Scalar coordinates, by role.
    let scalars: [Axis]
    let additionalKeys: [GRIBKeySetting]
    let path: String

    /// Level types named after ecCodes' `typeOfLevel` that a coordinate name may carry.
    static let levelTypes: Set<String> = [
        "isobaricInhPa", "isobaricInPa", "hybrid", "heightAboveGround", "heightAboveSea", "depthBelowLand",
        "depthBelowLandLayer", "theta", "potentialVorticity", "generalVertical", "soil", "oceanSurface",
    ]

    /// The plan for `variable`, nil when it is not on a latitude-longitude grid.
    static func make(
        _ variable: Variable, in dataset: Dataset, path: String, parameterMap: [String: GRIBOutputField.Parameter]
    ) throws -> GRIBDatasetPlan? {
        let dims = variable.dimensions
        guard dims.count >= 2, variable.shape.count == dims.count,
              let lat = coordinate(dims[dims.count - 2], in: dataset), isLatitude(lat),
              let lon = coordinate(dims[dims.count - 1], in: dataset), isLongitude(lon)
        else { return nil }
        func fail(_ reason: String) -> PlumeIOError { .writeFailed(file: path, reason: "variable '\(variable.name)': \(reason)") }

        guard variable.data?.count == variable.count else {
            throw fail("holds \(variable.data?.count ?? 0) values, expected \(variable.count) (its shape \(variable.shape)); load values first (DatasetLoader)")
        }
        guard let latitudes = lat.data?.doubles, let longitudes = lon.data?.doubles else {
            throw fail("coordinates '\(lat.name)' and '\(lon.name)' hold no values")
        }
        guard let grid = GRIBOutputGrid.detect(latitudes: latitudes, longitudes: longitudes) else {
            throw fail("latitudes '\(lat.name)' are neither evenly spaced nor the Gaussian latitudes of a global regular Gaussian grid (expected regular_ll or regular_gg)")
        }
        let typeOfLevel = variable.attributes["GRIB_typeOfLevel"]?.text.flatMap { $0.isEmpty || $0 == "unknown" ? nil : $0 }

        var axes: [Axis] = []
        for d in dims.dropLast(2) {
            guard let c = coordinate(d, in: dataset), let values = c.data?.doubles, values.count == dataset.dimension(d)?.length ?? values.count else {
                throw fail("dimension '\(d)' has no coordinate variable with values (expected number, time, step or a level coordinate)")
            }
            let role: Role
            do {
                guard let r = try Self.role(of: c, typeOfLevel: typeOfLevel) else {
                    throw fail("cannot tell what dimension '\(d)' is (expected an ensemble number, a reference or valid time, a step or a level coordinate; set its standard_name, or GRIB_typeOfLevel for a level)")
                }
                role = r
            } catch let problem as CoordinateProblem {
                throw fail("coordinate '\(d)': \(problem.reason)")
            }
            axes.append(Axis(role: role, values: values))
        }
        var scalars: [Axis] = []
        let named = (variable.attributes["coordinates"]?.text ?? "").split(separator: " ").map(String.init)
        for name in named {
            guard let c = dataset.variable(name), c.dimensions.isEmpty, let values = c.data?.doubles, values.count == 1 else { continue }
            // A scalar coordinate Plume cannot place is not an error: it does not shape the fields.
            if let role = try? Self.role(of: c, typeOfLevel: typeOfLevel) { scalars.append(Axis(role: role, values: values)) }
        }
        let all = axes + scalars
        if !all.contains(where: { if case .referenceTime = $0.role { true } else if case .validTime = $0.role { true } else { false } }) {
            throw fail("no time coordinate (expected a dimension or scalar coordinate with standard_name forecast_reference_time or time and units '<unit> since <date>')")
        }

        let parameter: GRIBOutputField.Parameter
        if let mapped = parameterMap[variable.name] {
            parameter = mapped
        } else if let id = variable.attributes["GRIB_paramId"]?.double, id > 0, id == id.rounded(), id < 1e9 {
            parameter = .paramId(Int(id))
        } else if let s = variable.attributes["GRIB_shortName"]?.text, !s.isEmpty, s != "unknown" {
            parameter = .shortName(s)
        } else {
            parameter = .shortName(variable.name)
        }

        var keys: [GRIBKeySetting] = []
        if let centre = dataset.attributes["GRIB_centre"]?.text, !centre.isEmpty, centre != "unknown" {
            keys.append(GRIBKeySetting("centre", .string(centre)))
        }
        if let type = variable.attributes["GRIB_dataType"]?.text, ["an", "fc", "cf", "pf"].contains(type) {
            keys.append(GRIBKeySetting("dataType", .string(type)))
        }
        return GRIBDatasetPlan(variable: variable, grid: grid, parameter: parameter, axes: axes, scalars: scalars,
                               additionalKeys: keys, path: path)
    }

    /// Appends one message per 2-D field that has a value that is not missing.
    func write(to sink: GRIBWriter) throws {
        guard let data = variable.data else { return }
        let gridCount = grid.pointCount
        let shape = axes.map(\.values.count)
        let fieldCount = shape.reduce(1, *)
        let ensembleSize = (axes.first { if case .number = $0.role { true } else { false } }?.values.count)
        var index = [Int](repeating: 0, count: axes.count)
        for f in 0..<fieldCount {
            // Row-major index of field f over the leading axes.
            var rest = f
            for a in stride(from: axes.count - 1, through: 0, by: -1) {
                index[a] = rest % shape[a]
                rest /= shape[a]
            }
            let values = Self.slice(data, from: f * gridCount, count: gridCount)
            if values.allSatisfy(\.isNaN) { continue }

            var number: Int?
            var reference: (CFTimeUnits, Double)?
            var valid: (CFTimeUnits, Double)?
            var stepHours = 0.0
            var level: GRIBOutputField.Level?
            let chosen = scalars + zip(axes, index).map { Axis(role: $0.role, values: [$0.values[$1]]) }
            for axis in chosen {
                let v = axis.values[0]
                switch axis.role {
                case .number: number = v.isFinite && v == v.rounded() && abs(v) < 1e9 ? Int(v) : -1
                case .referenceTime(let units): reference = (units, v)
                case .validTime(let units): valid = (units, v)
                case .step(let hoursPerUnit): stepHours = v * hoursPerUnit
                case .level(let type): level = GRIBOutputField.Level(type, v)
                }
            }
            let time: CFDate
            do {
                if let (units, v) = reference {
                    time = try units.checkedDate(v)
                } else if let (units, v) = valid {
                    time = try units.checkedDate(v - stepHours * 3600 / units.secondsPerUnit)
                } else {
                    continue
                }
            } catch {
                throw PlumeIOError.writeFailed(file: path, reason: "variable '\(variable.name)': time coordinate: \(error)")
            }
            if level == nil, let type = variable.attributes["GRIB_typeOfLevel"]?.text, !type.isEmpty, type != "unknown", !Self.levelTypes.contains(type) {
                level = GRIBOutputField.Level(type, 0)
            }
            let field = GRIBOutputField(
                parameter: parameter, level: level, referenceTime: time, stepHours: stepHours,
                ensembleNumber: number, ensembleSize: number == nil ? nil : ensembleSize, grid: grid, values: values,
                additionalKeys: additionalKeys)
            do {
                try sink.append(field)
            } catch PlumeIOError.writeFailed(let file, let reason) {
                throw PlumeIOError.writeFailed(file: file, reason: "variable '\(variable.name)', \(reason)")
            }
        }
    }

    /// `count` values from `start` as `Double`.
    static func slice(_ data: VariableData, from start: Int, count: Int) -> [Double] {
        switch data {
        case .float32(let v): v[start..<(start + count)].map(Double.init)
        case .float64(let v): Array(v[start..<(start + count)])
        case .int32(let v): v[start..<(start + count)].map(Double.init)
        case .int64(let v): v[start..<(start + count)].map(Double.init)
        }
    }

    /// The 1-D coordinate variable of dimension `name`.
    static func coordinate(_ name: String, in dataset: Dataset) -> Variable? {
        guard let v = dataset.variable(name), v.dimensions == [name] else { return nil }
        return v
    }

    static func isLatitude(_ v: Variable) -> Bool {
        v.attributes["standard_name"]?.text == "latitude" || (v.units ?? "").hasPrefix("degrees_north")
            || (v.attributes["standard_name"]?.text == nil && v.units == nil && v.name.lowercased().hasPrefix("lat"))
    }

    static func isLongitude(_ v: Variable) -> Bool {
        v.attributes["standard_name"]?.text == "longitude" || (v.units ?? "").hasPrefix("degrees_east")
            || (v.attributes["standard_name"]?.text == nil && v.units == nil && v.name.lowercased().hasPrefix("lon"))
    }

    /// What coordinate `c` stands for; nil when it cannot be told. Throws for time
    /// coordinates whose units or calendar Plume cannot turn into GRIB dates.
    static func role(of c: Variable, typeOfLevel: String?) throws(CoordinateProblem) -> Role? {
        let standardName = c.attributes["standard_name"]?.text
        let units = c.units ?? ""
        if c.name == "number" || standardName == "realization" { return .number }
        if standardName == "forecast_period" || c.name == "step" {
            return .step(try hoursPerUnit(units))
        }
        if standardName == "forecast_reference_time" { return .referenceTime(try timeUnits(c)) }
        if standardName == "time" || c.name == "time" || c.name == "valid_time" || units.contains(" since ") {
            return .validTime(try timeUnits(c))
        }
        if let typeOfLevel, levelTypes.contains(typeOfLevel) { return .level(typeOfLevel) }
        if levelTypes.contains(c.name) { return .level(c.name) }
        if standardName == "air_pressure" {
            switch units {
            case "hPa", "millibar", "mbar", "mb": return .level("isobaricInhPa")
            case "Pa": return .level("isobaricInPa")
            default: return nil
            }
        }
        return nil
    }

    static func timeUnits(_ c: Variable) throws(CoordinateProblem) -> CFTimeUnits {
        let units: CFTimeUnits
        do {
            units = try CFTimeUnits(units: c.units ?? "", calendar: c.attributes["calendar"]?.text)
        } catch {
            throw CoordinateProblem(reason: error.description)
        }
        guard units.calendar == .standard || units.calendar == .proleptic_gregorian else {
            throw CoordinateProblem(reason: "calendar '\(units.calendar.rawValue)' (GRIB dates are Gregorian: expected standard, gregorian or proleptic_gregorian)")
        }
        return units
    }

    /// Why a coordinate cannot be turned into GRIB keys.
    struct CoordinateProblem: Error {
        var reason: String
    }

    static func hoursPerUnit(_ units: String) throws(CoordinateProblem) -> Double {
        switch units.trimmingCharacters(in: .whitespaces).lowercased() {
        case "hours", "hour", "h", "hr", "hrs": 1
        case "minutes", "minute", "min", "mins": 1.0 / 60
        case "seconds", "second", "s", "sec", "secs": 1.0 / 3600
        case "days", "day", "d": 24
        default: throw CoordinateProblem(reason: "step units '\(units)' (expected hours, minutes, seconds or days)")
        }
    }
}
