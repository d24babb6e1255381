import Foundation
import PlumeGrids
import PlumeIO

/// Finds u, v, sp and lnsp in a netCDF file from names, standard names and CF coordinates,
/// reading only coordinates and coefficients (the fields are read per record).
///
/// - Times: a `valid_time`-like auxiliary coordinate (cfgrib style), else the dimension
///   coordinate with units "<unit> since <date>" plus any forecast-step dimension.
/// - Levels: pressure (units hPa, Pa, millibar…, or standard_name air_pressure, or names
///   level / plev / pressure_level / isobaricInhPa, units inferred from the values when
///   absent) or hybrid sigma-pressure (CF formula_terms `ap: … b: … ps: …` or
///   `a: … b: … p0: … ps: …`, else `hyam`/`hybm` or `hyai`/`hybi`).
/// - Grid: 1-D latitude/longitude coordinates (either dimension order) or a reduced
///   Gaussian grid given by latitude/longitude auxiliaries on one dimension.
enum MeteorologyNetCDFIndexer {
    static let names: [MeteorologyQuantity: [String]] = [
        .eastwardWind: ["u", "u_component_of_wind"], .northwardWind: ["v", "v_component_of_wind"],
        .surfacePressure: ["sp", "surface_pressure"], .logSurfacePressure: ["lnsp"],
    ]
    static let standardNames: [MeteorologyQuantity: String] = [
        .eastwardWind: "eastward_wind", .northwardWind: "northward_wind", .surfacePressure: "surface_air_pressure",
    ]

    static func index(_ file: NetCDFFile) throws(IngestError) -> [MeteorologyVariable] {
        let dataset = file.dataset
        let candidates = dataset.variables.filter {
            $0.dataType.isNumeric && !($0.dimensions.count == 1 && $0.dimensions[0] == $0.name) && !$0.dimensions.isEmpty
        }
        /// The variable for `q`: by name first, else by standard name (`byName` false).
        func find(_ q: MeteorologyQuantity) -> (variable: Variable, byName: Bool)? {
            for name in names[q] ?? [] { if let v = candidates.first(where: { $0.name == name }) { return (v, true) } }
            if let standard = standardNames[q], let v = candidates.first(where: { $0.attributes["standard_name"]?.text == standard }) {
                return (v, false)
            }
            return nil
        }
        /// Indexes a match; one found only by standard name is skipped when it is not a usable
        /// field (e.g. `u10`, whose standard name is also eastward_wind, has no pressure levels).
        func index(_ match: (variable: Variable, byName: Bool), _ q: MeteorologyQuantity) throws(IngestError) -> MeteorologyVariable? {
            do {
                return try Reader(file: file, variable: match.variable, quantity: q).index()
            } catch {
                if match.byName { throw error }
                return nil
            }
        }
        var result: [MeteorologyVariable] = []
        var referenced: String?
        for q in [MeteorologyQuantity.eastwardWind, .northwardWind] {
            guard let match = find(q), let indexed = try index(match, q) else { continue }
            referenced = referenced ?? indexed.referencedSurfacePressure
            result.append(indexed)
        }
        if let match = find(.surfacePressure) ?? referenced.flatMap({ name in candidates.first { $0.name == name }.map { ($0, true) } }) {
            if let indexed = try index(match, .surfacePressure) { result.append(indexed) }
        } else if let match = find(.logSurfacePressure), let indexed = try index(match, .logSurfacePressure) {
            result.append(indexed)
        }
        return result
    }

    /// Pa per unit of a pressure `units` attribute; nil when not a pressure unit.
    static func pressureScale(_ units: String) -> Double? {
        switch units.trimmingCharacters(in: .whitespaces).lowercased() {
        case "hpa", "millibar", "millibars", "mbar", "mb", "hectopascal", "hectopascals": 100
        case "pa", "pascal", "pascals": 1
        case "kpa": 1000
        default: nil
        }
    }

