import PlumeGrids
import PlumeIO

/// A netCDF data file opened for an emulator: the variables a model needs, checked once
/// (all problems reported together), then read one time record at a time, so files larger
/// than memory (MidRes is 13 GB) stream.
///
/// Layouts accepted: `[time, level, lat, lon]` for 3-D variables with `level` the model's
/// level count, `[time, lat, lon]` for 2-D ones, `[lat, lon]` or `[level, lat, lon]` for static
/// ones; dimension names `lat`/`latitude`, `lon`/`longitude`, `time`; latitudes ascending.
/// Reads are serialised by PlumeIO's netCDF lock, so one file may be read from a
/// background thread.
public final class EmulatorDataFile: @unchecked Sendable {
    public let path: String
    /// The model grid the file is on.
    public let grid: EmulatorGrid
    /// Levels of the model's 3-D variables.
    public let levels: Int
    /// Time of each record.
    public let times: [CFDate]
    /// Seconds between consecutive records (checked constant).
    public let recordIntervalSeconds: Double
    /// Cell areas in m², `[lat, lon]` row-major, when the file has the processing's cell-area variable.
    public let cellArea: [Double]?
    /// CF units of the time coordinate, for writing outputs on the same axis.
    public let timeUnits: String
    /// The time coordinate's calendar attribute, if any.
    public let calendar: String?
    /// Names of the latitude and longitude dimensions (`lat`/`latitude`, `lon`/`longitude`).
    public let latitudeName: String
    public let longitudeName: String
    /// Values and units of the `level` coordinate, when the file has one.
    public let levelCoordinate: (values: [Double], units: String?)?
    private let file: NetCDFFile
    private let variableLevels: [String: Int]
    private let hasTime: Set<String>

    /// Opens `path` and checks that every variable `model` reads is present with a usable
    /// shape, that the grid is the model's and the records are `time_step_hours` apart.
    /// `prognosticOnly`: the file only gives the initial state (its forcing comes from other
    /// files), so only the prognostic variables are required — a rollout continuing from the
    /// end of an earlier one.
    /// - Throws: `EmulatorError.dataMismatch` listing every problem.
    public init(path: String, model: ModelFile, prognosticOnly: Bool = false) throws(EmulatorError) {
        self.path = path
        let definition = model.definition
        do {
            file = try NetCDFFile(path: path)
            // Records are read once each (or at random): a 64 KiB chunk cache and a 256 KiB metadata
            // cache (one B-tree path per variable), so memory stays flat over a long rollout or an
            // epoch (with 1 MiB, reading 1,200 LowRes records grew by 7 MB, against 2.6 MB for 120).
            file.limitChunkCache(bytes: 1 << 16)
            file.limitMetadataCache(bytes: 1 << 18)
        } catch {
            throw .dataMismatch(file: path, issues: ["cannot open: \(error)"])
        }
        var issues: [String] = []
        let dataset = file.dataset
        let latName = ["lat", "latitude"].first { dataset.variable($0) != nil }
        let lonName = ["lon", "longitude"].first { dataset.variable($0) != nil }
        var latitudes: [Double] = [], longitudes: [Double] = []
        if let latName, let lonName {
            latitudes = (try? file.read(latName)) ?? []
            longitudes = (try? file.read(lonName)) ?? []
        } else {
            issues.append("no latitude/longitude coordinate variables (expected lat/latitude and lon/longitude)")
        }
        let expected = EmulatorDataFile.modelGrid(definition.grid)
        switch expected {
        case .success(let modelGrid):
            if latitudes.count != modelGrid.latitudes.count || longitudes.count != modelGrid.longitudes.count
                || zip(latitudes, modelGrid.latitudes).contains(where: { abs($0 - $1) > 1e-6 })
                || zip(longitudes, modelGrid.longitudes).contains(where: { abs($0 - $1) > 1e-6 }) {
                let first = latitudes.first.map { "\($0)" } ?? "?"
                issues.append("grid \(latitudes.count)×\(longitudes.count) (first latitude \(first)) is not the model's grid '\(definition.grid)' (\(modelGrid.latitudes.count)×\(modelGrid.longitudes.count), latitudes ascending from \(modelGrid.latitudes.first ?? 0))")
            }
        case .failure(let reason):
            issues.append("model grid '\(definition.grid)': \(reason)")
        }
        grid = EmulatorGrid(latitudes: latitudes, longitudes: longitudes)
        levels = definition.levels
        latitudeName = latName ?? "lat"
        longitudeName = lonName ?? "lon"
        if let level = dataset.variable("level"), level.shape == [definition.levels], let values = try? file.read("level") {
            levelCoordinate = (values, level.units)
        } else {
            levelCoordinate = nil
        }
        calendar = dataset.variable("time")?.attributes["calendar"]?.text

        var times: [CFDate] = []
        var units = ""
        var interval = 0.0
        if let timeVariable = dataset.variable("time"), let unitText = timeVariable.units {
            units = unitText
            do {
                let cf = try CFTimeUnits(units: unitText, calendar: timeVariable.attributes["calendar"]?.text)
                let values = try file.read("time")
                times = values.map { cf.date($0) }
                if values.count > 1 {
                    interval = (values[1] - values[0]) * cf.secondsPerUnit
                    let expectedSeconds = definition.timeStepHours * 3600
                    if let bad = values.indices.dropLast().first(where: { abs((values[$0 + 1] - values[$0]) * cf.secondsPerUnit - expectedSeconds) > 1e-3 }) {
                        issues.append("time: records \(bad) and \(bad + 1) are \((values[bad + 1] - values[bad]) * cf.secondsPerUnit / 3600) h apart, the model steps \(definition.timeStepHours) h")
                    }
                }
            } catch {
                issues.append("time: cannot decode units '\(unitText)': \(error)")
            }
        } else {
            issues.append("no 'time' coordinate with CF units")
        }
        self.times = times
        self.timeUnits = units
        recordIntervalSeconds = interval

        var variableLevels: [String: Int] = [:]
        var hasTime: Set<String> = []
        let v = definition.variables
        var needed: [(String, Bool)] = v.prognostic.map { ($0, true) }
            + (prognosticOnly ? [] : v.forcing.map { ($0, true) } + v.static.map { ($0, false) })
        if definition.task == .transport, !prognosticOnly, !v.static.contains(definition.processing.cellArea) {
            needed.append((definition.processing.cellArea, false))
        }
        for (name, timed) in needed {
            guard let variable = dataset.variable(name) else {
                issues.append("variable '\(name)' is missing (the model lists it under \(EmulatorDataFile.role(name, v)))")
                continue
            }
            var dims = variable.dimensions
            var shape = variable.shape
            if dims.first == "time" {
                hasTime.insert(name)
                dims.removeFirst()
                shape.removeFirst()
            } else if timed {
                issues.append("variable '\(name)' has dimensions \(variable.dimensions), expected time first (it is a time-varying input)")
                continue
            }
            guard shape.count >= 2, shape.suffix(2) == [latitudes.count, longitudes.count] else {
                issues.append("variable '\(name)' has shape \(variable.shape), expected […, \(latitudes.count), \(longitudes.count)] (lat, lon)")
                continue
            }
            switch shape.count {
            case 2: variableLevels[name] = 1
            case 3 where shape[0] == definition.levels: variableLevels[name] = definition.levels
            default:
                issues.append("variable '\(name)' has shape \(variable.shape), expected \(definition.levels) levels before lat, lon (or none)")
            }
        }
        self.variableLevels = variableLevels
        self.hasTime = hasTime
        let areaName = definition.processing.cellArea
        cellArea = variableLevels[areaName] == 1 && !hasTime.contains(areaName) ? try? file.read(areaName) : nil
        guard issues.isEmpty else { throw .dataMismatch(file: path, issues: issues) }
    }

