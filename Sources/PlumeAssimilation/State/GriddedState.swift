import Foundation
import PlumeGrids
import PlumeIO

/// A model state at one time: named fields on a regular longitude–latitude grid, each
/// `[level, lat, lon]` (level-major, then latitude, then longitude), with what the
/// observation operator needs to place observations in the vertical.
public struct GriddedState: Sendable, Equatable {
    public var grid: RegularLatLonGrid
    public var levelCount: Int
    public var time: CFDate
    /// Values `[level, lat, lon]` by Plume's variable names (`h` m, `u`, `v` m/s, `t` K, `co2` mol/mol…).
    public var fields: [String: [Double]]
    /// The pressure of each level (Pa), the same over the globe; nil when the state has no
    /// pressure levels (a single-level or height-coordinate model).
    public var levelPressuresPa: [Double]?
    /// The height above sea level (m) of every point `[level, lat, lon]`; nil when not known.
    public var levelHeightsM: [Double]?
    /// The model's surface height (m) `[lat, lon]`; nil for a flat surface at sea level.
    public var surfaceHeightM: [Double]?

    /// - Throws: `AssimilationError.shape` when a field, the level pressures or heights do
    ///   not match the grid and level count.
    public init(grid: RegularLatLonGrid, levelCount: Int = 1, time: CFDate, fields: [String: [Double]],
                levelPressuresPa: [Double]? = nil, levelHeightsM: [Double]? = nil, surfaceHeightM: [Double]? = nil) throws(AssimilationError) {
        let points = levelCount * grid.latitudeCount * grid.longitudeCount
        guard levelCount >= 1 else { throw .shape(what: "the state", expected: "at least one level", found: "\(levelCount)") }
        for (name, values) in fields.sorted(by: { $0.key < $1.key }) where values.count != points {
            throw .shape(what: "field '\(name)'", expected: "\(points) values [\(levelCount), \(grid.latitudeCount), \(grid.longitudeCount)]", found: "\(values.count)")
        }
        if let levelPressuresPa, levelPressuresPa.count != levelCount || levelPressuresPa.contains(where: { !($0 > 0) }) {
            throw .shape(what: "level pressures", expected: "\(levelCount) positive values (Pa)", found: "\(levelPressuresPa)")
        }
        if let levelHeightsM, levelHeightsM.count != points {
            throw .shape(what: "level heights", expected: "\(points) values", found: "\(levelHeightsM.count)")
        }
        if let surfaceHeightM, surfaceHeightM.count != grid.latitudeCount * grid.longitudeCount {
            throw .shape(what: "surface height", expected: "\(grid.latitudeCount * grid.longitudeCount) values [lat, lon]", found: "\(surfaceHeightM.count)")
        }
        self.grid = grid
        self.levelCount = levelCount
        self.time = time
        self.fields = fields
        self.levelPressuresPa = levelPressuresPa
        self.levelHeightsM = levelHeightsM
        self.surfaceHeightM = surfaceHeightM
    }

    /// Points per level.
    public var horizontalCount: Int { grid.latitudeCount * grid.longitudeCount }
    /// Points in each field.
    public var pointCount: Int { levelCount * horizontalCount }

    /// Latitude of row `i` (degrees north).
    public func latitude(_ i: Int) -> Double { grid.firstLatitude + Double(i) * grid.latitudeStep }
    /// Longitude of column `j` (degrees east).
    public func longitude(_ j: Int) -> Double { grid.firstLongitude + Double(j) * grid.longitudeStep }
}

/// What is wrong with a state, an observation set or an analysis configuration.
public enum AssimilationError: Error, Sendable, Equatable, CustomStringConvertible {
    case shape(what: String, expected: String, found: String)
    case missingVariable(String, available: [String])
    case invalidSetting(key: String, expected: String, found: String)
    case notConverged(what: String, iterations: Int, residual: Double)

    public var description: String {
        switch self {
        case .shape(let what, let expected, let found): "\(what): expected \(expected), found \(found)"
        case .missingVariable(let name, let available): "the state has no variable '\(name)' (it has \(available.sorted().joined(separator: ", ")))"
        case .invalidSetting(let key, let expected, let found): "\(key): expected \(expected), found \(found)"
        case .notConverged(let what, let iterations, let residual): "\(what) did not converge in \(iterations) iterations (relative residual \(residual))"
        }
    }
}