    /// Seconds per unit of a duration `units` attribute (forecast steps); nil otherwise.
    static func durationScale(_ units: String) -> Double? {
        switch units.trimmingCharacters(in: .whitespaces).lowercased() {
        case "s", "sec", "secs", "second", "seconds": 1
        case "min", "mins", "minute", "minutes": 60
        case "h", "hr", "hrs", "hour", "hours": 3600
        case "d", "day", "days": 86400
        default: nil
        }
    }

    /// Indexes one variable.
    private struct Reader {
        let file: NetCDFFile
        let variable: Variable
        let quantity: MeteorologyQuantity
        var path: String { file.path }
        var dataset: Dataset { file.dataset }

        func fail(_ reason: String) -> IngestError { MeteorologyFailure.variable(path, variable.name, reason) }

        func values(_ name: String) throws(IngestError) -> [Double] {
            do {
                return try file.read(name)
            } catch {
                throw fail("cannot read '\(name)': \(error)")
            }
        }

        /// The coordinate variable of a dimension (1-D, named like it).
        func coordinate(_ dimension: String) -> Variable? {
            dataset.variables.first { $0.name == dimension && $0.dimensions == [dimension] }
        }

        /// Variables named in the `coordinates` attribute.
        var auxiliaries: [Variable] {
            (variable.attributes["coordinates"]?.text ?? "").split(separator: " ").compactMap { dataset.variable(String($0)) }
        }

        static func isLatitude(_ v: Variable) -> Bool {
            let units = (v.units ?? "").lowercased()
            return v.attributes["standard_name"]?.text == "latitude" || ["degrees_north", "degree_north", "degrees_n", "degree_n"].contains(units)
                || ["latitude", "lat"].contains(v.name.lowercased())
        }

        static func isLongitude(_ v: Variable) -> Bool {
            let units = (v.units ?? "").lowercased()
            return v.attributes["standard_name"]?.text == "longitude" || ["degrees_east", "degree_east", "degrees_e", "degree_e"].contains(units)
                || ["longitude", "lon"].contains(v.name.lowercased())
        }

        func timeUnits(_ v: Variable) throws(IngestError) -> CFTimeUnits? {
            guard let units = v.units, units.contains(" since ") else { return nil }
            do {
                return try CFTimeUnits(units: units, calendar: v.attributes["calendar"]?.text)
            } catch {
                throw fail("time coordinate '\(v.name)': \(error)")
            }
        }

        func durationUnits(_ v: Variable) -> Double? {
            guard let units = v.units, !units.contains(" since ") else { return nil }
            let isStep = v.attributes["standard_name"]?.text == "forecast_period" || ["step", "forecast_period", "leadtime"].contains(v.name.lowercased())
            return isStep ? MeteorologyNetCDFIndexer.durationScale(units) : nil
        }

