import Foundation
import PlumeGrids
import Torch

/// The latitude rows of a grid for spherical-harmonic transforms, with the quadrature rule
/// that integrates over cos θ on them. Longitudes are always `nlon` equally spaced points
/// λⱼ = 2πj/nlon, starting at 0 (Greenwich).
public enum SphericalGrid: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Gaussian latitudes (Gauss–Legendre nodes, Plume's `GaussianGrid`, torch-harmonics
    /// "legendre-gauss"): exact for polynomials in sin φ of degree ≤ 2·nlat − 1. Default
    /// truncation lmax = nlat.
    case gaussian
    /// Equally spaced latitudes including both poles, θⱼ = πj/(nlat − 1) (torch-harmonics
    /// "equiangular"), with Clenshaw–Curtis weights: exact for degree ≤ nlat − 1. Default
    /// truncation lmax = (nlat + 1)/2.
    case equiangular
    /// Equally spaced cell-centre latitudes without poles, θⱼ = π(j + ½)/nlat (the
    /// CarbonBench / WeatherBench 5.625° and 2.8125° grids, `RegularLatLonGrid.global`),
    /// with Fejér's first-rule weights: exact for degree ≤ nlat − 1. Default truncation
    /// lmax = (nlat + 1)/2.
    case equiangularCellCentred

    public var description: String { rawValue }
}

/// Latitude nodes and quadrature weights of a `SphericalGrid`, in float64.
///
/// Nodes are ordered north → south (θ increasing, μ = cos θ = sin φ decreasing), matching
/// Plume's `GaussianGrid` and torch-harmonics. The weights integrate over μ ∈ [−1, 1]
/// (they sum to 2): ∫ f dΩ ≈ Σⱼ wⱼ · (2π/nlon) Σᵢ f(θⱼ, λᵢ) on the unit sphere.
public struct SphericalQuadrature: Sendable, Equatable {
    /// Colatitudes θ, radians, north → south, [nlat].
    public let colatitudes: [Double]
    /// cos θ = sin φ of every row, [nlat].
    public let cosColatitudes: [Double]
    /// sin θ = cos φ of every row (≥ 0; exactly 0 at the poles of `.equiangular`), [nlat].
    public let sinColatitudes: [Double]
    /// Quadrature weights in μ = cos θ, [nlat], summing to 2.
    public let weights: [Double]

    /// Nodes and weights of `grid` with `nlat` rows (`.equiangular` needs nlat ≥ 2).
    public init(grid: SphericalGrid, nlat: Int) throws(TorchError) {
        let least = grid == .equiangular ? 2 : 1
        guard nlat >= least else {
            throw TorchError(operation: "SphericalQuadrature(grid: \(grid), nlat: \(nlat))",
                             message: "the \(grid) grid needs at least \(least) latitudes")
        }
        switch grid {
        case .gaussian:
            let (nodes, w) = GaussianQuadrature.nodesAndWeights(nlat)
            cosColatitudes = nodes
            sinColatitudes = nodes.map { ((1 - $0) * (1 + $0)).squareRoot() }
            colatitudes = zip(sinColatitudes, nodes).map { atan2($0, $1) }
            weights = w
        case .equiangular:
            let theta = (0..<nlat).map { Double.pi * Double($0) / Double(nlat - 1) }
            (cosColatitudes, sinColatitudes) = Self.symmetricCosSin(theta)
            colatitudes = theta
            weights = Self.clenshawCurtisWeights(nlat)
        case .equiangularCellCentred:
            let theta = (0..<nlat).map { Double.pi * (Double($0) + 0.5) / Double(nlat) }
            (cosColatitudes, sinColatitudes) = Self.symmetricCosSin(theta)
            colatitudes = theta
            weights = Self.fejerWeights(nlat)
        }
    }

    /// cos θ and sin θ made exactly (anti)symmetric about the equator, with exact poles.
    private static func symmetricCosSin(_ theta: [Double]) -> ([Double], [Double]) {
        let n = theta.count
        var c = theta.map { cos($0) }
        var s = theta.map { sin($0) }
        for j in 0..<(n / 2) {
            c[n - 1 - j] = -c[j]
            s[n - 1 - j] = s[j]
        }
        if n % 2 == 1 { c[n / 2] = 0; s[n / 2] = 1 }
        if abs(theta[0]) < 1e-300 { c[0] = 1; s[0] = 0; c[n - 1] = -1; s[n - 1] = 0 }
        return (c, s)
    }

    /// Clenshaw–Curtis weights on the nodes cos(πj/(n − 1)), j = 0…n − 1 (sum 2):
    /// wⱼ = cⱼ/(n−1) · [1 − Σₖ bₖ cos(2kθⱼ)/(4k² − 1)], k = 1…⌊(n−1)/2⌋, with cⱼ = 1 at the
    /// ends and 2 inside, bₖ = 1 for k = (n−1)/2 and 2 otherwise (Waldvogel 2006).
    static func clenshawCurtisWeights(_ n: Int) -> [Double] {
        guard n > 2 else { return [Double](repeating: 1, count: n) }
        let n1 = n - 1
        return (0..<n).map { j in
            let theta = Double.pi * Double(j) / Double(n1)
            var s = 0.0
            for k in 1...(n1 / 2) {
                let b = 2 * k == n1 ? 1.0 : 2.0
                s += b * cos(2 * Double(k) * theta) / Double(4 * k * k - 1)
            }
            let c = (j == 0 || j == n1) ? 1.0 : 2.0
            return c / Double(n1) * (1 - s)
        }
    }

    /// Fejér's first-rule weights on the nodes cos(π(j + ½)/n) (sum 2):
    /// wⱼ = (2/n) · [1 − 2 Σₖ cos(2kθⱼ)/(4k² − 1)], k = 1…⌊n/2⌋.
    static func fejerWeights(_ n: Int) -> [Double] {
        (0..<n).map { j in
            let theta = Double.pi * (Double(j) + 0.5) / Double(n)
            var s = 0.0
            if n >= 2 {
                for k in 1...(n / 2) { s += cos(2 * Double(k) * theta) / Double(4 * k * k - 1) }
            }
            return 2 / Double(n) * (1 - 2 * s)
        }
    }
}
