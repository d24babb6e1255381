import Foundation

/// The regular icosahedron that the icosahedral meshes refine, in GraphCast's orientation
/// and vertex/face order (`graphcast/icosahedral_mesh.py`, `get_icosahedron`).
///
/// Orientation: the textbook vertices (±1, ±φ, 0), (0, ±1, ±φ), (±φ, 0, ±1) (φ the golden
/// ratio, x towards 0° E on the equator, z towards the north pole) rotated about the y axis
/// by (π − θ)/2, θ = 2·asin(φ/√3) the angle between adjacent faces. That turns a face
/// perpendicular to z, so each pole lies at the centre of a face (not at a vertex) and
/// no vertex lies on the dateline; 2 vertices lie on the 0° meridian, 2 on 180°.
///
/// Using GraphCast's exact order means node and face indices of every refinement level
/// match GraphCast's Python meshes (up to its float32 rounding).
public enum Icosahedron {
    /// The golden ratio (1 + √5)/2.
    public static let goldenRatio = (1 + 5.0.squareRoot()) / 2

    /// The 12 vertices, unit vectors, shape [12].
    public static let vertices: [SIMD3<Double>] = {
        let phi = goldenRatio
        var raw: [SIMD3<Double>] = []
        for c1 in [1.0, -1.0] {
            for c2 in [phi, -phi] {
                raw.append(SIMD3(c1, c2, 0))
                raw.append(SIMD3(0, c1, c2))
                raw.append(SIMD3(c2, 0, c1))
            }
        }
        let angleBetweenFaces = 2 * asin(phi / 3.0.squareRoot())
        let rotation = (Double.pi - angleBetweenFaces) / 2
        let c = cos(rotation), s = sin(rotation)
        // GraphCast computes vertices · R_y(rotation) (row vectors), i.e. R_yᵀ applied to columns.
        return raw.map { v in
            let u = SIMD3(v.x * c - v.z * s, v.y, v.x * s + v.z * c)
            return u / (u * u).sum().squareRoot()
        }
    }()

    /// The 20 faces as vertex indices, counter-clockwise seen from outside, shape [20].
    public static let faces: [SIMD3<Int32>] = [
        SIMD3(0, 1, 2), SIMD3(0, 6, 1), SIMD3(8, 0, 2), SIMD3(8, 4, 0), SIMD3(3, 8, 2),
        SIMD3(3, 2, 7), SIMD3(7, 2, 1), SIMD3(0, 4, 6), SIMD3(4, 11, 6), SIMD3(6, 11, 5),
        SIMD3(1, 5, 7), SIMD3(4, 10, 11), SIMD3(4, 8, 10), SIMD3(10, 8, 3), SIMD3(10, 3, 9),
        SIMD3(11, 10, 9), SIMD3(11, 9, 5), SIMD3(5, 9, 7), SIMD3(9, 3, 7), SIMD3(1, 6, 5),
    ]
}
