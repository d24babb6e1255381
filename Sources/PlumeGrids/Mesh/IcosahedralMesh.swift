import Foundation

/// GraphCast's icosahedral multimesh M_L as a grid: the regular icosahedron (orientation and
/// order of `Icosahedron`) with every triangle split into 4 `level` times (edge midpoints
/// projected onto the sphere), and the triangle edges of all levels 0…L merged.
///
/// Sizes (GraphCast, Lam et al. 2023), level 0…6: nodes 10·4^L + 2 = 12, 42, 162, 642, 2562, 10242,
/// 40962; faces 20·4^L; multimesh directed edges 60·(4^(L+1) − 1)/3 = 60, 300, 1260,
/// 5100, 20460, 81900, 327660; longest edge chord of level L ≈ 6699, 3938, 2070, 1049,
/// 526, 263, 132 km (R = 6371 km).
///
/// Nodes are nested: the nodes of level l are nodes 0..<(10·4^l + 2) of every finer level,
/// and face k of level l is split into faces 4k…4k+3 of level l + 1 (GraphCast's order).
///
/// As a `Grid` the cells are the mesh nodes (values have shape [nodeCount]); each cell is
/// the node's dual cell, bounded by great-circle arcs between the centroids (projected onto
/// the sphere) of the 6 faces around the node (5 around the 12 icosahedron vertices).
public struct IcosahedralMesh: Grid, Equatable {
    /// The finest level this type builds (GraphCast's M6, 40962 nodes).
    public static let maximumLevel = 6

    public let name: String
    /// Refinement level L of the finest mesh, 0…6.
    public let level: Int
    /// Node positions, unit vectors (x towards 0° E on the equator, z north), shape [nodeCount].
    public let nodes: [SIMD3<Double>]
    /// Faces of level 0…L (`levelFaces[l]` has 20·4^l faces), node indices counter-clockwise
    /// seen from outside.
    public let levelFaces: [[SIMD3<Int32>]]
    /// For each node, the indices of the finest-level faces around it, counter-clockwise seen
    /// from outside, 6 per node (row-major [nodeCount, 6]); 5-face rings repeat their last face.
    public let nodeFaces: [Int32]
    /// Number of faces (= neighbours) around each node in the finest level: 5 or 6, shape [nodeCount].
    public let valences: [UInt8]

    /// Builds M_`level`; `name` defaults to "icosahedral-m<level>".
    public init(name: String? = nil, level: Int) throws(GridError) {
        let name = name ?? "icosahedral-m\(level)"
        guard (0...Self.maximumLevel).contains(level) else {
            throw .invalidDefinition(source: name, key: "level", reason: "must be 0…\(Self.maximumLevel), got \(level)")
        }
        var mesh = SphericalTriangulation.icosahedron
        var levelFaces = [mesh.faces]
        for _ in 0..<level {
            mesh = mesh.splitIntoFour()
            levelFaces.append(mesh.faces)
        }
        self.name = name
        self.level = level
        self.nodes = mesh.vertices
        self.levelFaces = levelFaces
        (self.nodeFaces, self.valences) = try Self.faceRings(faces: mesh.faces, nodeCount: mesh.vertices.count)
    }

    /// Faces of the finest level, counter-clockwise seen from outside, shape [20·4^L].
    public var faces: [SIMD3<Int32>] { levelFaces[level] }

    /// Number of mesh nodes, 10·4^L + 2.
    public var nodeCount: Int { nodes.count }
    public var cellCount: Int { nodes.count }
    public var shape: [Int] { [nodes.count] }
    public var isGlobal: Bool { true }

    /// Longest edge of level `level` as a chord of the unit sphere (GraphCast's
    /// `_get_max_edge_distance`); multiply by the radius for metres.
    public func maxEdgeChord(level: Int) -> Double {
        guard levelFaces.indices.contains(level) else { return 0 }
        var longest = 0.0
        for f in levelFaces[level] {
            let a = nodes[Int(f.x)], b = nodes[Int(f.y)], c = nodes[Int(f.z)]
            longest = max(longest, SphericalGeometry.chord(a, b), SphericalGeometry.chord(b, c), SphericalGeometry.chord(c, a))
        }
        return longest
    }

    /// Directed edges (both directions) of the triangles of one level, sorted by receiver,
    /// then sender; shape [2·3·20·4^l / 2] = [60·4^l]. Empty for a level outside 0…L.
    public func edges(ofLevel level: Int) -> (senders: [Int32], receivers: [Int32]) {
        guard levelFaces.indices.contains(level) else { return ([], []) }
        return Self.directedEdges(faceLists: [levelFaces[level]], nodeCount: nodes.count)
    }

    /// The multimesh: directed edges (both directions) of the triangles of all levels 0…L on
    /// the finest nodes, deduplicated, sorted by receiver, then sender; shape [60·(4^(L+1) − 1)/3].
    public func multimeshEdges() -> (senders: [Int32], receivers: [Int32]) {
        Self.directedEdges(faceLists: levelFaces, nodeCount: nodes.count)
    }

    /// Both directions of every face edge, deduplicated, sorted by (receiver, sender) with a
    /// counting sort over receivers (O(E), deterministic).
    static func directedEdges(faceLists: [[SIMD3<Int32>]], nodeCount: Int) -> (senders: [Int32], receivers: [Int32]) {
        var counts = [Int](repeating: 0, count: nodeCount + 1)
        for faces in faceLists {
            for f in faces {
                counts[Int(f.x)] += 2; counts[Int(f.y)] += 2; counts[Int(f.z)] += 2
            }
        }
        var starts = [Int](repeating: 0, count: nodeCount + 1)
        for i in 0..<nodeCount { starts[i + 1] = starts[i] + counts[i] }
        var fill = starts
        var senders = [Int32](repeating: 0, count: starts[nodeCount])
        for faces in faceLists {
            for f in faces {
                for (s, r) in [(f.x, f.y), (f.y, f.z), (f.z, f.x)] {
                    senders[fill[Int(r)]] = s; fill[Int(r)] += 1
                    senders[fill[Int(s)]] = r; fill[Int(s)] += 1
                }
            }
        }
        var outSenders: [Int32] = [], outReceivers: [Int32] = []
        outSenders.reserveCapacity(senders.count / 2)
        outReceivers.reserveCapacity(senders.count / 2)
        for r in 0..<nodeCount {
            var bucket = senders[starts[r]..<starts[r + 1]]
            bucket.sort()
            var previous: Int32 = -1
            for s in bucket where s != previous {
                outSenders.append(s)
                outReceivers.append(Int32(r))
                previous = s
            }
        }
        return (outSenders, outReceivers)
    }
}