        func index() throws(IngestError) -> MeteorologyVariable {
            let dims = variable.dimensions, shape = variable.shape
            var used = Set<Int>()

            // Grid.
            var gridDataset = Dataset(format: dataset.format)
            var gridDims: [Int]
            var transposed = false
            let latIndex = dims.indices.first { i in coordinate(dims[i]).map(Self.isLatitude) ?? false }
            let lonIndex = dims.indices.first { i in coordinate(dims[i]).map(Self.isLongitude) ?? false }
            if let la = latIndex, let lo = lonIndex, let latVar = coordinate(dims[la]), let lonVar = coordinate(dims[lo]) {
                gridDims = [la, lo]
                transposed = lo < la
                gridDataset.variables = [
                    Variable(name: "latitude", dimensions: ["latitude"], shape: [shape[la]], data: .float64(try values(latVar.name))),
                    Variable(name: "longitude", dimensions: ["longitude"], shape: [shape[lo]], data: .float64(try values(lonVar.name))),
                ]
            } else if let latVar = auxiliaries.first(where: Self.isLatitude), let lonVar = auxiliaries.first(where: Self.isLongitude),
                      latVar.dimensions.count == 1, lonVar.dimensions == latVar.dimensions,
                      let d = dims.firstIndex(of: latVar.dimensions[0]) {
                gridDims = [d]
                gridDataset.variables = [
                    Variable(name: "latitude", dimensions: ["values"], shape: [shape[d]], data: .float64(try values(latVar.name))),
                    Variable(name: "longitude", dimensions: ["values"], shape: [shape[d]], data: .float64(try values(lonVar.name))),
                ]
            } else {
                throw fail("no latitude/longitude coordinates among its dimensions \(dims) (expected 1-D latitude and longitude "
                    + "coordinate variables, or latitude/longitude auxiliaries of a reduced grid)")
            }
            gridDims.forEach { used.insert($0) }
            let grid = try MeteorologyGrids.banded(gridDataset, source: path, variable: variable.name)

            // Times: (dimension indices, valid time key per combination of their indices).
            let (timeDims, timeKeys, calendar) = try times(dims: dims, shape: shape, excluding: used)
            timeDims.forEach { used.insert($0) }

            // Levels.
            var levelDim: Int?
            var levels: [(a: Double, b: Double, label: String)] = [(0, 1, "surface")]
            var referencedSurfacePressure: String?
            var scale = 1.0
            if quantity.isSurface {
                let units = (variable.units ?? "Pa")
                if quantity == .surfacePressure {
                    guard let s = MeteorologyNetCDFIndexer.pressureScale(units) else {
                        throw fail("units '\(units)' (expected a pressure: Pa or hPa)")
                    }
                    scale = s
                }
            } else {
                for i in dims.indices where !used.contains(i) {
                    if let found = try verticalLevels(coordinate: coordinate(dims[i]), dimension: dims[i], count: shape[i]) {
                        guard levelDim == nil else {
                            throw fail("has two vertical dimensions, \(dims[levelDim ?? 0]) and \(dims[i]) (expected one)")
                        }
                        levelDim = i
                        levels = found.levels
                        referencedSurfacePressure = found.surfacePressure
                    }
                }
                var scalarLevel = false
                if let l = levelDim {
                    used.insert(l)
                } else {
                    for aux in auxiliaries where aux.dimensions.isEmpty && !scalarLevel {
                        if let found = try verticalLevels(coordinate: aux, dimension: nil, count: 1) {
                            levels = found.levels
                            referencedSurfacePressure = found.surfacePressure
                            scalarLevel = true
                        }
                    }
                }
                guard levelDim != nil || scalarLevel else {
                    throw fail("no vertical coordinate among \(dims) or its scalar coordinates (expected pressure levels: units hPa/Pa "
                        + "or names level/plev/pressure_level/isobaricInhPa; or model levels: CF atmosphere_hybrid_sigma_pressure_coordinate "
                        + "formula_terms, hyam/hybm or hyai/hybi)")
                }
            }
            for i in dims.indices where !used.contains(i) && shape[i] != 1 {
                throw fail("dimension '\(dims[i])' has \(shape[i]) values (expected only time, level, latitude and longitude; "
                    + "other dimensions, such as ensemble members, must have length 1)")
            }

            // Fields.
            var fields: [Int64: [MeteorologyLevelField]] = [:]
            var counts = [Int](repeating: 1, count: dims.count)
            for g in gridDims { counts[g] = shape[g] }
            let timeShape = timeDims.map { shape[$0] }
            for (flat, key) in timeKeys.enumerated() {
                var start = [Int](repeating: 0, count: dims.count)
                var rest = flat
                for (k, d) in timeDims.enumerated().reversed() {
                    start[d] = rest % timeShape[k]
                    rest /= timeShape[k]
                }
                guard fields[key] == nil else {
                    throw fail("two fields at \(MeteorologyClock.describe(key, calendar: calendar)) (expected one per valid time)")
                }
                var list: [MeteorologyLevelField] = []
                for (l, level) in levels.enumerated() {
                    if let ld = levelDim { start[ld] = l }
                    list.append(MeteorologyLevelField(a: level.a, b: level.b, label: level.label,
                                                      location: .netCDF(slab: Hyperslab(start: start, count: counts), transposed: transposed)))
                }
                list.sort { $0.referencePressure < $1.referencePressure }
                fields[key] = list
            }
            return MeteorologyVariable(quantity: quantity, path: path, name: variable.name, grid: grid, scale: scale,
                                       calendar: calendar, fields: fields, referencedSurfacePressure: referencedSurfacePressure)
        }

