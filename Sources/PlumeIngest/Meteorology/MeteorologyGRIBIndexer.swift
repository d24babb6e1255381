import PlumeGrids
import PlumeIO

/// Finds u, v, sp and lnsp in a GRIB file from the messages' keys, without decoding more
/// than one message per grid: validity time = dataDate/dataTime + step, levels from
/// `typeOfLevel` (isobaricInhPa, isobaricInPa, or hybrid with the message's pv).
enum MeteorologyGRIBIndexer {
    static let quantities: [String: MeteorologyQuantity] = [
        "u": .eastwardWind, "v": .northwardWind, "sp": .surfacePressure, "lnsp": .logSurfacePressure,
    ]
    static let windLevelTypes: Set<String> = ["isobaricInhPa", "isobaricInPa", "hybrid"]

    static func index(_ file: GRIBFile) throws(IngestError) -> [MeteorologyVariable] {
        let path = file.path
        var positions: [MeteorologyQuantity: [Int]] = [:]
        for (position, m) in file.messages.enumerated() {
            if let q = quantities[m.shortName] { positions[q, default: []].append(position) }
        }
        var result: [MeteorologyVariable] = []
        for q in MeteorologyQuantity.allCases {
            guard let list = positions[q], let first = list.first else { continue }
            let messages = list.map { file.messages[$0] }
            let name = q.rawValue
            let levelTypes = Set(messages.map(\.typeOfLevel))
            if !q.isSurface {
                let unsupported = levelTypes.subtracting(windLevelTypes)
                guard unsupported.isEmpty else {
                    throw MeteorologyFailure.variable(path, name, "on typeOfLevel \(unsupported.sorted().joined(separator: ", ")) "
                        + "(expected isobaricInhPa, isobaricInPa or hybrid)")
                }
                let pressureTypes = levelTypes.subtracting(["hybrid"])
                guard !(levelTypes.contains("hybrid") && !pressureTypes.isEmpty) else {
                    throw MeteorologyFailure.variable(path, name, "on both hybrid and pressure levels (expected one kind of vertical coordinate)")
                }
            } else if levelTypes.count > 1 {
                throw MeteorologyFailure.variable(path, name, "on several level types \(levelTypes.sorted()) (expected one surface)")
            }
            let members = Set(messages.compactMap(\.number))
            guard members.count <= 1 else {
                throw MeteorologyFailure.variable(path, name, "has \(members.count) ensemble members (expected one deterministic series)")
            }
            let grids = Set(messages.map(\.grid))
            guard grids.count == 1 else {
                throw MeteorologyFailure.variable(path, name, "messages are on \(grids.count) different grids (expected one grid)")
            }
            let grid = try sourceGrid(file, position: first, variable: name)

            var halfLevels: GRIBHybridCoefficients.HalfLevels?
            if levelTypes.contains("hybrid") && !q.isSurface {
                halfLevels = try GRIBHybridCoefficients.read(file: file, position: first, path: path)
            }
            var fields: [Int64: [MeteorologyLevelField]] = [:]
            for position in list {
                let m = file.messages[position]
                let level = try levelField(m, position: position, halfLevels: halfLevels, path: path, quantity: q)
                let key = m.validTime * 1000
                if let clash = fields[key]?.first(where: { $0.a == level.a && $0.b == level.b }) {
                    throw MeteorologyFailure.variable(path, name, "two messages for \(clash.label) at "
                        + "\(MeteorologyClock.describe(key, calendar: .proleptic_gregorian)) (messages \(indexOf(clash, file)) and \(m.index); expected one)")
                }
                fields[key, default: []].append(level)
            }
            for key in fields.keys {
                fields[key]?.sort { $0.referencePressure < $1.referencePressure }
                if q.isSurface, let count = fields[key]?.count, count > 1 {
                    throw MeteorologyFailure.variable(path, name, "\(count) fields at \(MeteorologyClock.describe(key, calendar: .proleptic_gregorian)) (expected one surface field per time)")
                }
            }
            result.append(MeteorologyVariable(quantity: q, path: path, name: name, grid: grid, scale: 1,
                                              calendar: .proleptic_gregorian, fields: fields))
        }
        return result
    }

    private static func indexOf(_ field: MeteorologyLevelField, _ file: GRIBFile) -> Int {
        if case .gribMessage(let position) = field.location { return file.messages[position].index }
        return 0
    }

