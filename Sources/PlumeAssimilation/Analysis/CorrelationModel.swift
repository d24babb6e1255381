import Foundation

/// A spatial correlation function of distance, for background-error covariances (OI) and
/// for localisation (LETKF, the flux inversion).
public enum CorrelationModel: Sendable, Equatable {
    /// exp(−r²/(2L²)): e^(−1/2) at one length scale L (m). Cut off where it falls below 1e-6
    /// (r > 5.26 L), where the covariances it would add are below float precision.
    case gaussian(lengthScaleM: Double)
    /// Gaspari and Cohn (1999, eq. 4.10): the compactly supported fifth-order piecewise
    /// rational function of r/c, 1 at r = 0 and exactly 0 beyond r = 2c; close to a
    /// Gaussian of length scale c·√(3/10).
    case gaspariCohn(halfWidthM: Double)

    /// The distance (m) beyond which the correlation is taken as zero.
    public var cutoffM: Double {
        switch self {
        case .gaussian(let length): length * (2 * log(1e6)).squareRoot()
        case .gaspariCohn(let halfWidth): 2 * halfWidth
        }
    }

    /// The correlation at distance `r` (m), in [0, 1].
    public func callAsFunction(_ r: Double) -> Double {
        switch self {
        case .gaussian(let length):
            let x = r / length
            return r >= cutoffM ? 0 : exp(-0.5 * x * x)
        case .gaspariCohn(let halfWidth):
            return Self.gaspariCohn(abs(r) / halfWidth)
        }
    }

    /// Gaspari–Cohn's function of z = r/c.
    public static func gaspariCohn(_ z: Double) -> Double {
        if z >= 2 { return 0 }
        if z <= 1 {
            // −¼z⁵ + ½z⁴ + ⅝z³ − 5/3 z² + 1
            return (((-0.25 * z + 0.5) * z + 0.625) * z - 5.0 / 3.0) * z * z + 1
        }
        // 1/12 z⁵ − ½z⁴ + ⅝z³ + 5/3 z² − 5z + 4 − 2/(3z)
        return ((((z / 12 - 0.5) * z + 0.625) * z + 5.0 / 3.0) * z - 5) * z + 4 - 2 / (3 * z)
    }
}