        /// The time dimensions of the variable and the valid time of every combination of their indices.
        func times(dims: [String], shape: [Int], excluding used: Set<Int>) throws(IngestError) -> ([Int], [Int64], CFCalendar) {
            // A valid-time auxiliary coordinate over some of the variable's dimensions (cfgrib style).
            for aux in auxiliaries where aux.attributes["standard_name"]?.text == "time" || aux.name == "valid_time" {
                guard let units = try timeUnits(aux), aux.dimensions.allSatisfy(dims.contains) else { continue }
                let timeDims = aux.dimensions.compactMap { dims.firstIndex(of: $0) }
                let raw = try values(aux.name)
                guard raw.count == aux.count else { throw fail("valid time '\(aux.name)' has \(raw.count) values, expected \(aux.count)") }
                // The auxiliary's dimension order may differ from the variable's.
                let order = timeDims.sorted()
                let auxShape = aux.shape
                var keys: [Int64] = []
                let total = order.reduce(1) { $0 * shape[$1] }
                for flat in 0..<total {
                    var index: [Int: Int] = [:]
                    var rest = flat
                    for d in order.reversed() { index[d] = rest % shape[d]; rest /= shape[d] }
                    var auxFlat = 0
                    for (k, name) in aux.dimensions.enumerated() { auxFlat = auxFlat * auxShape[k] + (index[dims.firstIndex(of: name) ?? 0] ?? 0) }
                    guard let key = MeteorologyClock.key(value: raw[auxFlat], units: units) else {
                        throw fail("valid time '\(aux.name)'[\(auxFlat)] = \(raw[auxFlat]) is not a usable time")
                    }
                    keys.append(key)
                }
                return (order, keys, units.calendar)
            }
            // Dimension coordinates: one absolute time (else a scalar one), plus forecast steps.
            var absolute: (dim: Int?, variable: Variable, units: CFTimeUnits, values: [Double])?
            var steps: [(dim: Int, seconds: [Double])] = []
            for i in dims.indices where !used.contains(i) {
                guard let c = coordinate(dims[i]) else { continue }
                if let units = try timeUnits(c) {
                    guard absolute == nil else { throw fail("has two time dimensions, \(dims[absolute?.dim ?? 0]) and \(dims[i]) (expected one)") }
                    absolute = (i, c, units, try values(c.name))
                } else if let scale = durationUnits(c) {
                    steps.append((i, try values(c.name).map { $0 * scale }))
                }
            }
            if absolute == nil {
                for aux in auxiliaries where aux.dimensions.isEmpty {
                    if let units = try timeUnits(aux) {
                        absolute = (nil, aux, units, try values(aux.name))
                        break
                    }
                }
            }
            guard let time = absolute, !time.values.isEmpty, time.units.secondsPerUnit > 0 else {
                throw fail("no time coordinate (expected a coordinate with units '<unit> since <date>', e.g. time or valid_time)")
            }
            // A scalar forecast step counts only from a forecast reference time.
            var scalarStep = 0.0
            if steps.isEmpty, time.variable.attributes["standard_name"]?.text == "forecast_reference_time" {
                for aux in auxiliaries where aux.dimensions.isEmpty {
                    if let scale = durationUnits(aux), let value = try values(aux.name).first { scalarStep = value * scale }
                }
            }
            var timeDims: [Int] = []
            if let d = time.dim { timeDims.append(d) }
            timeDims += steps.map(\.dim)
            let order = timeDims.sorted()
            let total = order.reduce(1) { $0 * shape[$1] }
            var keys: [Int64] = []
            keys.reserveCapacity(total)
            for flat in 0..<total {
                var index: [Int: Int] = [:]
                var rest = flat
                for d in order.reversed() { index[d] = rest % shape[d]; rest /= shape[d] }
                let t = time.dim.map { time.values[index[$0] ?? 0] } ?? time.values[0]
                var seconds = scalarStep
                for s in steps { seconds += s.seconds[index[s.dim] ?? 0] }
                guard let key = MeteorologyClock.key(value: t + seconds / time.units.secondsPerUnit, units: time.units) else {
                    throw fail("time value \(t) is not a usable time")
                }
                keys.append(key)
            }
            return (order, keys, time.units.calendar)
        }

