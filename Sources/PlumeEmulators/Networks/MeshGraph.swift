import Foundation
import PlumeGrids

/// The three graphs of a `MeshGNN` and their static features, in Double (GraphCast's
/// construction): grid → mesh (encoder), the multimesh (processor), mesh → grid (decoder).
///
/// Grid nodes are the cell centres of the `EmulatorGrid`, numbered lat-major
/// (`lat * nlon + lon`); mesh nodes are those of the icosahedral mesh of level `meshLevel`.
///
/// - grid → mesh: every (grid point, mesh node) pair closer than 0.6 × the longest edge of
///   the finest mesh (chord of the unit sphere);
/// - multimesh: the triangle edges of all levels 0…`meshLevel`, both directions;
/// - mesh → grid: the 3 nodes of the finest-mesh triangle containing each grid point.
///
/// Node features (3): cos(lat), sin(lon), cos(lon). Edge features (4): the chord length and
/// the sender − receiver displacement in the receiver's local frame (rotated so the receiver
/// lies at lat 0, lon 0: components radial, east, north), all divided by the longest edge
/// of that graph.
public struct MeshGraph: Sendable {
    /// Directed edges of one graph with their static features.
    public struct EdgeSet: Sendable, Equatable {
        /// Sender node of each edge, shape [edges].
        public var senders: [Int32]
        /// Receiver node of each edge, shape [edges].
        public var receivers: [Int32]
        /// Features, row-major [edges, `MeshGraph.edgeFeatureCount`]: length, then the
        /// displacement (radial, east, north) in the receiver's frame, divided by the longest edge.
        public var features: [Double]
        /// The longest edge (chord of the unit sphere) the features are divided by.
        public var longestEdge: Double

        /// Number of edges.
        public var count: Int { senders.count }
    }

    /// Features per node: cos(lat), sin(lon), cos(lon).
    public static let nodeFeatureCount = 3
    /// Features per edge: length and the 3-D displacement in the receiver's frame.
    public static let edgeFeatureCount = 4

    /// The finest mesh (nodes, faces of every level).
    public let mesh: IcosahedralMesh
    /// Number of grid nodes, lat × lon.
    public let gridNodeCount: Int
    /// Grid node features, row-major [gridNodes, 3].
    public let gridNodeFeatures: [Double]
    /// Mesh node features, row-major [meshNodes, 3].
    public let meshNodeFeatures: [Double]
    /// Senders are grid nodes, receivers mesh nodes.
    public let grid2mesh: EdgeSet
    /// Senders and receivers are mesh nodes.
    public let multimesh: EdgeSet
    /// Senders are mesh nodes, receivers grid nodes (3 per grid node, point-major).
    public let mesh2grid: EdgeSet

    /// Number of mesh nodes, 10·4^meshLevel + 2.
    public var meshNodeCount: Int { mesh.nodeCount }

    /// Builds the graphs of `grid` and the icosahedral mesh of level `meshLevel` (0…6).
    /// - Throws: `MeshGNNError.invalidGrid` for an empty grid or non-finite coordinates,
    ///   `GridError` for a mesh level outside 0…6.
    public init(grid: EmulatorGrid, meshLevel: Int) throws {
        guard !grid.latitudes.isEmpty, !grid.longitudes.isEmpty else {
            throw MeshGNNError.invalidGrid(reason: "the grid has \(grid.latitudes.count) latitudes and \(grid.longitudes.count) longitudes; both must be non-empty")
        }
        guard grid.latitudes.allSatisfy({ $0.isFinite && abs($0) <= 90 }), grid.longitudes.allSatisfy(\.isFinite) else {
            throw MeshGNNError.invalidGrid(reason: "latitudes must be finite in [-90, 90] and longitudes finite")
        }
        let mesh = try IcosahedralMesh(level: meshLevel)
        self.mesh = mesh
        var gridPoints: [GeoPoint] = []
        gridPoints.reserveCapacity(grid.latitudes.count * grid.longitudes.count)
        for lat in grid.latitudes {
            for lon in grid.longitudes { gridPoints.append(GeoPoint(latitude: lat, longitude: lon)) }
        }
        let meshPoints = mesh.nodes.map(SphericalGeometry.geoPoint)
        gridNodeCount = gridPoints.count
        gridNodeFeatures = Self.nodeFeatures(gridPoints)
        meshNodeFeatures = Self.nodeFeatures(meshPoints)

        let g2m = mesh.grid2meshConnectivity(points: gridPoints)
        grid2mesh = Self.edgeSet(senders: g2m.gridIndices, receivers: g2m.meshIndices,
                                 senderPoints: gridPoints, receiverPoints: meshPoints)
        let mm = mesh.multimeshEdges()
        multimesh = Self.edgeSet(senders: mm.senders, receivers: mm.receivers,
                                 senderPoints: meshPoints, receiverPoints: meshPoints)
        let m2g = try mesh.mesh2gridConnectivity(points: gridPoints)
        mesh2grid = Self.edgeSet(senders: m2g.meshIndices, receivers: m2g.gridIndices,
                                 senderPoints: meshPoints, receiverPoints: gridPoints)
    }

    /// cos(lat), sin(lon), cos(lon) of each point, row-major [points, 3].
    static func nodeFeatures(_ points: [GeoPoint]) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(3 * points.count)
        for p in points {
            let phi = p.latitude * .pi / 180, lambda = p.longitude * .pi / 180
            out += [cos(phi), sin(lambda), cos(lambda)]
        }
        return out
    }

    /// The edges with their features normalised by the longest edge of the set.
    static func edgeSet(senders: [Int32], receivers: [Int32],
                        senderPoints: [GeoPoint], receiverPoints: [GeoPoint]) -> EdgeSet {
        var raw: [Double] = []
        raw.reserveCapacity(edgeFeatureCount * senders.count)
        var longest = 0.0
        for (s, r) in zip(senders, receivers) {
            let f = localDisplacement(sender: senderPoints[Int(s)], receiver: receiverPoints[Int(r)])
            longest = max(longest, f[0])
            raw += f
        }
        let scale = longest > 0 ? 1 / longest : 1
        return EdgeSet(senders: senders, receivers: receivers, features: raw.map { $0 * scale }, longestEdge: longest)
    }

    /// [|d|, d·r̂, d·ê, d·n̂] for d = sender − receiver (unit vectors), with r̂, ê, n̂ the
    /// receiver's radial, east and north unit vectors: d in the frame rotated so that the
    /// receiver sits at lat 0, lon 0 (x radial, y east, z north). At a pole the longitude
    /// given fixes the east direction, so the frame stays orthonormal and finite.
    static func localDisplacement(sender: GeoPoint, receiver: GeoPoint) -> [Double] {
        let s = sender.unitVector, r = receiver.unitVector
        let d = SIMD3(s.x - r.x, s.y - r.y, s.z - r.z)
        let phi = receiver.latitude * .pi / 180, lambda = receiver.longitude * .pi / 180
        let east = SIMD3(-sin(lambda), cos(lambda), 0.0)
        let north = SIMD3(-sin(phi) * cos(lambda), -sin(phi) * sin(lambda), cos(phi))
        return [SphericalGeometry.dot(d, d).squareRoot(), SphericalGeometry.dot(d, r),
                SphericalGeometry.dot(d, east), SphericalGeometry.dot(d, north)]
    }
}
