import Foundation
import PlumeGrids
import PlumeIO

/// Driving meteorology read from GRIB 1/2 or netCDF files (the format by content, as
/// PlumeIO detects it): eastward and northward wind on pressure or model levels and the
/// surface pressure, put on a `TransportGrid` and averaged over the layers of a
/// `HybridLevels` set.
///
/// **What is read.** u: GRIB shortName `u`, netCDF `u` / `u_component_of_wind` /
/// standard_name `eastward_wind`; v likewise (`northward_wind`); surface pressure: `sp`,
/// `surface_pressure`, standard_name `surface_air_pressure`, the `ps` term of CF
/// formula_terms, or `lnsp` (ln Pa, exponentiated). The quantities may come from different
/// files: fields are matched by valid time (netCDF: CF time, plus forecast steps; GRIB:
/// dataDate/dataTime + step). u and v must have the same times and the same grid (their
/// level sets may differ); the surface pressure must exist at every one of those times
/// (extra times are ignored) unless no file has any, in which case
/// `surfacePressureWhenAbsent` is used when given.
///
/// **Vertical.** Pressure levels (GRIB isobaricInhPa / isobaricInPa; netCDF units
/// hPa/Pa/millibar or names level/plev/pressure_level/isobaricInhPa) or hybrid model
/// levels (GRIB `hybrid` with the message's pv; netCDF formula_terms `ap/b` or `a/p0/b`,
/// `hyam/hybm` or `hyai/hybi`), whose full-level pressure is the mean of the two
/// half-level pressures at the column's surface pressure. Per column, the input levels'
/// pressures p_l give a profile that is piecewise linear in p between them and constant
/// beyond the ends; each layer [p_top, p_bottom] of `levels` (interfaces
/// `levels.interfacePressures(surfacePressure:)`) gets its exact integral divided by Δp
/// (`PressureLayerMeans`).
///
/// **Horizontal, then vertical.** Each input level (and the surface pressure) is first put
/// on the transport grid: copied with reindexing when the source is the transport grid in
/// another order (north-to-south rows, longitudes from −180° or decreasing), otherwise
/// remapped first-order conservatively with weights built once per source grid. The layer
/// means are then taken column by column on the transport grid with the transport-grid
/// surface pressure (for model-level input also the level pressures).
///
/// **Records** are sorted by valid time; two fields of one quantity at the same time are
/// an error. Model time counts seconds from 1 January 00 UTC of the first record's year
/// (in the files' calendar) and goes on across year ends. Records are read lazily, through
/// a small cache of open files; `record(at:)` may be called from several tasks.
///
/// Every failure is a `IngestError.invalidValue` (or `.shapeMismatch`) whose name is the
/// file and variable and whose reason says what was expected.
public struct TransportMeteorologyFiles: TransportMeteorologySource {
    public let grid: TransportGrid
    public let levels: HybridLevels
    /// Model times of the records, s since 1 January 00 UTC of `startYear`, increasing.
    public let recordTimes: [Double]
    public let startYear: Int
    /// The files, as given.
    public let paths: [String]
    /// The CF calendar of the files' times (GRIB: proleptic Gregorian).
    public let calendar: CFCalendar
    /// The constant surface pressure used because no file holds one, Pa; nil when read.
    public let constantSurfacePressure: Double?

    struct RecordPlan: Sendable {
        var key: Int64
        var eastward: Int
        var northward: Int
        var surfacePressure: Int?
    }

    let variables: [MeteorologyVariable]
    let mappings: [MeteorologyHorizontalMapping]
    /// Index into `mappings` of each variable.
    let mappingOfVariable: [Int]
    let plans: [RecordPlan]
    let files: MeteorologyOpenFiles

