import Foundation

/// Idealised orography of the weather configuration: two elliptical Gaussian mountain ranges
/// in the Northern Hemisphere,
///   h_s(φ, λ) = Σ_k H_k exp(−((φ − φ_k)/σφ_k)² − (Δλ_k/σλ_k)²),   Δλ_k wrapped to ±180°,
/// a "Tibet" (35° N, 90° E, σ = 8° × 20°, height H) and a "Rockies" (40° N, 250° E,
/// σ = 15° × 8°, height 0.75 H). They anchor stationary Rossby waves and make the
/// Northern-Hemisphere storm track zonally asymmetric, as on the Earth.
public enum WeatherOrography {
    /// One mountain: centre (degrees), e-folding half-widths (degrees), relative height.
    struct Mountain {
        var latitude: Double
        var longitude: Double
        var latitudeWidth: Double
        var longitudeWidth: Double
        var relativeHeight: Double
    }

    static let mountains = [
        Mountain(latitude: 35, longitude: 90, latitudeWidth: 8, longitudeWidth: 20, relativeHeight: 1),
        Mountain(latitude: 40, longitude: 250, latitudeWidth: 15, longitudeWidth: 8, relativeHeight: 0.75),
    ]

    /// Surface height h_s (m) on the grid `latitudesDegrees` × `longitudesDegrees`, row-major
    /// [nlat·nlon], for peak height `height` (m).
    public static func surfaceHeight(height: Double, latitudesDegrees: [Double], longitudesDegrees: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: latitudesDegrees.count * longitudesDegrees.count)
        guard height != 0 else { return out }
        let nlon = longitudesDegrees.count
        for (i, lat) in latitudesDegrees.enumerated() {
            for (j, lon) in longitudesDegrees.enumerated() {
                var value = 0.0
                for m in mountains {
                    var dl = (lon - m.longitude).truncatingRemainder(dividingBy: 360)
                    if dl > 180 { dl -= 360 } else if dl < -180 { dl += 360 }
                    let a = (lat - m.latitude) / m.latitudeWidth, b = dl / m.longitudeWidth
                    value += m.relativeHeight * exp(-a * a - b * b)
                }
                out[i * nlon + j] = height * value
            }
        }
        return out
    }
}
