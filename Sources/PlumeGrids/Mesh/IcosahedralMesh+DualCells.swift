import Foundation

/// The `Grid` view of an icosahedral mesh: node-centred dual cells.
extension IcosahedralMesh {
    /// Node positions in degrees (latitude asin z, longitude atan2(y, x) in (−180, 180]),
    /// shape [nodeCount].
    public func centres() -> [GeoPoint] {
        nodes.map(SphericalGeometry.geoPoint)
    }

    /// Centroids of the finest-level faces projected onto the sphere, unit vectors,
    /// shape [faceCount]: the corners of the dual cells.
    public func faceCentres() -> [SIMD3<Double>] {
        faces.map { f in
            let a = nodes[Int(f.x)], b = nodes[Int(f.y)], c = nodes[Int(f.z)]
            return SphericalGeometry.normalized(SIMD3(a.x + b.x + c.x, a.y + b.y + c.y, a.z + b.z + c.z))
        }
    }

    /// Corners of each node's dual cell in degrees, counter-clockwise seen from outside:
    /// the projected centroids of the surrounding faces, shape [nodeCount][6]; the 12
    /// pentagons repeat their last corner (SCRIP needs one corner count for all cells).
    public func corners() -> [[GeoPoint]] {
        let centroids = faceCentres().map(SphericalGeometry.geoPoint)
        return (0..<nodes.count).map { node in
            (0..<6).map { k in centroids[Int(nodeFaces[node * 6 + k])] }
        }
    }

    /// Exact areas of the dual cells on the unit sphere (steradians), shape [nodeCount]:
    /// the sum of the spherical triangles (node, corner k, corner k+1), each by Van Oosterom &
    /// Strackee's formula. The cells tile the sphere, so the areas sum to 4π to round-off.
    public func cellAreas() -> [Double] {
        let centroids = faceCentres()
        var areas = [Double](repeating: 0, count: nodes.count)
        for node in 0..<nodes.count {
            let p = nodes[node], n = Int(valences[node])
            var area = 0.0
            for k in 0..<n {
                let a = centroids[Int(nodeFaces[node * 6 + k])]
                let b = centroids[Int(nodeFaces[node * 6 + (k + 1) % n])]
                area += SphericalGeometry.triangleArea(p, a, b)
            }
            areas[node] = area
        }
        return areas
    }

    /// For each node the faces around it in counter-clockwise order (seen from outside),
    /// starting with the lowest face index: [nodeCount × 6] (5-face rings padded with their
    /// last face) and the ring sizes. Needs a closed, consistently oriented triangulation
    /// with at most 6 faces per node, as every refined icosahedron is.
    static func faceRings(faces: [SIMD3<Int32>], nodeCount: Int) throws(GridError) -> (faces: [Int32], valences: [UInt8]) {
        // Face (a, b, c) seen from a goes from neighbour b to neighbour c counter-clockwise.
        var from = [Int32](repeating: -1, count: nodeCount * 6)
        var to = [Int32](repeating: -1, count: nodeCount * 6)
        var face = [Int32](repeating: -1, count: nodeCount * 6)
        var count = [UInt8](repeating: 0, count: nodeCount)
        for (index, f) in faces.enumerated() {
            for (v, b, c) in [(f.x, f.y, f.z), (f.y, f.z, f.x), (f.z, f.x, f.y)] {
                guard count[Int(v)] < 6 else { throw Self.broken("node \(v) has more than 6 faces") }
                let slot = Int(v) * 6 + Int(count[Int(v)])
                from[slot] = b; to[slot] = c; face[slot] = Int32(index)
                count[Int(v)] += 1
            }
        }
        var ring = [Int32](repeating: -1, count: nodeCount * 6)
        for v in 0..<nodeCount {
            let n = Int(count[v]), base = v * 6
            var slot = 0
            for k in 0..<n {
                ring[base + k] = face[base + slot]
                let next = to[base + slot]
                guard let following = (0..<n).first(where: { from[base + $0] == next }) else {
                    throw Self.broken("open or inconsistently oriented triangulation at node \(v)")
                }
                slot = following
            }
            guard slot == 0 else { throw Self.broken("face ring of node \(v) does not close") }
            for k in n..<6 { ring[base + k] = ring[base + n - 1] }
        }
        return (ring, count)
    }

    private static func broken(_ reason: String) -> GridError {
        .invalidDefinition(source: "icosahedral mesh", key: "faces", reason: reason)
    }
}
