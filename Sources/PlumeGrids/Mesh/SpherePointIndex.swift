import Foundation

/// A spatial index of points on the unit sphere for radius queries by chord (straight-line)
/// distance: points are bucketed in a uniform 3-D grid of cubes of side `cellSize`.
///
/// Working in 3-D Cartesian coordinates (like GraphCast's k-d tree on mesh positions) needs
/// no special case at the poles or the dateline. Only occupied cubes are stored.
public struct SpherePointIndex: Sendable {
    /// The indexed points, unit vectors, shape [count].
    public let points: [SIMD3<Double>]
    /// Side of the bucket cubes (unit-sphere chord units).
    public let cellSize: Double
    private let cellsPerAxis: Int
    /// Occupied cube key → range in `order`.
    private let buckets: [Int: Range<Int>]
    /// Point indices grouped by cube, ascending within a cube.
    private let order: [Int32]

    /// Indexes `points` (unit vectors) in cubes of side `cellSize` (chord units; a side about
    /// the query radius is best). A non-positive or non-finite size falls back to 0.1.
    public init(points: [SIMD3<Double>], cellSize: Double) {
        let size = cellSize.isFinite && cellSize > 0 ? max(cellSize, 1e-6) : 0.1
        let n = max(1, Int((2 / size).rounded(.up)))
        self.points = points
        self.cellSize = size
        self.cellsPerAxis = n
        var groups: [Int: [Int32]] = [:]
        for (i, p) in points.enumerated() {
            groups[Self.key(p, size: size, n: n), default: []].append(Int32(i))
        }
        var order: [Int32] = []
        order.reserveCapacity(points.count)
        var buckets: [Int: Range<Int>] = [:]
        buckets.reserveCapacity(groups.count)
        for key in groups.keys.sorted() {
            let members = groups[key] ?? []
            buckets[key] = order.count..<(order.count + members.count)
            order += members
        }
        self.buckets = buckets
        self.order = order
    }

    /// Indices of the points within chord distance `radius` of `point` (a unit vector),
    /// |point − pᵢ|² ≤ radius², ascending. Empty for a negative or non-finite radius.
    public func indices(within radius: Double, of point: SIMD3<Double>) -> [Int32] {
        var found: [Int32] = []
        collect(within: radius, of: point, into: &found)
        found.sort()
        return found
    }

    /// Appends (unsorted) the indices within `radius` of `point` to `found`.
    func collect(within radius: Double, of point: SIMD3<Double>, into found: inout [Int32]) {
        guard radius.isFinite, radius >= 0, point.x.isFinite, point.y.isFinite, point.z.isFinite else { return }
        let r2 = radius * radius
        let lo = SIMD3(cell(point.x - radius), cell(point.y - radius), cell(point.z - radius))
        let hi = SIMD3(cell(point.x + radius), cell(point.y + radius), cell(point.z + radius))
        for ix in lo.x...hi.x {
            for iy in lo.y...hi.y {
                for iz in lo.z...hi.z {
                    guard let range = buckets[(ix * cellsPerAxis + iy) * cellsPerAxis + iz] else { continue }
                    for i in order[range] {
                        let q = points[Int(i)]
                        let dx = q.x - point.x, dy = q.y - point.y, dz = q.z - point.z
                        if dx * dx + dy * dy + dz * dz <= r2 { found.append(i) }
                    }
                }
            }
        }
    }

    /// Cube index of a coordinate in [−1, 1], clamped to the grid.
    private func cell(_ x: Double) -> Int {
        Self.cell(x, size: cellSize, n: cellsPerAxis)
    }

    private static func cell(_ x: Double, size: Double, n: Int) -> Int {
        let i = ((x + 1) / size).rounded(.down)
        return i.isFinite ? min(n - 1, max(0, Int(max(-1, min(Double(n), i))))) : 0
    }

    private static func key(_ p: SIMD3<Double>, size: Double, n: Int) -> Int {
        (cell(p.x, size: size, n: n) * n + cell(p.y, size: size, n: n)) * n + cell(p.z, size: size, n: n)
    }
}

extension IcosahedralMesh {
    /// GraphCast's grid2mesh radius: 0.6 × the longest finest-level edge, as a chord of the
    /// unit sphere (≈ 0.0988 for M3, 629 km at R = 6371 km).
    public var grid2meshRadius: Double { 0.6 * maxEdgeChord(level: level) }

    /// GraphCast's grid2mesh connectivity: every (grid point, mesh node) pair closer than
    /// `radius` (chord of the unit sphere, default `grid2meshRadius`), sorted by grid index,
    /// then mesh index. Points with non-finite coordinates connect to nothing.
    public func grid2meshConnectivity(points: [GeoPoint], radius: Double? = nil)
        -> (gridIndices: [Int32], meshIndices: [Int32]) {
        let r = radius ?? grid2meshRadius
        let index = SpherePointIndex(points: nodes, cellSize: r)
        var gridIndices: [Int32] = [], meshIndices: [Int32] = []
        var found: [Int32] = []
        for (i, point) in points.enumerated() {
            found.removeAll(keepingCapacity: true)
            index.collect(within: r, of: point.unitVector, into: &found)
            found.sort()
            meshIndices += found
            gridIndices += repeatElement(Int32(i), count: found.count)
        }
        return (gridIndices, meshIndices)
    }
}
