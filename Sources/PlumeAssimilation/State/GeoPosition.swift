import Foundation

/// Great-circle distances between points given in degrees, on the sphere of Plume's models.
public enum GreatCircle {
    /// The Earth's radius used for distances (m), the models' value.
    public static let earthRadiusM = 6.37122e6

    /// The unit vector of a point at `latitude`, `longitude` (degrees).
    public static func unitVector(latitude: Double, longitude: Double) -> SIMD3<Double> {
        let phi = latitude * .pi / 180, lambda = longitude * .pi / 180
        return SIMD3(cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi))
    }

    /// The great-circle distance (m) between two unit vectors (stable for small and large angles).
    public static func distanceM(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let c = a - b, d = a + b
        let chord = (c * c).sum().squareRoot(), opposite = (d * d).sum().squareRoot()
        return 2 * atan2(chord, opposite) * earthRadiusM
    }

    /// The chord (on the unit sphere) of a great-circle distance (m), for `SpherePointIndex` searches.
    public static func chord(ofDistanceM distance: Double) -> Double {
        2 * sin(min(distance / earthRadiusM, .pi) / 2)
    }
}
