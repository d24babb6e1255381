import Foundation
import PlumeConservation

/// Winds and height of a shallow-water state on grid points: arrays `[nlat, nlon]`
/// (latitudes as given, usually north to south), u and v in m s⁻¹, h in m.
public struct ShallowWaterGridState: Sendable, Equatable {
    public var u: [Double]
    public var v: [Double]
    public var h: [Double]

    public init(u: [Double], v: [Double], h: [Double]) {
        self.u = u
        self.v = v
        self.h = h
    }
}

/// The standard test cases of shallow-water models on the sphere, as grid-point fields.
///
/// - Williamson et al. (1992), J. Comput. Phys. 102, 211–224: case 2 (steady geostrophic
///   flow, an exact steady solution) and case 6 (Rossby–Haurwitz wave of wavenumber 4).
/// - Galewsky, Scott & Polvani (2004), Tellus 56A, 429–440: a balanced mid-latitude jet
///   with a small height bump that triggers barotropic instability.
public enum ShallowWaterTestCase: Sendable, Equatable {
    /// Case 2: solid-body flow at angle `alpha` (radians) to the equator, u₀ = 2πa / 12 days,
    /// g·h₀ = 2.94·10⁴ m² s⁻².
    case williamson2(alpha: Double)
    /// Case 6: Rossby–Haurwitz wave, ω = K = 7.848·10⁻⁶ s⁻¹, R = 4, h₀ = 8000 m.
    case williamson6
    /// Galewsky et al. jet (u_max = 80 m s⁻¹ between π/7 and 5π/14), with the height
    /// perturbation ĥ = 120 m at 45° N when `perturbed`.
    case galewsky(perturbed: Bool)

    public static let a = PhysicalConstants.earthRadius
    public static let omega = PhysicalConstants.earthRotation
    public static let g = PhysicalConstants.shallowWaterGravity

    /// The initial state at `latitudes` × `longitudes` (degrees).
    public func state(latitudes: [Double], longitudes: [Double]) -> ShallowWaterGridState {
        let nlat = latitudes.count, nlon = longitudes.count
        var u = [Double](repeating: 0, count: nlat * nlon), v = u, h = u
        let a = Self.a, omega = Self.omega, g = Self.g
        let galewskyHeight: ((Double) -> Double)? = {
            if case .galewsky = self { return Self.galewskyBalancedHeight() }
            return nil
        }()
        for i in 0..<nlat {
            let phi = latitudes[i] * .pi / 180
            for j in 0..<nlon {
                let lambda = longitudes[j] * .pi / 180
                let k = i * nlon + j
                switch self {
                case .williamson2(let alpha):
                    let u0 = 2 * Double.pi * a / (12 * 86_400)
                    let gh0 = 2.94e4
                    u[k] = u0 * (cos(phi) * cos(alpha) + cos(lambda) * sin(phi) * sin(alpha))
                    v[k] = -u0 * sin(lambda) * sin(alpha)
                    let s = -cos(lambda) * cos(phi) * sin(alpha) + sin(phi) * cos(alpha)
                    h[k] = (gh0 - (a * omega * u0 + u0 * u0 / 2) * s * s) / g
                case .williamson6:
                    let w = 7.848e-6, K = 7.848e-6, R = 4.0, h0 = 8000.0
                    let c = cos(phi)
                    u[k] = a * w * c + a * K * pow(c, R - 1) * (R * sin(phi) * sin(phi) - c * c) * cos(R * lambda)
                    v[k] = -a * K * R * pow(c, R - 1) * sin(phi) * sin(R * lambda)
                    let A = w / 2 * (2 * omega + w) * c * c
                        + 0.25 * K * K * pow(c, 2 * R) * ((R + 1) * c * c + (2 * R * R - R - 2) - 2 * R * R / (c * c))
                    let B = 2 * (omega + w) * K / ((R + 1) * (R + 2)) * pow(c, R) * ((R * R + 2 * R + 2) - (R + 1) * (R + 1) * c * c)
                    let C = 0.25 * K * K * pow(c, 2 * R) * ((R + 1) * c * c - (R + 2))
                    h[k] = h0 + a * a * (A + B * cos(R * lambda) + C * cos(2 * R * lambda)) / g
                case .galewsky(let perturbed):
                    u[k] = Self.galewskyWind(phi)
                    v[k] = 0
                    h[k] = galewskyHeight?(phi) ?? 0
                    if perturbed {
                        var l = lambda
                        if l > .pi { l -= 2 * .pi }
                        let alpha = 1.0 / 3, beta = 1.0 / 15, phi2 = Double.pi / 4
                        h[k] += 120 * cos(phi) * exp(-(l / alpha) * (l / alpha)) * exp(-((phi2 - phi) / beta) * ((phi2 - phi) / beta))
                    }
                }
            }
        }
        return ShallowWaterGridState(u: u, v: v, h: h)
    }

    /// Eastward angular phase speed of the case-6 wave pattern in the non-divergent limit
    /// (Haurwitz 1940): ν = (R(3 + R)ω − 2Ω) / ((1 + R)(2 + R)), rad s⁻¹.
    public static var rossbyHaurwitzPhaseSpeed: Double {
        let R = 4.0, w = 7.848e-6
        return (R * (3 + R) * w - 2 * omega) / ((1 + R) * (2 + R))
    }

    static func galewskyWind(_ phi: Double) -> Double {
        let phi0 = Double.pi / 7, phi1 = Double.pi / 2 - phi0, umax = 80.0
        guard phi > phi0, phi < phi1 else { return 0 }
        let en = exp(-4 / ((phi1 - phi0) * (phi1 - phi0)))
        return umax / en * exp(1 / ((phi - phi0) * (phi - phi1)))
    }

    /// h(φ) in geostrophic (gradient-wind) balance with the jet, g·dh/dφ = −a·u·(f + u·tanφ/a),
    /// integrated from the south pole with composite Simpson on 20,000 intervals, shifted so
    /// that its area mean is 10,000 m.
    static func galewskyBalancedHeight() -> (Double) -> Double {
        let n = 20_000
        let a = Self.a, omega = Self.omega, g = Self.g
        func slope(_ phi: Double) -> Double {
            let u = galewskyWind(phi)
            return -a * u * (2 * omega * sin(phi) + tan(phi) * u / a) / g
        }
        var table = [Double](repeating: 0, count: n + 1)
        let dphi = Double.pi / Double(n)
        for i in 1...n {
            let p0 = -Double.pi / 2 + Double(i - 1) * dphi
            table[i] = table[i - 1] + dphi / 6 * (slope(p0) + 4 * slope(p0 + dphi / 2) + slope(p0 + dphi))
        }
        // Area mean over the sphere: ∫ h cosφ dφ / 2.
        var mean = 0.0
        for i in 0..<n {
            let p = -Double.pi / 2 + (Double(i) + 0.5) * dphi
            mean += 0.5 * (table[i] + table[i + 1]) * cos(p) * dphi
        }
        mean /= 2
        let offset = 10_000 - mean
        return { phi in
            let x = (phi + Double.pi / 2) / dphi
            let i = min(max(Int(x.rounded(.down)), 0), n - 1)
            let f = x - Double(i)
            return table[i] * (1 - f) + table[i + 1] * f + offset
        }
    }
}
