/// A horizontal grid on the sphere: cells with centres, bounds and exact areas.
///
/// Cell order is the order of the values of a field on this grid (for lat-lon grids
/// row-major, latitude outermost, as `[lat, lon]` arrays). Angles are in degrees;
/// areas are on the unit sphere (steradians) — multiply by R² for m².
public protocol Grid: Sendable {
    /// Short name, e.g. "latlon5.625" or "gaussian-n80".
    var name: String { get }
    /// Number of cells.
    var cellCount: Int { get }
    /// Shape of a field on this grid, outermost first ([lat, lon] for rectilinear grids,
    /// [cells] otherwise).
    var shape: [Int] { get }
    /// Cell centres in degrees (latitude in [−90, 90], longitude as defined by the grid).
    func centres() -> [GeoPoint]
    /// Cell corners in degrees, counter-clockwise, the same count for every cell
    /// (SCRIP's `grid_corner_lat/lon`): 4 for cells bounded by parallels and meridians.
    func corners() -> [[GeoPoint]]
    /// Exact cell areas on the unit sphere (steradians).
    func cellAreas() -> [Double]
    /// Whether the cells cover the whole sphere.
    var isGlobal: Bool { get }
}

/// A point on the sphere in degrees.
public struct GeoPoint: Sendable, Equatable, Hashable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The unit vector (x towards 0° E on the equator, z towards the north pole).
    public var unitVector: SIMD3<Double> {
        let phi = latitude * .pi / 180, lambda = longitude * .pi / 180
        return SIMD3(cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi))
    }
}

import Foundation

/// Failures building grids: the definition (file or key) and what was expected.
public enum GridError: Error, CustomStringConvertible, Sendable {
    case invalidDefinition(source: String, key: String, reason: String)
    case unknownGrid(name: String, searched: [String])
    case unreadable(source: String, reason: String)
    /// The grid cannot serve where it is used (the transport model: not global, pole points, odd longitude count…).
    case invalidGeometry(reason: String)

    public var description: String {
        switch self {
        case .invalidDefinition(let source, let key, let reason): "\(source): '\(key)': \(reason)"
        case .unknownGrid(let name, let searched):
            "no grid named '\(name)' (looked for \(name).yaml in \(searched.joined(separator: ", ")))"
        case .unreadable(let source, let reason): "\(source): \(reason)"
        case .invalidGeometry(let reason): "transport grid: \(reason)"
        }
    }
}
