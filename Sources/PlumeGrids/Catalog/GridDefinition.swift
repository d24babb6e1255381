import Foundation
import Yams

/// A grid as written in `Grids/NAME.yaml`:
///
///     name: latlon5.625
///     type: latlon                  # latlon | gaussian | octahedral | icosahedral
///     latitudes: {first: -87.1875, step: 5.625, count: 32}
///     longitudes: {first: 0, step: 5.625, count: 64}
///
///     type: gaussian                # regular (4N per row) unless pl is given
///     n: 80
///     pl: [20, 24, …]               # optional: reduced Gaussian points per row
///
///     type: octahedral              # ECMWF O-grid: 20 + 4i points per row
///     n: 320
public struct GridDefinition: Decodable, Sendable, Equatable {
    public struct Axis: Decodable, Sendable, Equatable {
        public var first: Double
        public var step: Double?
        public var last: Double?
        public var count: Int
    }

    public var name: String?
    public var description: String?
    public var type: String
    public var latitudes: Axis?
    public var longitudes: Axis?
    public var n: Int?
    public var pl: [Int]?
    public var firstLongitude: Double?
    public var level: Int?

    enum CodingKeys: String, CodingKey {
        case name, description, type, latitudes, longitudes, n, pl, level
        case firstLongitude = "first_longitude"
    }

    /// Parses YAML text; `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws(GridError) -> GridDefinition {
        do {
            return try YAMLDecoder().decode(GridDefinition.self, from: text)
        } catch let error as DecodingError {
            throw .invalidDefinition(source: source, key: error.definitionKeyPath, reason: error.definitionReason)
        } catch {
            throw .unreadable(source: source, reason: "not valid YAML: \(error)")
        }
    }

    /// Builds the grid; `fallbackName` is used when the file has no `name`.
    public func makeGrid(fallbackName: String, source: String) throws(GridError) -> any Grid {
        do {
            return try build(fallbackName: fallbackName, source: source)
        } catch .invalidDefinition(_, let key, let reason) {
            // Constructors name the grid; in a definition file the file is the place to fix.
            throw .invalidDefinition(source: source, key: key, reason: reason)
        }
    }

    private func build(fallbackName: String, source: String) throws(GridError) -> any Grid {
        let name = self.name ?? fallbackName
        switch type {
        case "latlon":
            guard let lat = latitudes else { throw .invalidDefinition(source: source, key: "latitudes", reason: "required for type latlon") }
            guard let lon = longitudes else { throw .invalidDefinition(source: source, key: "longitudes", reason: "required for type latlon") }
            let latStep = try Self.step(lat, source: source, key: "latitudes", circle: false)
            let lonStep = try Self.step(lon, source: source, key: "longitudes", circle: true)
            return try RegularLatLonGrid(name: name, firstLatitude: lat.first, latitudeStep: latStep, latitudeCount: lat.count,
                                         firstLongitude: lon.first, longitudeStep: lonStep, longitudeCount: lon.count)
        case "gaussian":
            guard let n else { throw .invalidDefinition(source: source, key: "n", reason: "required for type gaussian") }
            return try GaussianGrid(name: name, n: n, pointsPerRow: pl, firstLongitude: firstLongitude ?? 0)
        case "octahedral":
            guard let n else { throw .invalidDefinition(source: source, key: "n", reason: "required for type octahedral") }
            return try GaussianGrid.octahedral(name: name, n: n)
        case "icosahedral":
            guard let level else { throw .invalidDefinition(source: source, key: "level", reason: "required for type icosahedral (0…6)") }
            return try IcosahedralMesh(name: name, level: level)
        default:
            throw .invalidDefinition(source: source, key: "type",
                                     reason: "unknown grid type '\(type)' (expected latlon, gaussian, octahedral or icosahedral)")
        }
    }

    private static func step(_ axis: Axis, source: String, key: String, circle: Bool) throws(GridError) -> Double {
        guard axis.count > 0 else { throw .invalidDefinition(source: source, key: "\(key).count", reason: "must be positive") }
        if let step = axis.step { return step }
        if let last = axis.last { return axis.count == 1 ? 0 : (last - axis.first) / Double(axis.count - 1) }
        if circle { return 360 / Double(axis.count) }
        throw .invalidDefinition(source: source, key: key, reason: "give 'step' or 'last'")
    }
}
