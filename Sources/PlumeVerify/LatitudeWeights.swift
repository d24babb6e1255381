import Foundation

/// Latitude weights of a regular latitude–longitude grid, normalised to mean 1 over the
/// latitudes, so that a weighted mean over `[lat, lon]` cells is Σ w·x / (n_lat·n_lon).
public enum LatitudeWeights {
    /// Cell-area weights (WeatherBench 2): sin φ_upper − sin φ_lower, with the cell bounds
    /// halfway between neighbouring latitudes and at ±90° beyond the first and last rows.
    /// `latitudesDegrees` may run north to south or south to north (monotonic).
    /// - Throws: `VerifyError.undefined` for fewer than one latitude or a non-monotonic list.
    public static func cellArea(latitudesDegrees: [Double]) throws(VerifyError) -> [Double] {
        let n = latitudesDegrees.count
        guard n >= 1 else { throw .undefined(metric: "latitude weights", reason: "no latitudes") }
        guard n == 1 || isMonotonic(latitudesDegrees) else {
            throw .undefined(metric: "latitude weights", reason: "latitudes are not strictly monotonic")
        }
        let ascending = n == 1 || latitudesDegrees[1] > latitudesDegrees[0]
        let lat = ascending ? latitudesDegrees : latitudesDegrees.reversed()
        var bounds = [-90.0]
        for i in 0..<(n - 1) { bounds.append((lat[i] + lat[i + 1]) / 2) }
        bounds.append(90)
        let radians = Double.pi / 180
        var w = (0..<n).map { sin(bounds[$0 + 1] * radians) - sin(bounds[$0] * radians) }
        if !ascending { w.reverse() }
        return normalised(w)
    }

    /// cos φ weights (CarbonBench's latitude weighting), normalised to mean 1.
    public static func cosine(latitudesDegrees: [Double]) throws(VerifyError) -> [Double] {
        guard !latitudesDegrees.isEmpty else { throw .undefined(metric: "latitude weights", reason: "no latitudes") }
        let w = latitudesDegrees.map { max(0, cos($0 * Double.pi / 180)) }
        guard w.reduce(0, +) > 0 else { throw .undefined(metric: "latitude weights", reason: "all latitudes are poles") }
        return normalised(w)
    }

    /// Per-cell weights of a `[layers, lat, lon]` field (row-major) from per-latitude weights.
    public static func broadcast(_ weights: [Double], longitudeCount: Int, layers: Int = 1) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(layers * weights.count * longitudeCount)
        for _ in 0..<layers {
            for w in weights { out.append(contentsOf: repeatElement(w, count: longitudeCount)) }
        }
        return out
    }

    private static func normalised(_ w: [Double]) -> [Double] {
        let mean = w.reduce(0, +) / Double(w.count)
        return w.map { $0 / mean }
    }

    private static func isMonotonic(_ x: [Double]) -> Bool {
        let up = zip(x, x.dropFirst()).allSatisfy { $0 < $1 }
        let down = zip(x, x.dropFirst()).allSatisfy { $0 > $1 }
        return up || down
    }
}
