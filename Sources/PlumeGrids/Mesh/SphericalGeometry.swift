import Foundation

/// Small formulas on the unit sphere shared by the mesh types.
public enum SphericalGeometry {
    /// Signed area (steradians) of the spherical triangle a, b, c (unit vectors) with
    /// great-circle sides: positive when a, b, c run counter-clockwise seen from outside.
    /// Van Oosterom & Strackee (1983): tan(E/2) = a·(b×c) / (1 + a·b + b·c + c·a), evaluated
    /// with atan2, which stays accurate for tiny and for large (up to a hemisphere) triangles.
    @inlinable
    public static func triangleArea(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>) -> Double {
        let triple = dot(a, cross(b, c))
        let denominator = 1 + dot(a, b) + dot(b, c) + dot(c, a)
        return 2 * atan2(triple, denominator)
    }

    /// Chord length |a − b| between two points on the unit sphere (2·sin(angle/2)).
    @inlinable
    public static func chord(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z
        return (dx * dx + dy * dy + dz * dz).squareRoot()
    }

    /// Great-circle angle between two unit vectors, radians, accurate at all separations.
    @inlinable
    public static func angle(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let c = cross(a, b)
        return atan2(dot(c, c).squareRoot(), dot(a, b))
    }

    /// The point in degrees: latitude asin(z) in [−90, 90], longitude atan2(y, x) in
    /// (−180, 180]; longitude 0 at the poles. `v` need not be normalised.
    @inlinable
    public static func geoPoint(_ v: SIMD3<Double>) -> GeoPoint {
        let horizontal = (v.x * v.x + v.y * v.y).squareRoot()
        let latitude = atan2(v.z, horizontal) * 180 / .pi
        let longitude = horizontal == 0 ? 0 : atan2(v.y, v.x) * 180 / .pi
        return GeoPoint(latitude: latitude, longitude: longitude == -180 ? 180 : longitude)
    }

    /// `v / |v|`.
    @inlinable
    public static func normalized(_ v: SIMD3<Double>) -> SIMD3<Double> {
        let n = dot(v, v).squareRoot()
        return SIMD3(v.x / n, v.y / n, v.z / n)
    }

    /// a·b.
    @inlinable
    public static func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { a.x * b.x + a.y * b.y + a.z * b.z }

    /// a×b.
    @inlinable
    public static func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }
}