        /// The levels of a vertical coordinate, nil when `coordinate` (or the dimension) is not vertical.
        func verticalLevels(coordinate c: Variable?, dimension: String?, count n: Int)
            throws(IngestError) -> (levels: [(a: Double, b: Double, label: String)], surfacePressure: String?)? {
            let hasCoefficients = ["hyam", "hybm", "hyai", "hybi"].contains { dataset.variable($0) != nil }
            guard let c else {
                // A dimension without a coordinate variable: model levels when coefficients lie on it.
                guard let dimension, let am = dataset.variable("hyam"), am.dimensions == [dimension] else { return nil }
                return (try hybridLevels(coordinate: nil, dimension: dimension, count: n, levelNumbers: nil), nil)
            }
            let standard = c.attributes["standard_name"]?.text ?? ""
            let units = c.units ?? ""
            let name = c.name.lowercased()
            let isHybrid = standard.contains("hybrid_sigma_pressure") || c.attributes["formula_terms"] != nil
                || standard == "model_level_number"
                || (hasCoefficients && MeteorologyNetCDFIndexer.pressureScale(units) == nil
                    && ["hybrid", "lev", "level", "model_level", "mlev", "nhym"].contains(name))
            if isHybrid {
                let numbers = try values(c.name)
                let terms = parseFormulaTerms(c.attributes["formula_terms"]?.text ?? "")
                let levels = try hybridLevels(coordinate: c, dimension: dimension ?? c.name, count: n, levelNumbers: numbers, terms: terms)
                return (levels, terms["ps"])
            }
            var scale = MeteorologyNetCDFIndexer.pressureScale(units)
            let pressureNames = ["level", "plev", "pressure_level", "pressure", "isobaricinhpa", "isobaricinpa", "lev"]
            guard scale != nil || standard == "air_pressure" || pressureNames.contains(name) else { return nil }
            let raw = try values(c.name)
            guard raw.count == n, n >= 1 else { throw fail("pressure coordinate '\(c.name)' has \(raw.count) values, expected \(n)") }
            if scale == nil {
                scale = name == "isobaricinpa" ? 1 : name == "isobaricinhpa" ? 100 : (raw.max() ?? 0) <= 1100 ? 100 : 1
            }
            let factor = scale ?? 1
            for (i, p) in raw.enumerated() where !(p.isFinite && p > 0) {
                throw fail("pressure level \(c.name)[\(i)] = \(p) (expected a positive pressure)")
            }
            let increasing = zip(raw, raw.dropFirst()).allSatisfy { $0 < $1 }
            let decreasing = zip(raw, raw.dropFirst()).allSatisfy { $0 > $1 }
            guard increasing || decreasing else {
                throw fail("pressure levels '\(c.name)' \(raw.map { MeteorologyGRIBIndexer.formatLevel($0) }) are not strictly monotone "
                    + "(expected distinct levels in increasing or decreasing order)")
            }
            let unitLabel = units.isEmpty ? (factor == 100 ? "hPa" : "Pa") : units
            return (raw.map { (a: $0 * factor, b: 0, label: "\(MeteorologyGRIBIndexer.formatLevel($0)) \(unitLabel)") }, nil)
        }

        func parseFormulaTerms(_ text: String) -> [String: String] {
            let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
            var terms: [String: String] = [:]
            var i = 0
            while i + 1 < tokens.count {
                if tokens[i].hasSuffix(":") { terms[String(tokens[i].dropLast())] = tokens[i + 1]; i += 2 } else { i += 1 }
            }
            return terms
        }

