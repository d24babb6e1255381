import Foundation
import PlumeConservation
import PlumeGrids

/// The standard horizontal transport test cases on the sphere, with their prescribed
/// non-divergent winds (as streamfunctions, so `StreamfunctionMassFluxes` makes the air
/// mass per cell exactly constant) and initial conditions. After `duration` the exact
/// solution of both is the initial condition.
///
/// Angles in radians (λ longitude, φ latitude); ψ in m² s⁻¹ with u = −(1/R) ∂ψ/∂φ,
/// v = (1/(R cos φ)) ∂ψ/∂λ.
public enum AdvectionTestCase: Sendable, Equatable, CustomStringConvertible {
    /// Williamson et al. (1992) case 1: a cosine bell of height 1 (their h₀ = 1000 m,
    /// scaled to a mixing ratio) and radius R/3 centred at (3π/2, 0), carried once round the
    /// sphere in 12 days by solid-body rotation u₀ = 2πR/12 days about an axis tilted by α
    /// (α = 0: along the equator; α = π/2 − 0.05: nearly over the poles).
    /// ψ = −R u₀ (sin φ cos α − cos λ cos φ sin α).
    case cosineBell(alpha: Double)

    /// Nair & Lauritzen (2010) case 4 (the non-divergent deformational flow with
    /// translation of Lauritzen et al. 2012's standard suite), period T = 12 days:
    ///
    ///     λ' = λ − 2πt/T
    ///     u = k sin²λ' sin 2φ cos(πt/T) + (2πR/T) cos φ
    ///     v = k sin 2λ' cos φ cos(πt/T)
    ///     ψ = R [k sin²λ' cos²φ cos(πt/T) − (2πR/T) sin φ]
    ///
    /// with k = `strength`·R/T. Lauritzen et al. (2012) use k = 10R/T, which is κ = 2 in
    /// Nair & Lauritzen's unit-sphere units (R = 1, T = 5: k = 5κ·R/T); κ = 2.4 is
    /// `strength` 12. Initial condition: two Gaussian hills
    /// h = 0.95 [exp(−5|x − x₁|²) + exp(−5|x − x₂|²)] (x unit vectors) centred at
    /// (5π/6, 0) and (7π/6, 0).
    case gaussianHills(strength: Double)

    /// Lauritzen et al. (2012)'s value of k·T/R for `gaussianHills`.
    public static let standardDeformationStrength = 10.0

    /// The length of the run (one revolution, or one period of the deformation), s.
    public var duration: Double { 12 * PhysicalConstants.day }

    public var description: String {
        switch self {
        case .cosineBell(let alpha): "Williamson case 1, cosine bell, α = \(String(format: "%.4f", alpha))"
        case .gaussianHills(let s): "Nair–Lauritzen case 4, Gaussian hills, k = \(s)·R/T"
        }
    }

    /// Whether the wind is steady.
    public var isSteady: Bool {
        if case .cosineBell = self { return true }
        return false
    }

    /// Largest meridional wind speed over the run, m s⁻¹ at radius `radius` (sets the time
    /// step through the meridional Courant number). For the cosine bell u₀ whatever α, so
    /// both flow angles run with the same step.
    public func maximumMeridionalSpeed(radius: Double) -> Double {
        switch self {
        case .cosineBell: 2 * .pi * radius / duration
        case .gaussianHills(let s): s * radius / duration
        }
    }

    /// Streamfunction ψ(λ, φ, t), m² s⁻¹, at radius `radius`.
    public func streamfunction(longitude lambda: Double, latitude phi: Double, time t: Double, radius: Double) -> Double {
        switch self {
        case .cosineBell(let alpha):
            let u0 = 2 * .pi * radius / duration
            return -radius * u0 * (sin(phi) * cos(alpha) - cos(lambda) * cos(phi) * sin(alpha))
        case .gaussianHills(let strength):
            let period = duration
            let k = strength * radius / period
            let s = sin(lambda - 2 * .pi * t / period), c = cos(phi)
            return radius * (k * s * s * c * c * cos(.pi * t / period) - 2 * .pi * radius / period * sin(phi))
        }
    }