    private static func levelField(
        _ m: GRIBMessage, position: Int, halfLevels: GRIBHybridCoefficients.HalfLevels?, path: String, quantity: MeteorologyQuantity
    ) throws(IngestError) -> MeteorologyLevelField {
        let location = MeteorologyFieldLocation.gribMessage(position: position)
        if quantity.isSurface {
            return MeteorologyLevelField(a: 0, b: 1, label: "\(m.typeOfLevel) \(m.level)", location: location)
        }
        switch m.typeOfLevel {
        case "isobaricInhPa", "isobaricInPa":
            let pa = m.typeOfLevel == "isobaricInhPa" ? m.level * 100 : m.level
            guard pa.isFinite, pa > 0 else {
                throw MeteorologyFailure.variable(path, m.shortName, "message \(m.index): pressure level \(m.level) (expected a positive pressure)")
            }
            return MeteorologyLevelField(a: pa, b: 0, label: m.typeOfLevel == "isobaricInhPa" ? "\(formatLevel(m.level)) hPa" : "\(formatLevel(m.level)) Pa",
                                         location: location)
        default:
            guard let half = halfLevels else {
                throw MeteorologyFailure.variable(path, m.shortName, "model levels without pv coefficients")
            }
            let n = Int(m.level.rounded())
            guard Double(n) == m.level, n >= 1, n < half.a.count else {
                throw MeteorologyFailure.variable(path, m.shortName, "message \(m.index): model level \(m.level) "
                    + "(expected a whole level number 1…\(half.a.count - 1) of the \(half.a.count - 1)-level pv)")
            }
            return MeteorologyLevelField(a: 0.5 * (half.a[n - 1] + half.a[n]), b: 0.5 * (half.b[n - 1] + half.b[n]),
                                         label: "model level \(n)", location: location)
        }
    }

    /// The grid of `messages[position]` from its geometry (one decode per grid).
    private static func sourceGrid(_ file: GRIBFile, position: Int, variable: String) throws(IngestError) -> any BandedGrid {
        let geometry: GRIBGeometry
        do {
            geometry = try file.decode(position).geometry
        } catch {
            throw MeteorologyFailure.variable(file.path, variable, "cannot decode message \(file.messages[position].index): \(error)")
        }
        if let gaussian = gaussianGrid(file.messages[position].grid, geometry, name: variable) { return gaussian }
        var dataset = Dataset(format: "GRIB")
        switch geometry.layout {
        case .regular(let latitudes, let longitudes):
            dataset.variables = [
                Variable(name: "latitude", dimensions: ["latitude"], shape: [latitudes.count], data: .float64(latitudes)),
                Variable(name: "longitude", dimensions: ["longitude"], shape: [longitudes.count], data: .float64(longitudes)),
            ]
        case .points(let count):
            dataset.variables = [
                Variable(name: "latitude", dimensions: ["values"], shape: [count], data: .float64(geometry.latitudes)),
                Variable(name: "longitude", dimensions: ["values"], shape: [count], data: .float64(geometry.longitudes)),
            ]
        case .curvilinear:
            throw MeteorologyFailure.variable(file.path, variable, "is on a \(file.messages[position].grid.gridType) grid "
                + "(expected a regular lat-lon or Gaussian grid)")
        }
        return try MeteorologyGrids.banded(dataset, source: file.path, variable: variable)
    }

    /// A global Gaussian grid stored north to south with increasing longitudes, built from
    /// the message's N (and pl): GRIB 1 rounds latitudes to 0.001°, too coarse to recognise
    /// Gaussian latitudes from the coordinates alone. Nil for anything else.
    private static func gaussianGrid(_ definition: GRIBGridDefinition, _ geometry: GRIBGeometry, name: String) -> GaussianGrid? {
        guard definition.gridType == "regular_gg" || definition.gridType == "reduced_gg", let n = definition.gaussianN, n > 0,
              let firstLatitude = geometry.latitudes.first, let lastLatitude = geometry.latitudes.last, firstLatitude > lastLatitude,
              let firstLongitude = geometry.longitudes.first else { return nil }
        let grid: GaussianGrid?
        switch geometry.layout {
        case .regular(let latitudes, let longitudes):
            guard latitudes.count == 2 * n, longitudes.count == 4 * n, longitudes.count >= 2,
                  abs((longitudes[1] - longitudes[0]) * Double(4 * n) - 360) < 1e-3 else { return nil }
            grid = try? GaussianGrid(name: "gaussian-n\(n)", n: n, firstLongitude: firstLongitude)
        case .points(let count):
            guard let pl = definition.pl, pl.count == 2 * n, pl.reduce(0, +) == count else { return nil }
            grid = try? GaussianGrid(name: "gaussian-n\(n)-reduced", n: n, pointsPerRow: pl, firstLongitude: firstLongitude)
        case .curvilinear:
            return nil
        }
        // The rows must be where the message says (0.001° GRIB 1 rounding aside).
        guard let grid, let top = grid.latitudes.first, let bottom = grid.latitudes.last,
              abs(top - firstLatitude) < 0.01, abs(bottom - lastLatitude) < 0.01 else { return nil }
        return grid
    }

    static func formatLevel(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? "\(Int(v))" : "\(v)"
    }
}