    /// Levels of variable `name` (1 for a 2-D variable).
    public func levelCount(of name: String) -> Int { variableLevels[name] ?? 1 }

    /// True when the file was checked to hold `name` (every model variable, or only the
    /// prognostic ones for a file opened with `prognosticOnly`).
    public func provides(_ name: String) -> Bool { variableLevels[name] != nil }

    /// Record count.
    public var recordCount: Int { times.count }

    /// The values of `name` at record `time` (ignored for static variables), `[level, lat, lon]`
    /// or `[lat, lon]` row-major, CF-decoded.
    /// - Throws: `EmulatorError.invalidValues` on NaN or infinite values.
    public func read(_ name: String, time: Int) throws(EmulatorError) -> [Float] {
        let lat = grid.latitudes.count, lon = grid.longitudes.count
        let levels = levelCount(of: name)
        var start: [Int] = [], count: [Int] = []
        if hasTime.contains(name) {
            guard time >= 0, time < recordCount else {
                throw .invalidRequest("\(path): record \(time) of '\(name)' is outside 0 ..< \(recordCount)")
            }
            start.append(time)
            count.append(1)
        }
        if levels > 1 || (try? file.variable(name).shape.count) == (hasTime.contains(name) ? 4 : 3) {
            start.append(0)
            count.append(levels)
        }
        start += [0, 0]
        count += [lat, lon]
        let values: [Float]
        do {
            values = try file.readFloat(name, Hyperslab(start: start, count: count))
        } catch {
            throw .invalidValues(file: path, variable: name, reason: "cannot read record \(time): \(error)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValues(file: path, variable: name,
                                 reason: "value \(values[bad]) at record \(time), element \(bad): inputs must be finite")
        }
        return values
    }

    static func role(_ name: String, _ v: ModelDefinition.Variables) -> String {
        if v.prognostic.contains(name) { return "prognostic" }
        if v.forcing.contains(name) { return "forcing" }
        if v.static.contains(name) { return "static" }
        return "processing (cell area)"
    }

    /// The catalogue grid `name` as an emulator grid (regular global lat-lon only).
    static func modelGrid(_ name: String) -> Result<EmulatorGrid, ModelGridProblem> {
        do {
            let grid = try GridCatalog.grid(name)
            guard let latLon = grid as? RegularLatLonGrid else {
                return .failure(ModelGridProblem(reason: "is not a regular latitude-longitude grid"))
            }
            return .success(EmulatorGrid(latitudes: latLon.latitudes, longitudes: latLon.longitudes))
        } catch {
            return .failure(ModelGridProblem(reason: "\(error)"))
        }
    }
}

/// Why a model grid name cannot be used.
struct ModelGridProblem: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
