/// Assembles GRIB messages into one `Dataset`, the way cfgrib does: one variable per
/// parameter (shortName, level type, step type and grid), with dimensions among
/// `number` (ensemble member), `time` (reference time), `step`, the level type
/// (`isobaricInhPa`, `hybrid`, …) and the grid's own. Dimensions of length one become
/// scalar coordinates. Missing combinations are NaN.
///
/// No field is dropped: fields that would land on the same element of a variable (same
/// member, time, step and level, yet different in some other key — a layer's bottom, a
/// statistical period's start — or repeated) go into further variables of the same
/// parameter (`t_2`, …), which carry the keys that tell them apart (`GRIB_stepRange`,
/// `GRIB_bottomLevel`).
enum GRIBAssembler {
    private struct VariableKey: Hashable {
        var shortName: String
        var paramId: Int
        var typeOfLevel: String
        var surfaceTypes: [Int]
        var stepType: String
        var grid: GRIBGridDefinition
        /// 0 for the first variable of these keys, 1… for the further ones its fields
        /// would have collided in.
        var occurrence: Int = 0
    }

    /// Where a field goes within its variable.
    private struct Slot: Hashable {
        var number: Int?
        var time: Int64
        var step: DoubleKey
        var level: DoubleKey
    }

    /// A `Double` as a dictionary key: every NaN the same key, -0 the same as 0 (a damaged
    /// step unit gives NaN steps, which must still find their index).
    struct DoubleKey: Hashable {
        var bits: UInt64
        init(_ value: Double) {
            bits = value.isNaN ? Double.nan.bitPattern : (value == 0 ? 0 : value.bitPattern)
        }
    }

    /// Distinct values (NaN once), sorted, NaN last.
    static func distinct(_ values: [Double], descending: Bool = false) -> [Double] {
        var seen: Set<DoubleKey> = []
        let unique = values.filter { seen.insert(DoubleKey($0)).inserted }
        return unique.sorted { a, b in
            if a.isNaN || b.isNaN { return !a.isNaN && b.isNaN }
            return descending ? a > b : a < b
        }
    }

    /// The fields of one variable, with what makes each element's meaning unambiguous.
    private struct Members {
        var positions: [Int] = []
        var slots: Set<Slot> = []
        /// Per step, its step range; per level, its layer bottom: a field whose step (or
        /// level) means another range (layer) than the variable's goes elsewhere.
        var stepRanges: [DoubleKey: String] = [:]
        var bottoms: [DoubleKey: DoubleKey?] = [:]
        /// Whether the fields have an ensemble member number (a field without one cannot
        /// share a variable with fields that have one).
        var hasNumbers: Bool?

        func accepts(_ slot: Slot, _ m: GRIBMessage) -> Bool {
            if slots.contains(slot) { return false }
            if let h = hasNumbers, h != (m.number != nil) { return false }
            if let r = stepRanges[slot.step], r != m.stepRange { return false }
            if let b = bottoms[slot.level], b != m.bottomLevel.map(DoubleKey.init) { return false }
            return true
        }

        mutating func add(_ position: Int, _ slot: Slot, _ m: GRIBMessage) {
            positions.append(position)
            slots.insert(slot)
            stepRanges[slot.step] = m.stepRange
            bottoms[slot.level] = m.bottomLevel.map(DoubleKey.init)
            hasNumbers = m.number != nil
        }
    }

    /// Level types that describe a single surface; they get no level coordinate.
    private static let singleSurfaces: Set<String> = [
        "surface", "meanSea", "entireAtmosphere", "entireOcean", "nominalTop", "atmosphere",
        "cloudBase", "cloudTop", "isothermZero", "tropopause", "maxWind", "unknown",
    ]