    /// Indexes `paths` (keys and coordinates only; fields are read per record) and builds
    /// the horizontal mappings.
    ///
    /// - Parameters:
    ///   - paths: GRIB or netCDF files, in any order.
    ///   - grid: the transport grid of the records.
    ///   - levels: the layers the winds are averaged over.
    ///   - surfacePressureWhenAbsent: Pa, used everywhere and at all times when no file holds
    ///     a surface pressure; nil makes that an error.
    /// - Throws: `IngestError.invalidValue` naming the file, the variable and what was expected.
    public init(paths: [String], grid: TransportGrid, levels: HybridLevels, surfacePressureWhenAbsent: Double? = nil) throws(IngestError) {
        guard !paths.isEmpty else {
            throw .invalidValue(name: "meteorology files", reason: "no files given (expected GRIB or netCDF files with u, v and surface pressure)")
        }
        if let ps = surfacePressureWhenAbsent, !(ps.isFinite && ps > 0) {
            throw .invalidValue(name: "surfacePressureWhenAbsent", reason: "\(ps) Pa (expected a finite positive pressure)")
        }
        let files = MeteorologyOpenFiles()
        var variables: [MeteorologyVariable] = []
        for path in paths {
            switch try files.open(path) {
            case .grib(let file): variables += try MeteorologyGRIBIndexer.index(file)
            case .netCDF(let file): variables += try MeteorologyNetCDFIndexer.index(file)
            }
        }
        let fileList = paths.count == 1 ? paths[0] : "[\(paths.joined(separator: ", "))]"

        // One calendar for all.
        guard let first = variables.first else {
            throw .invalidValue(name: fileList, reason: "no meteorology found (expected \(MeteorologyQuantity.eastwardWind.expectation); "
                + "\(MeteorologyQuantity.northwardWind.expectation); \(MeteorologyQuantity.surfacePressure.expectation))")
        }
        let calendar = MeteorologyClock.family(first.calendar)
        for v in variables where MeteorologyClock.family(v.calendar) != calendar {
            throw MeteorologyFailure.variable(v.path, v.name, "calendar \(v.calendar.rawValue) differs from \(first.calendar.rawValue) "
                + "of \(first.context) (expected one calendar for all files)")
        }
        func describe(_ key: Int64) -> String { MeteorologyClock.describe(key, calendar: calendar) }

        // Valid time → variable, per quantity.
        func series(_ quantity: MeteorologyQuantity) throws(IngestError) -> [Int64: Int] {
            var byTime: [Int64: Int] = [:]
            for (i, v) in variables.enumerated() where v.quantity == quantity {
                for key in v.fields.keys {
                    if let other = byTime[key] {
                        throw MeteorologyFailure.variable(v.path, v.name, "a second \(quantity.rawValue) field at \(describe(key)) "
                            + "(also in \(variables[other].context); expected one field per valid time)")
                    }
                    byTime[key] = i
                }
            }
            return byTime
        }
        let eastward = try series(.eastwardWind), northward = try series(.northwardWind)
        guard !eastward.isEmpty else {
            throw .invalidValue(name: fileList, reason: "no eastward wind (expected \(MeteorologyQuantity.eastwardWind.expectation))")
        }
        guard !northward.isEmpty else {
            throw .invalidValue(name: fileList, reason: "no northward wind (expected \(MeteorologyQuantity.northwardWind.expectation))")
        }
        for key in eastward.keys.sorted() where northward[key] == nil {
            let u = variables[eastward[key] ?? 0]
            throw MeteorologyFailure.variable(u.path, u.name, "has a field at \(describe(key)) but no northward wind in \(fileList) has one "
                + "(expected u and v at the same times)")
        }
        for key in northward.keys.sorted() where eastward[key] == nil {
            let v = variables[northward[key] ?? 0]
            throw MeteorologyFailure.variable(v.path, v.name, "has a field at \(describe(key)) but no eastward wind in \(fileList) has one "
                + "(expected u and v at the same times)")
        }
        let winds = Set(eastward.values).union(northward.values).sorted()
        if let reference = winds.first {
            for i in winds where !sameBandedGrid(variables[i].grid, variables[reference].grid) {
                throw MeteorologyFailure.variable(variables[i].path, variables[i].name, "is on \(describeGrid(variables[i].grid)) but "
                    + "\(variables[reference].context) on \(describeGrid(variables[reference].grid)) (expected u and v on one grid)")
            }
        }

        // Surface pressure: sp where present, else lnsp.
        var surface = try series(.surfacePressure)
        for (key, i) in try series(.logSurfacePressure) where surface[key] == nil { surface[key] = i }
        if surface.isEmpty {
            guard surfacePressureWhenAbsent != nil else {
                throw .invalidValue(name: fileList, reason: "no surface pressure (expected \(MeteorologyQuantity.surfacePressure.expectation); "
                    + "or a constant: `plume transport --surface-pressure PA`, surfacePressureWhenAbsent in the API)")
            }
        } else {
            let sources = Set(surface.values).map { variables[$0].context }.sorted().joined(separator: ", ")
            for key in eastward.keys.sorted() where surface[key] == nil {
                throw .invalidValue(name: sources, reason: "no surface pressure at \(describe(key)), where u and v have fields "
                    + "(expected the surface pressure at every wind time)")
            }
        }

        // Horizontal mappings, one per distinct source grid.
        var mappings: [MeteorologyHorizontalMapping] = []
        var mappingOfVariable: [Int] = []
        for v in variables {
            if let i = mappings.firstIndex(where: { sameBandedGrid($0.source, v.grid) }) {
                mappingOfVariable.append(i)
            } else {
                mappingOfVariable.append(mappings.count)
                mappings.append(MeteorologyHorizontalMapping(source: v.grid, target: grid))
            }
        }

        let keys = eastward.keys.sorted()
        let plans = keys.map { key in
            RecordPlan(key: key, eastward: eastward[key] ?? 0, northward: northward[key] ?? 0,
                       surfacePressure: surface.isEmpty ? nil : surface[key])
        }
        let year = MeteorologyClock.date(keys[0], calendar: calendar).year
        let yearStart = MeteorologyClock.yearStart(year, calendar: calendar)

        self.grid = grid
        self.levels = levels
        self.paths = paths
        self.calendar = calendar
        self.startYear = year
        self.recordTimes = keys.map { Double($0 - yearStart) / 1000 }
        self.constantSurfacePressure = surface.isEmpty ? surfacePressureWhenAbsent : nil
        self.variables = variables
        self.mappings = mappings
        self.mappingOfVariable = mappingOfVariable
        self.plans = plans
        self.files = files
    }

