import Foundation

/// A Gaussian grid with Gaussian number N: 2N rows at the Gaussian latitudes (north to
/// south, as ECMWF writes them). Regular (`pointsPerRow` all 4N) or reduced (the GRIB
/// `pl` array, e.g. octahedral 20 + 4i). Longitudes start at `firstLongitude` in every row.
///
/// Row bounds are where the Gaussian weights put them: sin φ of the bounds are the
/// cumulative sums of the weights from the north pole, so each band's area is exactly
/// its quadrature weight × 2π and the bands tile the sphere.
public struct GaussianGrid: BandedGrid, Equatable {
    public let name: String
    public let n: Int
    public let pointsPerRow: [Int]
    public let firstLongitude: Double
    public let rows: [CellRow]
    /// Centre latitudes of the rows, degrees, north to south.
    public let latitudes: [Double]

    public init(name: String, n: Int, pointsPerRow pl: [Int]? = nil, firstLongitude: Double = 0) throws(GridError) {
        guard n > 0, n <= 8000 else {
            throw .invalidDefinition(source: name, key: "n", reason: "Gaussian number must be in 1…8000, got \(n)")
        }
        let counts = pl ?? Array(repeating: 4 * n, count: 2 * n)
        guard counts.count == 2 * n else {
            throw .invalidDefinition(source: name, key: "pl", reason: "needs 2N = \(2 * n) rows, got \(counts.count)")
        }
        guard counts.allSatisfy({ $0 > 0 }) else {
            throw .invalidDefinition(source: name, key: "pl", reason: "every row needs at least one point")
        }
        self.name = name
        self.n = n
        pointsPerRow = counts
        self.firstLongitude = firstLongitude
        let (nodes, weights) = GaussianQuadrature.nodesAndWeights(2 * n)
        latitudes = nodes.map { asin($0) * 180 / .pi }
        var rows: [CellRow] = []
        var sinNorth = 1.0
        var first = 0
        for i in 0..<(2 * n) {
            // Cumulative weights from the north; the last bound is exactly −1.
            let sinSouth = i == 2 * n - 1 ? -1 : sinNorth - weights[i]
            let width = 360 / Double(counts[i])
            rows.append(CellRow(south: asin(sinSouth) * 180 / .pi, north: asin(sinNorth) * 180 / .pi,
                                west: firstLongitude - width / 2, width: width, count: counts[i], firstCell: first,
                                centreLatitude: latitudes[i]))
            first += counts[i]
            sinNorth = sinSouth
        }
        self.rows = rows
    }

    /// The octahedral reduced Gaussian grid O`n` (ECMWF): 20 + 4i points on row i from the pole.
    public static func octahedral(name: String, n: Int) throws(GridError) -> GaussianGrid {
        let half = (0..<n).map { 20 + 4 * $0 }
        return try GaussianGrid(name: name, n: n, pointsPerRow: half + half.reversed())
    }

    public var isReduced: Bool { pointsPerRow.contains { $0 != 4 * n } }
    public var shape: [Int] { isReduced ? [cellCount] : [2 * n, 4 * n] }
}