    static func assemble(_ file: GRIBFile) throws -> Dataset {
        var members: [VariableKey: Members] = [:]
        var order: [VariableKey] = []
        for (position, m) in file.messages.enumerated() {
            var key = VariableKey(shortName: m.shortName, paramId: m.paramId, typeOfLevel: m.typeOfLevel,
                                  surfaceTypes: m.surfaceTypes, stepType: m.stepType, grid: m.grid)
            let slot = Slot(number: m.number, time: m.referenceTime, step: DoubleKey(m.stepHours), level: DoubleKey(m.level))
            // The first variable of these keys with room for the field (file order).
            while let existing = members[key], !existing.accepts(slot, m) { key.occurrence += 1 }
            if members[key] == nil { order.append(key) }
            members[key, default: Members()].add(position, slot, m)
        }
        let split = Set(order.filter { $0.occurrence > 0 }.map { k -> VariableKey in var k = k; k.occurrence = 0; return k })
        let groups = members.mapValues(\.positions)
        let names = variableNames(order)

        var dataset = Dataset(format: "GRIB")
        var registry = CoordinateRegistry()
        var gridNames: [GRIBGridDefinition: [String]] = [:]

        for key in order {
            let positions = groups[key] ?? []
            let messages = positions.map { file.messages[$0] }
            guard let first = messages.first else { continue }
            let name = names[key] ?? key.shortName

            // Coordinates of this variable.
            let numbers = Array(Set(messages.compactMap(\.number))).sorted()
            let times = Array(Set(messages.map(\.referenceTime))).sorted()
            let steps = distinct(messages.map(\.stepHours))
            let isPressure = key.typeOfLevel.hasPrefix("isobaric")
            let levels = distinct(messages.map(\.level), descending: isPressure)
            // A single surface gets no level coordinate, unless its fields differ in level
            // (e.g. surfaces ecCodes names `unknown`).
            let hasLevel = !singleSurfaces.contains(key.typeOfLevel) || levels.count > 1

            var dims: [String] = []
            var shape: [Int] = []
            var scalarCoordinates: [String] = []
            func axis(_ base: String, _ values: VariableData, _ attributes: [Attribute]) -> String {
                let coordinate = registry.name(for: base, values: values, attributes: attributes)
                if values.count > 1 {
                    dims.append(coordinate)
                    shape.append(values.count)
                } else {
                    scalarCoordinates.append(coordinate)
                }
                return coordinate
            }
            if !numbers.isEmpty { _ = axis("number", .int64(numbers.map(Int64.init)), numberAttributes) }
            let timeName = axis("time", .int64(times), timeAttributes)
            let stepName = axis("step", .float64(steps), stepAttributes)
            if hasLevel { _ = axis(key.typeOfLevel, .float64(levels), levelAttributes(key.typeOfLevel, first)) }

            // Grid dimensions and coordinates.
            let geometry = try file.geometry(at: positions[0])
            let gridDims: [String]
            if let known = gridNames[key.grid] {
                gridDims = known
            } else {
                gridDims = registry.grid(geometry, into: &dataset)
                gridNames[key.grid] = gridDims
            }
            let gridCount = geometry.pointCount
            dims += gridDims
            shape += geometry.shape

            // Valid time over the (time, step) dimensions present.
            let validName = "valid_time"
            let timeIsDim = times.count > 1, stepIsDim = steps.count > 1
            var validDims: [String] = []
            if timeIsDim { validDims.append(timeName) }
            if stepIsDim { validDims.append(stepName) }
            var valid: [Double] = []
            for t in times { for s in steps { valid.append(Double(t) + s * 3600) } }
            let validCoordinate = registry.auxiliary(validName, dims: validDims, shape: validDims.map { $0 == timeName ? times.count : steps.count },
                                                     values: .float64(valid), attributes: validTimeAttributes)

            // Values.
            let outer = shape.dropLast(geometry.shape.count).reduce(1, *)
            var values = [Float](repeating: .nan, count: outer * gridCount)
            // float64 for the whole variable once one of its fields needs it (GRIBPrecision).
            var precise: [Double]?
            let numberIndex = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($1, $0) })
            let timeIndex = Dictionary(uniqueKeysWithValues: times.enumerated().map { ($1, $0) })
            let stepIndex = Dictionary(uniqueKeysWithValues: steps.enumerated().map { (DoubleKey($1), $0) })
            let levelIndex = Dictionary(uniqueKeysWithValues: levels.enumerated().map { (DoubleKey($1), $0) })
            for position in positions {
                let field = try file.decode(position)
                let m = field.message
                var offset = 0
                if numbers.count > 1 { offset = offset * numbers.count + (m.number.flatMap { numberIndex[$0] } ?? 0) }
                if times.count > 1 { offset = offset * times.count + (timeIndex[m.referenceTime] ?? 0) }
                if steps.count > 1 { offset = offset * steps.count + (stepIndex[DoubleKey(m.stepHours)] ?? 0) }
                if hasLevel && levels.count > 1 { offset = offset * levels.count + (levelIndex[DoubleKey(m.level)] ?? 0) }
                let base = offset * gridCount
                values.withUnsafeMutableBufferPointer { out in
                    field.values.withUnsafeBufferPointer { input in
                        for i in 0..<gridCount { out[base + i] = input[i] }
                    }
                }
                if field.preciseValues != nil, precise == nil { precise = values.map(Double.init) }
                precise?.replaceSubrange(base..<(base + gridCount), with: field.preciseValues ?? field.values.map(Double.init))
            }