    /// ψ at the corners of `grid` (`[lat + 1, lon]`, see `StreamfunctionMassFluxes`) at
    /// time `t`, m² s⁻¹. Separable evaluation: one trigonometric call per row and column.
    public func cornerStreamfunction(grid: TransportGrid, time t: Double) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, radius = grid.radius
        var out = [Double](repeating: 0, count: (nlat + 1) * nlon)
        switch self {
        case .cosineBell(let alpha):
            let u0 = 2 * .pi * radius / duration
            let cosLambda = (0..<nlon).map { cos(grid.westEdge(column: $0)) }
            for j in 0...nlat {
                let phi = grid.latitudeEdges[j]
                let a = sin(phi) * cos(alpha), b = cos(phi) * sin(alpha)
                for i in 0..<nlon { out[j * nlon + i] = -radius * u0 * (a - cosLambda[i] * b) }
            }
        case .gaussianHills(let strength):
            let period = duration
            let k = strength * radius / period
            let shift = 2 * .pi * t / period
            let timeFactor = radius * k * cos(.pi * t / period)
            let sin2 = (0..<nlon).map { i -> Double in let s = sin(grid.westEdge(column: i) - shift); return s * s }
            for j in 0...nlat {
                let phi = grid.latitudeEdges[j]
                let c = cos(phi)
                let a = timeFactor * c * c, b = radius * 2 * .pi * radius / period * sin(phi)
                for i in 0..<nlon { out[j * nlon + i] = a * sin2[i] - b }
            }
        }
        return out
    }

    /// The time mean of ψ over [t₀, t₁] at the corners (Simpson's rule; exact for the
    /// steady cosine-bell flow), m² s⁻¹: the face fluxes of a step from t₀ to t₁ are its
    /// corner differences times (t₁ − t₀).
    public func meanCornerStreamfunction(grid: TransportGrid, from t0: Double, to t1: Double) -> [Double] {
        if isSteady { return cornerStreamfunction(grid: grid, time: t0) }
        let a = cornerStreamfunction(grid: grid, time: t0)
        let b = cornerStreamfunction(grid: grid, time: 0.5 * (t0 + t1))
        let c = cornerStreamfunction(grid: grid, time: t1)
        var mean = [Double](repeating: 0, count: a.count)
        for k in 0..<a.count {
            let sum: Double = a[k] + 4 * b[k] + c[k]
            mean[k] = sum / 6
        }
        return mean
    }

    /// Initial mixing ratio at (λ, φ).
    public func initialValue(longitude lambda: Double, latitude phi: Double) -> Double {
        switch self {
        case .cosineBell:
            let lambdaC = 1.5 * .pi, phiC = 0.0
            let r = acos(max(-1, min(1, sin(phiC) * sin(phi) + cos(phiC) * cos(phi) * cos(lambda - lambdaC))))
            let rb = 1.0 / 3.0
            return r < rb ? 0.5 * (1 + cos(.pi * r / rb)) : 0
        case .gaussianHills:
            let x = cos(phi) * cos(lambda), y = cos(phi) * sin(lambda), z = sin(phi)
            var h = 0.0
            for lambdaC in [5 * Double.pi / 6, 7 * Double.pi / 6] {
                let dx = x - cos(lambdaC), dy = y - sin(lambdaC), dz = z
                h += exp(-5 * (dx * dx + dy * dy + dz * dz))
            }
            return 0.95 * h
        }
    }

    /// Initial cell averages on `grid`, `[lat, lon]`: 4 × 4 Gauss–Legendre points per cell
    /// in sin φ and λ (equal-area coordinates), so the average is area-weighted.
    public func initialMixingRatio(grid: TransportGrid) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let nodes = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526]
        let weights = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538]
        var out = [Double](repeating: 0, count: nlat * nlon)
        for j in 0..<nlat {
            let mu0 = sin(grid.latitudeEdges[j]), mu1 = sin(grid.latitudeEdges[j + 1])
            let phis = nodes.map { asin(max(-1, min(1, 0.5 * (mu0 + mu1) + 0.5 * (mu1 - mu0) * $0))) }
            for i in 0..<nlon {
                let w0 = grid.westEdge(column: i)
                var sum = 0.0
                for (a, xa) in nodes.enumerated() {
                    let lambda = w0 + 0.5 * (1 + xa) * grid.longitudeStep
                    for (b, phi) in phis.enumerated() {
                        sum += weights[a] * weights[b] * initialValue(longitude: lambda, latitude: phi)
                    }
                }
                out[j * nlon + i] = sum / 4
            }
        }
        return out
    }
}