        /// Full-level coefficients (a in Pa, b) of `n` model levels.
        func hybridLevels(coordinate c: Variable?, dimension: String, count n: Int, levelNumbers: [Double]?,
                          terms: [String: String] = [:]) throws(IngestError) -> [(a: Double, b: Double, label: String)] {
            let labelOf: (Int) -> String = { i in
                if let numbers = levelNumbers, numbers.indices.contains(i) { return "model level \(MeteorologyGRIBIndexer.formatLevel(numbers[i]))" }
                return "model level index \(i)"
            }
            var a: [Double]?, b: [Double]?
            var source = ""
            if let bName = terms["b"], let aName = terms["ap"] ?? terms["a"] {
                source = "formula_terms of '\(c?.name ?? dimension)'"
                a = try fullLevels(aName, dimension: dimension, count: n, levelNumbers: levelNumbers)
                b = try fullLevels(bName, dimension: dimension, count: n, levelNumbers: levelNumbers)
                if terms["ap"] == nil {
                    guard let p0Name = terms["p0"], let p0Variable = dataset.variable(p0Name), let p0 = try values(p0Name).first else {
                        throw fail("formula_terms '\(c?.attributes["formula_terms"]?.text ?? "")' give a without p0 (expected 'a: … b: … p0: …' or 'ap: … b: …')")
                    }
                    let p0Pa = p0 * (MeteorologyNetCDFIndexer.pressureScale(p0Variable.units ?? "Pa") ?? 1)
                    a = a?.map { $0 * p0Pa }
                }
            } else if dataset.variable("hyam") != nil, dataset.variable("hybm") != nil {
                source = "hyam/hybm"
                a = try fullLevels("hyam", dimension: dimension, count: n, levelNumbers: levelNumbers)
                b = try fullLevels("hybm", dimension: dimension, count: n, levelNumbers: levelNumbers)
            } else if dataset.variable("hyai") != nil, dataset.variable("hybi") != nil {
                source = "hyai/hybi"
                a = try fullLevels("hyai", dimension: dimension, count: n, levelNumbers: levelNumbers)
                b = try fullLevels("hybi", dimension: dimension, count: n, levelNumbers: levelNumbers)
            }
            guard let a, let b else {
                throw fail("model levels on '\(c?.name ?? dimension)' without usable coefficients (expected CF formula_terms "
                    + "'ap: … b: … ps: …' or 'a: … b: … p0: … ps: …', or variables hyam/hybm or hyai/hybi)")
            }
            for i in 0..<n {
                guard a[i].isFinite, a[i] >= 0, b[i] >= 0, b[i] <= 1 else {
                    throw fail("\(source): \(labelOf(i)) has a = \(a[i]) Pa, b = \(b[i]) (expected a ≥ 0 Pa and b in [0, 1])")
                }
            }
            return (0..<n).map { (a: a[$0], b: b[$0], label: labelOf($0)) }
        }

        /// One full-level coefficient per level from a coefficient variable: given per level,
        /// as [level, 2] bounds, or on half levels (n + 1 consecutive, or indexed by level number).
        func fullLevels(_ name: String, dimension: String, count n: Int, levelNumbers: [Double]?) throws(IngestError) -> [Double] {
            guard let v = dataset.variable(name) else { throw fail("coefficient variable '\(name)' is missing from the file") }
            var raw = try values(name)
            if let units = v.units, let scale = MeteorologyNetCDFIndexer.pressureScale(units) { raw = raw.map { $0 * scale } }
            if v.dimensions == [dimension], raw.count == n { return raw }
            if v.dimensions.count == 2, v.dimensions[0] == dimension, v.shape == [n, 2] {
                return (0..<n).map { (k: Int) -> Double in 0.5 * (raw[2 * k] + raw[2 * k + 1]) }
            }
            if raw.count == n + 1 { return (0..<n).map { (k: Int) -> Double in 0.5 * (raw[k] + raw[k + 1]) } }
            if let numbers = levelNumbers, numbers.count == n,
               numbers.allSatisfy({ (x: Double) -> Bool in x == x.rounded() && x >= 1 && x < Double(raw.count) }) {
                return numbers.map { (x: Double) -> Double in let k = Int(x); return 0.5 * (raw[k - 1] + raw[k]) }
            }
            throw fail("coefficient '\(name)' has \(raw.count) values (shape \(v.shape)), which fit neither the \(n) levels of '\(dimension)' "
                + "(expected \(n) full-level values, [\(n), 2] bounds, \(n + 1) half-level values, or half levels indexed by level numbers 1…N)")
        }
    }
}