            var attributes: [Attribute] = [
                Attribute("long_name", .text(first.name)),
                Attribute("units", .text(first.units)),
            ]
            if let cf = first.cfName { attributes.append(Attribute("standard_name", .text(cf))) }
            attributes += [
                Attribute("GRIB_paramId", .integers([Int64(first.paramId)])),
                Attribute("GRIB_shortName", .text(first.shortName)),
                Attribute("GRIB_typeOfLevel", .text(first.typeOfLevel)),
                Attribute("GRIB_stepType", .text(first.stepType)),
                Attribute("GRIB_gridType", .text(first.grid.gridType)),
                Attribute("GRIB_dataType", .text(first.dataType)),
                Attribute("GRIB_packingType", .text(first.packingType)),
            ]
            if key.typeOfLevel == "unknown" {
                // The surface codes ecCodes could not name tell these variables apart.
                let names = first.edition == 1 ? ["indicatorOfTypeOfLevel"] : ["typeOfFirstFixedSurface", "typeOfSecondFixedSurface"]
                for (name, code) in zip(names, first.surfaceTypes) where code != Int.min {
                    attributes.append(Attribute("GRIB_" + name, .integers([Int64(code)])))
                }
            }
            var base = key
            base.occurrence = 0
            if split.contains(base) {
                // What tells this variable from the others of the same parameter.
                let ranges = steps.map { s in messages.first { DoubleKey($0.stepHours) == DoubleKey(s) }?.stepRange ?? "" }
                attributes.append(Attribute("GRIB_stepRange", .text(ranges.joined(separator: " "))))
                if hasLevel, messages.contains(where: { $0.bottomLevel != nil }) {
                    let bottoms = levels.map { l in messages.first { DoubleKey($0.level) == DoubleKey(l) }?.bottomLevel ?? .nan }
                    attributes.append(Attribute("GRIB_bottomLevel", .doubles(bottoms)))
                }
                if key.occurrence > 0 {
                    attributes.append(Attribute("comment", .text(
                        "more fields of \(first.shortName) on \(first.typeOfLevel) than fit one variable (same member, time, step and level, other step range, layer or a repeat); this is set \(key.occurrence + 1)")))
                }
            }
            var coordinates = scalarCoordinates + [validCoordinate]
            if case .regular = geometry.layout {} else { coordinates += registry.gridAuxiliaries(gridDims) }
            attributes.append(Attribute("coordinates", .text(coordinates.joined(separator: " "))))
            dataset.variables.append(Variable(name: name, dimensions: dims, shape: shape, attributes: attributes, data: precise.map { .float64($0) } ?? .float32(values)))
        }
        registry.finish(into: &dataset)
        dataset.attributes = [
            Attribute("Conventions", .text("CF-1.8")),
            Attribute("GRIB_edition", .integers([Int64(file.messages.first?.edition ?? 0)])),
        ]
        if let centre = file.firstMessageKey("centre") { dataset.attributes.append(Attribute("GRIB_centre", .text(centre))) }
        if let institution = file.firstMessageKey("centreDescription") { dataset.attributes.append(Attribute("institution", .text(institution))) }
        return dataset
    }

    /// Variable names: the shortName, qualified by level type (then a counter) only where
    /// two variables would clash; the further variables of one parameter (`occurrence` > 0)
    /// get its name with the set's number, `t_2`.
    private static func variableNames(_ keys: [VariableKey]) -> [VariableKey: String] {
        var byBase: [String: [VariableKey]] = [:]
        for k in keys where k.occurrence == 0 { byBase[base(k), default: []].append(k) }
        var result: [VariableKey: String] = [:]
        var used: Set<String> = []
        for k in keys {
            let b = base(k)
            var name = b
            if k.occurrence > 0 {
                var first = k
                first.occurrence = 0
                name = "\(result[first] ?? b)_\(k.occurrence + 1)"
            } else if (byBase[b]?.count ?? 0) > 1 && k != byBase[b]?.first {
                name = "\(b)_\(k.typeOfLevel)"
            }
            var candidate = name
            var n = 2
            while used.contains(candidate) { candidate = "\(name)_\(n)"; n += 1 }
            used.insert(candidate)
            result[k] = candidate
        }
        return result
    }

    private static func base(_ k: VariableKey) -> String {
        k.shortName.isEmpty || k.shortName == "unknown" ? "param" : k.shortName
    }

    static let numberAttributes: [Attribute] = [
        Attribute("long_name", .text("ensemble member numerical id")),
        Attribute("units", .text("1")),
        Attribute("standard_name", .text("realization")),
    ]
    static let timeAttributes: [Attribute] = [
        Attribute("long_name", .text("initial time of forecast")),
        Attribute("standard_name", .text("forecast_reference_time")),
        Attribute("units", .text("seconds since 1970-01-01")),
        Attribute("calendar", .text("proleptic_gregorian")),
    ]
    static let stepAttributes: [Attribute] = [
        Attribute("long_name", .text("time since forecast_reference_time")),
        Attribute("standard_name", .text("forecast_period")),
        Attribute("units", .text("hours")),
    ]
    static let validTimeAttributes: [Attribute] = [
        Attribute("long_name", .text("time")),
        Attribute("standard_name", .text("time")),
        Attribute("units", .text("seconds since 1970-01-01")),
        Attribute("calendar", .text("proleptic_gregorian")),
    ]

    static func levelAttributes(_ type: String, _ m: GRIBMessage) -> [Attribute] {
        switch type {
        case "isobaricInhPa":
            [Attribute("long_name", .text("pressure")), Attribute("units", .text("hPa")), Attribute("positive", .text("down")),
             Attribute("standard_name", .text("air_pressure")), Attribute("axis", .text("Z"))]
        case "isobaricInPa":
            [Attribute("long_name", .text("pressure")), Attribute("units", .text("Pa")), Attribute("positive", .text("down")),
             Attribute("standard_name", .text("air_pressure")), Attribute("axis", .text("Z"))]
        case "hybrid":
            [Attribute("long_name", .text("hybrid level")), Attribute("units", .text("1")), Attribute("positive", .text("down")),
             Attribute("standard_name", .text("atmosphere_hybrid_sigma_pressure_coordinate")), Attribute("axis", .text("Z"))]
        case "heightAboveGround", "heightAboveSea":
            [Attribute("long_name", .text("height above the \(type == "heightAboveSea" ? "sea" : "surface")")), Attribute("units", .text("m")),
             Attribute("positive", .text("up")), Attribute("standard_name", .text("height")), Attribute("axis", .text("Z"))]
        case "depthBelowLandLayer", "depthBelowLand":
            [Attribute("long_name", .text("soil depth")), Attribute("units", .text("m")), Attribute("positive", .text("down")),
             Attribute("standard_name", .text("depth")), Attribute("axis", .text("Z"))]
        default:
            [Attribute("long_name", .text("original GRIB coordinate for key: level(\(type))")), Attribute("units", .text("1")), Attribute("axis", .text("Z"))]
        }
    }
}

