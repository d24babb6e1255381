import Foundation
import PlumeConservation

/// The zonally symmetric equilibrium of the weather configuration: two Gaussian jets
///   u(φ) = U [exp(−((φ − φ₀)/w)²) + exp(−((φ + φ₀)/w)²)],   v = 0,
/// and the free-surface height η(φ) in gradient-wind balance with them,
///   g dη/dφ = −a u (f + u tan φ / a),   f = 2Ω sin φ,
/// integrated from the south pole (composite Simpson on 20,000 intervals) and shifted so that
/// its area mean is the mean depth H.
public struct ZonalJetEquilibrium: Sendable, Equatable {
    /// Peak jet speed U, m s⁻¹.
    public var jetSpeed: Double
    /// Jet latitude φ₀, degrees.
    public var jetLatitude: Double
    /// Jet half-width w, degrees.
    public var jetWidth: Double
    /// Area-mean free-surface height H, m.
    public var meanHeight: Double

    public init(jetSpeed: Double, jetLatitude: Double, jetWidth: Double, meanHeight: Double) {
        self.jetSpeed = jetSpeed
        self.jetLatitude = jetLatitude
        self.jetWidth = jetWidth
        self.meanHeight = meanHeight
    }

    /// The equilibrium of a weather configuration.
    public init(_ configuration: WeatherConfiguration) {
        self.init(jetSpeed: configuration.jetSpeed, jetLatitude: configuration.jetLatitude,
                  jetWidth: configuration.jetWidth, meanHeight: configuration.meanDepth)
    }

    /// Eastward wind at latitude `phi` (radians), m s⁻¹ (≈ U·e^{−((90° − φ₀)/w)²} at the
    /// poles: 1.6·10⁻⁹ U for the defaults).
    public func wind(latitude phi: Double) -> Double {
        let phi0 = jetLatitude * .pi / 180, w = jetWidth * .pi / 180
        let a = (phi - phi0) / w, b = (phi + phi0) / w
        return jetSpeed * (exp(-a * a) + exp(-b * b))
    }

    /// Free-surface height η (m) at each latitude of `latitudesDegrees`.
    public func height(latitudesDegrees: [Double]) -> [Double] {
        let n = 20_000
        let a = PhysicalConstants.earthRadius, omega = PhysicalConstants.earthRotation
        let g = PhysicalConstants.shallowWaterGravity
        func slope(_ phi: Double) -> Double {
            let u = wind(latitude: phi)
            return -a * u * (2 * omega * sin(phi) + tan(phi) * u / a) / g
        }
        let dphi = Double.pi / Double(n)
        var table = [Double](repeating: 0, count: n + 1)
        for i in 1...n {
            let p0 = -Double.pi / 2 + Double(i - 1) * dphi
            // The end points ±π/2 have u = 0 (tan φ · u² → 0); avoid evaluating tan there.
            let s0 = i == 1 ? 0 : slope(p0)
            let s1 = i == n ? 0 : slope(p0 + dphi)
            table[i] = table[i - 1] + dphi / 6 * (s0 + 4 * slope(p0 + dphi / 2) + s1)
        }
        var mean = 0.0
        for i in 0..<n {
            let p = -Double.pi / 2 + (Double(i) + 0.5) * dphi
            mean += 0.5 * (table[i] + table[i + 1]) * cos(p) * dphi
        }
        mean /= 2
        let offset = meanHeight - mean
        return latitudesDegrees.map { degrees in
            let x = (degrees * .pi / 180 + Double.pi / 2) / dphi
            let i = min(max(Int(x.rounded(.down)), 0), n - 1)
            let f = x - Double(i)
            return table[i] * (1 - f) + table[i + 1] * f + offset
        }
    }
}
