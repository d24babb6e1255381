import Foundation

/// The geometry of the transport model: a global regular latitude-longitude grid of
/// cell-centred values without pole points (latlon5.625, latlon2.8125, latlon2x3, 1.5°…).
///
/// Layout of every cell field: `[level, lat, lon]` row-major, rows **south to north**
/// (row 0 touches the south pole), columns eastward from the western edge
/// `firstWestEdge`. The longitude count must be even: the cell across the pole from
/// column i is column i + nlon/2, which the meridional reconstruction uses as its ghost.
public struct TransportGrid: Sendable, Equatable {
    /// Number of rows (latitudes), south to north.
    public let latitudeCount: Int
    /// Number of columns (longitudes), eastward.
    public let longitudeCount: Int
    /// Sphere radius, m.
    public let radius: Double
    /// Latitudes of the row edges, radians, south to north: `latitudeCount + 1` values from
    /// −π/2 to π/2 (edge j is the southern edge of row j).
    public let latitudeEdges: [Double]
    /// Western edge of column 0, radians.
    public let firstWestEdge: Double
    /// Longitude width of every cell, radians (2π / nlon).
    public let longitudeStep: Double
    /// Area of one cell of each row, m² ([lat]): R²·(sin φₙ − sin φₛ)·Δλ.
    public let rowAreas: [Double]

    /// A global grid of `latitudeCount × longitudeCount` equal-angle cells (latitudes
    /// −90 + Δφ/2 … 90 − Δφ/2), the first cell's western edge at `firstWestEdgeDegrees`.
    public init(latitudeCount: Int, longitudeCount: Int, radius: Double = Sphere.earthRadius,
                firstWestEdgeDegrees: Double = 0) throws(GridError) {
        guard latitudeCount >= 2 else { throw .invalidGeometry(reason: "needs at least 2 latitudes, got \(latitudeCount)") }
        guard longitudeCount >= 4, longitudeCount % 2 == 0 else {
            throw .invalidGeometry(reason: "needs an even longitude count ≥ 4 (the ghost across the pole), got \(longitudeCount)")
        }
        guard radius > 0, radius.isFinite else { throw .invalidGeometry(reason: "radius must be positive, got \(radius)") }
        let edgesDegrees = (0...latitudeCount).map { -90 + 180 * Double($0) / Double(latitudeCount) }
        self.init(checkedEdgesDegrees: edgesDegrees, longitudeCount: longitudeCount, radius: radius,
                  firstWestEdgeDegrees: firstWestEdgeDegrees)
    }

    /// The transport geometry of a catalogue grid (e.g. `GridCatalog` "latlon2x3"): it must
    /// be global, without pole points, with latitudes ascending (south to north) and
    /// longitudes increasing, and an even number of longitudes.
    public init(_ grid: RegularLatLonGrid, radius: Double = Sphere.earthRadius) throws(GridError) {
        guard grid.latitudeStep > 0 else {
            throw .invalidGeometry(reason: "\(grid.name): latitudes must ascend from the south (step \(grid.latitudeStep))")
        }
        guard grid.longitudeStep > 0 else {
            throw .invalidGeometry(reason: "\(grid.name): longitudes must increase (step \(grid.longitudeStep))")
        }
        guard grid.isGlobal else { throw .invalidGeometry(reason: "\(grid.name) is not global") }
        guard grid.longitudeCount >= 4, grid.longitudeCount % 2 == 0 else {
            throw .invalidGeometry(reason: "\(grid.name): needs an even longitude count ≥ 4, got \(grid.longitudeCount)")
        }
        guard grid.latitudeCount >= 2 else { throw .invalidGeometry(reason: "\(grid.name): needs at least 2 latitudes") }
        guard radius > 0, radius.isFinite else { throw .invalidGeometry(reason: "radius must be positive, got \(radius)") }
        var edges = grid.rows.map(\.south)
        edges.append(grid.rows[grid.rows.count - 1].north)
        for j in 0..<grid.latitudeCount where !(edges[j + 1] > edges[j]) {
            throw .invalidGeometry(reason: "\(grid.name): row \(j) has no extent (pole points are not supported)")
        }
        guard edges[0] == -90, edges[grid.latitudeCount] == 90,
              grid.rows[0].north - grid.rows[0].south > 0.75 * grid.latitudeStep else {
            throw .invalidGeometry(reason: "\(grid.name): cells must be centred between the poles (no pole points)")
        }
        self.init(checkedEdgesDegrees: edges, longitudeCount: grid.longitudeCount, radius: radius,
                  firstWestEdgeDegrees: grid.firstLongitude - grid.longitudeStep / 2)
    }

    private init(checkedEdgesDegrees edges: [Double], longitudeCount: Int, radius: Double, firstWestEdgeDegrees: Double) {
        latitudeCount = edges.count - 1
        self.longitudeCount = longitudeCount
        self.radius = radius
        latitudeEdges = edges.map { $0 == 90 ? .pi / 2 : $0 == -90 ? -.pi / 2 : $0 * .pi / 180 }
        firstWestEdge = firstWestEdgeDegrees * .pi / 180
        longitudeStep = 2 * .pi / Double(longitudeCount)
        let dlambda = longitudeStep
        rowAreas = (0..<(edges.count - 1)).map { j in
            radius * radius * (Sphere.sinDegrees(edges[j + 1]) - Sphere.sinDegrees(edges[j])) * dlambda
        }
    }

    /// Cells per level (nlat·nlon).
    public var cellCount: Int { latitudeCount * longitudeCount }

    /// Centre latitude of row j, radians (midway between its edges).
    public func centreLatitude(row j: Int) -> Double { (latitudeEdges[j] + latitudeEdges[j + 1]) / 2 }

    /// Centre longitude of column i, radians.
    public func centreLongitude(column i: Int) -> Double { firstWestEdge + (Double(i) + 0.5) * longitudeStep }

    /// Western edge of column i, radians (also the longitude of corner column i).
    public func westEdge(column i: Int) -> Double { firstWestEdge + Double(i) * longitudeStep }

    /// Cell areas, m², `[lat, lon]`; they sum to 4πR² to round-off.
    public func cellAreas() -> [Double] {
        var out = [Double]()
        out.reserveCapacity(cellCount)
        for a in rowAreas { out.append(contentsOf: repeatElement(a, count: longitudeCount)) }
        return out
    }

    /// Smallest meridional cell width, radians (the Courant numbers of the test cases use it).
    public var smallestLatitudeStep: Double {
        (0..<latitudeCount).map { latitudeEdges[$0 + 1] - latitudeEdges[$0] }.min() ?? 0
    }
}