/// Names coordinates so that one name always means one set of values: a second axis
/// called `time` with other values becomes `time_2`.
private struct CoordinateRegistry {
    private var coordinates: [(name: String, variable: Variable)] = []
    private var auxiliaries: [String: Variable] = [:]
    private var auxiliaryOrder: [String] = []
    private var gridAux: [[String]: [String]] = [:]
    private var gridCount = 0

    mutating func name(for base: String, values: VariableData, attributes: [Attribute]) -> String {
        var candidate = base
        var n = 2
        while let existing = coordinates.first(where: { $0.name == candidate }) {
            if existing.variable.data == values { return candidate }
            candidate = "\(base)_\(n)"
            n += 1
        }
        let isDim = values.count > 1
        coordinates.append((candidate, Variable(name: candidate, dimensions: isDim ? [candidate] : [], shape: isDim ? [values.count] : [],
                                                attributes: attributes, data: values)))
        return candidate
    }

    mutating func auxiliary(_ base: String, dims: [String], shape: [Int], values: VariableData, attributes: [Attribute]) -> String {
        var candidate = base
        var n = 2
        while let existing = auxiliaries[candidate] {
            if existing.data == values && existing.dimensions == dims { return candidate }
            candidate = "\(base)_\(n)"
            n += 1
        }
        auxiliaries[candidate] = Variable(name: candidate, dimensions: dims, shape: shape, attributes: attributes, data: values)
        auxiliaryOrder.append(candidate)
        return candidate
    }

