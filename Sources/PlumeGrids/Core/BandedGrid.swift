/// One row of a banded grid: `count` cells of equal longitude width between two
/// parallels. Cell k spans longitudes `west + k·width … west + (k+1)·width`.
public struct CellRow: Sendable, Equatable {
    /// Southern and northern bounds in degrees (south < north).
    public var south: Double
    public var north: Double
    /// Where the first cell begins, degrees: its western edge when longitudes increase
    /// (`direction` +1), its eastern edge when they decrease (−1).
    public var west: Double
    /// Longitude width of every cell, degrees (360/count for a full circle).
    public var width: Double
    public var count: Int
    /// Index of the row's first cell in the grid's cell order.
    public var firstCell: Int
    /// Latitude of the cell centres, degrees (the grid's own latitude, e.g. Gaussian).
    public var centreLatitude: Double
    /// +1 when cell k+1 lies east of cell k, −1 when west (longitudes decreasing).
    public var direction: Int

    public init(south: Double, north: Double, west: Double, width: Double, count: Int, firstCell: Int,
                centreLatitude: Double, direction: Int = 1) {
        self.south = south
        self.north = north
        self.west = west
        self.width = width
        self.count = count
        self.firstCell = firstCell
        self.centreLatitude = centreLatitude
        self.direction = direction
    }

    /// Whether the row's cells go all the way round.
    public var isFullCircle: Bool { abs(width * Double(count) - 360) < 1e-9 }

    /// Western edge of the k-th cell in storage order, degrees.
    @inlinable
    public func westEdge(of k: Int) -> Double {
        direction > 0 ? west + Double(k) * width : west - Double(k + 1) * width
    }
}

/// A grid made of rows of equal-width cells between parallels: regular lat-lon, regular
/// and reduced Gaussian. Conservative remapping between such grids is exact (the overlap
/// of two cells is a band: Δ(sin φ)·Δλ).
public protocol BandedGrid: Grid {
    /// Rows in cell order.
    var rows: [CellRow] { get }
}

extension BandedGrid {
    public var cellCount: Int { rows.reduce(0) { $0 + $1.count } }

    public var isGlobal: Bool {
        guard let first = rows.first, let last = rows.last else { return false }
        let south = min(first.south, last.south), north = max(first.north, last.north)
        return south <= -90 && north >= 90 && rows.allSatisfy(\.isFullCircle)
    }

    public func centres() -> [GeoPoint] {
        var out: [GeoPoint] = []
        out.reserveCapacity(cellCount)
        for row in rows {
            for k in 0..<row.count {
                out.append(GeoPoint(latitude: row.centreLatitude, longitude: row.westEdge(of: k) + row.width / 2))
            }
        }
        return out
    }

    public func corners() -> [[GeoPoint]] {
        var out: [[GeoPoint]] = []
        out.reserveCapacity(cellCount)
        for row in rows {
            for k in 0..<row.count {
                let w = row.westEdge(of: k), e = w + row.width
                out.append([GeoPoint(latitude: row.south, longitude: w), GeoPoint(latitude: row.south, longitude: e),
                            GeoPoint(latitude: row.north, longitude: e), GeoPoint(latitude: row.north, longitude: w)])
            }
        }
        return out
    }

    public func cellAreas() -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(cellCount)
        for row in rows {
            let a = Sphere.bandArea(south: row.south, north: row.north, west: 0, east: row.width)
            out.append(contentsOf: repeatElement(a, count: row.count))
        }
        return out
    }
}
