/// A triangulation of the unit sphere: unit-vector vertices and triangular faces whose
/// vertices are listed counter-clockwise seen from outside the sphere.
public struct SphericalTriangulation: Sendable, Equatable {
    /// Vertex positions, unit vectors, shape [vertexCount].
    public var vertices: [SIMD3<Double>]
    /// Faces as indices into `vertices`, counter-clockwise seen from outside, shape [faceCount].
    public var faces: [SIMD3<Int32>]

    public init(vertices: [SIMD3<Double>], faces: [SIMD3<Int32>]) {
        self.vertices = vertices
        self.faces = faces
    }

    /// The regular icosahedron (GraphCast's orientation, see `Icosahedron`).
    public static var icosahedron: SphericalTriangulation {
        SphericalTriangulation(vertices: Icosahedron.vertices, faces: Icosahedron.faces)
    }

    /// Number of undirected edges, 3·F/2 for a closed triangulation.
    public var edgeCount: Int { faces.count * 3 / 2 }

    /// Splits every face into 4 (GraphCast's `_two_split_unit_sphere_triangle_faces`):
    /// the midpoint of every edge, projected onto the sphere, becomes a new vertex.
    ///
    /// The existing vertices keep their indices; new vertices follow in order of first
    /// use, visiting faces in order and, in face (v1, v2, v3), the edges v1v2, v2v3, v3v1.
    /// Face k becomes faces 4k…4k+3: (v1, m12, m31), (m12, v2, m23), (m31, m23, v3),
    /// (m12, m23, m31), so orientation is kept and child faces follow their parent's order.
    public func splitIntoFour() -> SphericalTriangulation {
        let vertexCount = vertices.count
        // Each undirected edge is keyed by its lower vertex: slots[lower·capacity + k] holds
        // (higher vertex, midpoint index). A vertex has at most 2 edges per face corner.
        var cornerCount = [Int](repeating: 0, count: vertexCount)
        for f in faces {
            cornerCount[Int(f.x)] += 1; cornerCount[Int(f.y)] += 1; cornerCount[Int(f.z)] += 1
        }
        let capacity = 2 * max(1, cornerCount.max() ?? 1)
        var slotOther = [Int32](repeating: -1, count: vertexCount * capacity)
        var slotMid = [Int32](repeating: -1, count: vertexCount * capacity)
        var newVertices = vertices
        newVertices.reserveCapacity(vertexCount + edgeCount)
        var newFaces: [SIMD3<Int32>] = []
        newFaces.reserveCapacity(faces.count * 4)

        var overflow: [Int64: Int32] = [:]
        func midpoint(_ a: Int32, _ b: Int32) -> Int32 {
            let lo = Int(min(a, b)), hi = max(a, b)
            let base = lo * capacity
            for k in 0..<capacity {
                let other = slotOther[base + k]
                if other == hi { return slotMid[base + k] }
                if other < 0 {
                    let m = vertices[Int(a)] + vertices[Int(b)]
                    let index = Int32(newVertices.count)
                    newVertices.append(m / (m * m).sum().squareRoot())
                    slotOther[base + k] = hi
                    slotMid[base + k] = index
                    return index
                }
            }
            // Not reached for a valid triangulation (capacity bounds the edges of a vertex);
            // kept correct anyway through a dictionary.
            let key = Int64(lo) << 32 | Int64(hi)
            if let index = overflow[key] { return index }
            let m = vertices[Int(a)] + vertices[Int(b)]
            let index = Int32(newVertices.count)
            newVertices.append(m / (m * m).sum().squareRoot())
            overflow[key] = index
            return index
        }

        for f in faces {
            let m12 = midpoint(f.x, f.y)
            let m23 = midpoint(f.y, f.z)
            let m31 = midpoint(f.z, f.x)
            newFaces.append(SIMD3(f.x, m12, m31))
            newFaces.append(SIMD3(m12, f.y, m23))
            newFaces.append(SIMD3(m31, m23, f.z))
            newFaces.append(SIMD3(m12, m23, m31))
        }
        return SphericalTriangulation(vertices: newVertices, faces: newFaces)
    }
}