    /// The valid date of record `index` in `calendar`.
    public func date(ofRecord index: Int) -> CFDate? {
        plans.indices.contains(index) ? MeteorologyClock.date(plans[index].key, calendar: calendar) : nil
    }

    /// Reads record `index`: its fields (each input level once), put on the transport grid
    /// and averaged over the layers.
    public func record(at index: Int) throws(IngestError) -> TransportMeteorologyRecord {
        guard plans.indices.contains(index) else {
            throw .invalidValue(name: "meteorology record", reason: "index \(index) is outside 0..<\(plans.count)")
        }
        let plan = plans[index]
        let when = MeteorologyClock.describe(plan.key, calendar: calendar)
        let surfacePressure: [Double]
        if let s = plan.surfacePressure {
            let (values, _) = try mapped(s, key: plan.key)
            let variable = variables[s]
            if let bad = values.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw MeteorologyFailure.variable(variable.path, variable.name, "surface pressure \(values[bad]) Pa at transport cell \(bad) "
                    + "at \(when) (expected positive values)")
            }
            surfacePressure = values
        } else {
            surfacePressure = [Double](repeating: constantSurfacePressure ?? 0, count: grid.cellCount)
        }
        func layerMeans(_ i: Int) throws(IngestError) -> [Double] {
            let (values, fields) = try mapped(i, key: plan.key)
            return try PressureLayerMeans.layerMeans(
                values: values, levelA: fields.map(\.a), levelB: fields.map(\.b), surfacePressures: surfacePressure,
                layers: levels, name: "\(variables[i].context) at \(when)")
        }
        return TransportMeteorologyRecord(time: recordTimes[index], surfacePressure: surfacePressure,
                                          eastwardWind: try layerMeans(plan.eastward), northwardWind: try layerMeans(plan.northward))
    }

    /// The fields of variable `i` at `key` on the transport grid, `[level, cell]` (top level
    /// first), in SI units (surface pressure: Pa, lnsp exponentiated before the remapping).
    func mapped(_ i: Int, key: Int64) throws(IngestError) -> ([Double], [MeteorologyLevelField]) {
        let variable = variables[i]
        guard let fields = variable.fields[key], !fields.isEmpty else {
            throw MeteorologyFailure.variable(variable.path, variable.name, "no field at \(MeteorologyClock.describe(key, calendar: calendar))")
        }
        let cells = variable.grid.cellCount
        var buffer: [Double] = []
        buffer.reserveCapacity(fields.count * cells)
        for field in fields {
            var values = try files.read(variable, field)
            guard values.count == cells else {
                throw .shapeMismatch(name: "\(variable.context) \(field.label)", expected: cells, actual: values.count)
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                let missing = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                let point = variable.grid.centres()[bad]
                throw MeteorologyFailure.variable(variable.path, variable.name, "\(field.label) at "
                    + "\(MeteorologyClock.describe(key, calendar: calendar)): \(missing) of \(cells) values are missing or not finite "
                    + "(first at latitude \(point.latitude)°, longitude \(point.longitude)°; expected a complete field)")
            }
            if variable.quantity == .logSurfacePressure {
                for c in values.indices { values[c] = exp(values[c]) }
            }
            if variable.scale != 1 {
                for c in values.indices { values[c] *= variable.scale }
            }
            buffer += values
        }
        let mapped = try mappings[mappingOfVariable[i]].apply(buffer, count: fields.count, name: variable.context)
        return (mapped, fields)
    }
}
