import Foundation

/// Where a point lies in an icosahedral mesh: the finest-level face containing it and the
/// point's barycentric weights on that face's 3 nodes (GraphCast's mesh2grid senders).
public struct MeshLocation: Sendable, Equatable {
    /// Index of the containing face in `IcosahedralMesh.faces`.
    public var face: Int
    /// The face's nodes, counter-clockwise seen from outside.
    public var nodes: SIMD3<Int32>
    /// Weights of `nodes`: non-negative, summing to 1, with Σ wᵢ·nodeᵢ parallel to the point
    /// (planar barycentric coordinates of the point's central projection onto the face's
    /// plane, proportional to the triple products p·(b×c), p·(c×a), p·(a×b)).
    public var weights: SIMD3<Double>

    public init(face: Int, nodes: SIMD3<Int32>, weights: SIMD3<Double>) {
        self.face = face
        self.nodes = nodes
        self.weights = weights
    }
}

extension IcosahedralMesh {
    /// The finest-level face containing `point` (any non-zero vector; it is normalised) and
    /// its barycentric weights, or nil for a zero or non-finite vector.
    ///
    /// Descends the refinement hierarchy: the best of the 20 icosahedron faces, then the best
    /// of the 4 children at every level, "best" being the largest smallest signed distance
    /// to the face's 3 great circles. Children tile their parent exactly (midpoints lie on the
    /// parent's edges), so this finds a containing face; a point on an edge or at a node
    /// gets one of the faces that share it. O(20 + 4L) per point.
    public func locate(_ point: SIMD3<Double>) -> MeshLocation? {
        let norm = SphericalGeometry.dot(point, point).squareRoot()
        guard norm.isFinite, norm > 0 else { return nil }
        let p = SIMD3(point.x / norm, point.y / norm, point.z / norm)
        var best = 0, bestScore = -Double.infinity
        for (index, f) in levelFaces[0].enumerated() {
            let s = score(f, p)
            if s > bestScore { best = index; bestScore = s }
        }
        if level > 0 {
            for l in 1...level {
                let parent = best
                bestScore = -.infinity
                for index in (4 * parent)..<(4 * parent + 4) {
                    let s = score(levelFaces[l][index], p)
                    if s > bestScore { best = index; bestScore = s }
                }
            }
        }
        if bestScore < -1e-12 {
            // Not expected (children tile their parent); a full search keeps the answer right.
            for (index, f) in faces.enumerated() {
                let s = score(f, p)
                if s > bestScore { best = index; bestScore = s }
            }
        }
        let f = faces[best]
        let a = nodes[Int(f.x)], b = nodes[Int(f.y)], c = nodes[Int(f.z)]
        let w = SIMD3(max(0, SphericalGeometry.dot(p, SphericalGeometry.cross(b, c))),
                      max(0, SphericalGeometry.dot(p, SphericalGeometry.cross(c, a))),
                      max(0, SphericalGeometry.dot(p, SphericalGeometry.cross(a, b))))
        let total = w.x + w.y + w.z
        let weights = total > 0 ? SIMD3(w.x / total, w.y / total, w.z / total) : SIMD3(repeating: 1.0 / 3)
        return MeshLocation(face: best, nodes: f, weights: weights)
    }

    /// `locate` for a point in degrees; nil for non-finite coordinates.
    public func locate(_ point: GeoPoint) -> MeshLocation? {
        guard point.latitude.isFinite, point.longitude.isFinite else { return nil }
        return locate(point.unitVector)
    }

    /// GraphCast's mesh2grid connectivity: for every point, the 3 nodes of the finest-level
    /// face containing it. Arrays of shape [3·points.count], point-major (point i's edges are
    /// 3i…3i+2): sender mesh node, receiving point index, and barycentric weight.
    /// Throws for a point with non-finite coordinates.
    public func mesh2gridConnectivity(points: [GeoPoint]) throws(GridError)
        -> (meshIndices: [Int32], gridIndices: [Int32], weights: [Double]) {
        var meshIndices: [Int32] = [], gridIndices: [Int32] = [], weights: [Double] = []
        meshIndices.reserveCapacity(3 * points.count)
        gridIndices.reserveCapacity(3 * points.count)
        weights.reserveCapacity(3 * points.count)
        for (i, point) in points.enumerated() {
            guard let location = locate(point) else {
                throw .invalidDefinition(source: name, key: "points[\(i)]",
                                         reason: "not a finite point (\(point.latitude), \(point.longitude))")
            }
            for k in 0..<3 {
                meshIndices.append(location.nodes[k])
                gridIndices.append(Int32(i))
                weights.append(location.weights[k])
            }
        }
        return (meshIndices, gridIndices, weights)
    }

    /// Smallest signed distance (sine of the angle) from p to the great circles of the
    /// face's edges: positive inside the face, negative outside.
    private func score(_ f: SIMD3<Int32>, _ p: SIMD3<Double>) -> Double {
        let a = nodes[Int(f.x)], b = nodes[Int(f.y)], c = nodes[Int(f.z)]
        let n0 = SphericalGeometry.cross(b, c), n1 = SphericalGeometry.cross(c, a), n2 = SphericalGeometry.cross(a, b)
        let s0 = SphericalGeometry.dot(p, n0) / SphericalGeometry.dot(n0, n0).squareRoot()
        let s1 = SphericalGeometry.dot(p, n1) / SphericalGeometry.dot(n1, n1).squareRoot()
        let s2 = SphericalGeometry.dot(p, n2) / SphericalGeometry.dot(n2, n2).squareRoot()
        return min(s0, s1, s2)
    }
}