    /// Adds the dimensions and coordinates of a grid; returns its dimension names.
    mutating func grid(_ g: GRIBGeometry, into dataset: inout Dataset) -> [String] {
        gridCount += 1
        let suffix = gridCount == 1 ? "" : "_\(gridCount)"
        let latAttributes: [Attribute] = [Attribute("units", .text("degrees_north")), Attribute("standard_name", .text("latitude")),
                                          Attribute("long_name", .text("latitude"))]
        let lonAttributes: [Attribute] = [Attribute("units", .text("degrees_east")), Attribute("standard_name", .text("longitude")),
                                          Attribute("long_name", .text("longitude"))]
        switch g.layout {
        case .regular(let lat, let lon):
            let la = "latitude" + suffix, lo = "longitude" + suffix
            dataset.dimensions += [Dimension(name: la, length: lat.count), Dimension(name: lo, length: lon.count)]
            coordinates.append((la, Variable(name: la, dimensions: [la], shape: [lat.count], attributes: latAttributes + [Attribute("axis", .text("Y"))], data: .float64(lat))))
            coordinates.append((lo, Variable(name: lo, dimensions: [lo], shape: [lon.count], attributes: lonAttributes + [Attribute("axis", .text("X"))], data: .float64(lon))))
            return [la, lo]
        case .points(let n):
            let d = "values" + suffix
            dataset.dimensions.append(Dimension(name: d, length: n))
            _ = auxiliary("latitude" + suffix, dims: [d], shape: [n], values: .float64(g.latitudes), attributes: latAttributes)
            _ = auxiliary("longitude" + suffix, dims: [d], shape: [n], values: .float64(g.longitudes), attributes: lonAttributes)
            gridAux[[d]] = ["latitude" + suffix, "longitude" + suffix]
            return [d]
        case .curvilinear(let ny, let nx):
            let y = "y" + suffix, x = "x" + suffix
            dataset.dimensions += [Dimension(name: y, length: ny), Dimension(name: x, length: nx)]
            _ = auxiliary("latitude" + suffix, dims: [y, x], shape: [ny, nx], values: .float64(g.latitudes), attributes: latAttributes)
            _ = auxiliary("longitude" + suffix, dims: [y, x], shape: [ny, nx], values: .float64(g.longitudes), attributes: lonAttributes)
            gridAux[[y, x]] = ["latitude" + suffix, "longitude" + suffix]
            return [y, x]
        }
    }

    func gridAuxiliaries(_ dims: [String]) -> [String] { gridAux[dims] ?? [] }

    /// Adds every coordinate dimension and variable to the dataset, coordinates first.
    func finish(into dataset: inout Dataset) {
        var dims: [Dimension] = []
        var coordinateVariables: [Variable] = []
        for (name, variable) in coordinates {
            if variable.dimensions == [name], dataset.dimension(name) == nil {
                dims.append(Dimension(name: name, length: variable.shape[0]))
            }
            coordinateVariables.append(variable)
        }
        let gridDims = dataset.dimensions
        dataset.dimensions = dims.filter { d in !gridDims.contains { $0.name == d.name } } + gridDims
        dataset.variables = coordinateVariables + auxiliaryOrder.compactMap { auxiliaries[$0] } + dataset.variables
    }
}
