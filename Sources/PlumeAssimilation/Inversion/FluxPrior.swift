import Foundation
import PlumeSupport

/// The prior of one week's flux scaling factors: mean 1 (the prior fluxes unchanged) and a
/// covariance σᵢσⱼ exp(−dᵢⱼ/L) between regions of the same kind (land with land, ocean with
/// ocean; none across), dᵢⱼ the great-circle distance between their centres — CTDAS's prior
/// with spatial correlation.
public struct FluxPrior: Sendable, Equatable {
    /// The covariance, row-major [region, region].
    public let covariance: [Double]
    public let count: Int
    /// The lower-triangular Cholesky factor of `covariance`, row-major (for drawing members).
    public let cholesky: [Double]

    /// - Parameters:
    ///   - centres: unit vectors of the regions' centres.
    ///   - isLand: the kind of each region.
    ///   - sigma: σ of each region's factor (relative: 0.8 = 80 % of the prior flux).
    ///   - lengthM: the correlation length L (m); 0 for uncorrelated regions.
    /// - Throws: `AssimilationError` when the arrays disagree or a σ is not positive.
    public init(centres: [SIMD3<Double>], isLand: [Bool], sigma: [Double], lengthM: Double) throws(AssimilationError) {
        let n = centres.count
        guard isLand.count == n, sigma.count == n, n > 0 else {
            throw .shape(what: "the flux prior", expected: "as many kinds and σ as regions (\(n))", found: "\(isLand.count) and \(sigma.count)")
        }
        if let bad = sigma.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw .invalidSetting(key: "σ of region \(bad)", expected: "a positive number", found: "\(sigma[bad])")
        }
        guard lengthM >= 0, lengthM.isFinite else { throw .invalidSetting(key: "correlation length", expected: "a length ≥ 0 (m)", found: "\(lengthM)") }
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where isLand[i] == isLand[j] {
                let rho = i == j ? 1 : (lengthM > 0 ? exp(-GreatCircle.distanceM(centres[i], centres[j]) / lengthM) : 0)
                c[i * n + j] = sigma[i] * sigma[j] * rho
            }
        }
        count = n
        covariance = c
        // exp(−d/L) is positive definite on the sphere, so the factorisation exists.
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = c[i * n + j]
                for m in 0..<j { s -= l[i * n + m] * l[j * n + m] }
                if i == j {
                    guard s > 0 else { throw .invalidSetting(key: "flux prior covariance", expected: "positive definite", found: "pivot \(s) at region \(i)") }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        cholesky = l
    }

    private init(covariance: [Double], count: Int, cholesky: [Double]) {
        self.covariance = covariance
        self.count = count
        self.cholesky = cholesky
    }

    /// The same correlations with every σ multiplied by `factor` (> 0): the share of a prior
    /// given to one component of the factors (`LaggedFluxSmoother`'s persistent part).
    public func scaled(by factor: Double) -> FluxPrior {
        FluxPrior(covariance: covariance.map { $0 * factor * factor }, count: count, cholesky: cholesky.map { $0 * factor })
    }

    /// `members` deviations [member][region] drawn from the prior with `random`, centred
    /// (summing to zero) and rescaled so that the ensemble's variances are exactly the
    /// prior's σ² (the correlations are sampled).
    public func deviations(members: Int, random: inout SeededRandom) -> [[Double]] {
        let n = count
        var x = (0..<members).map { _ -> [Double] in
            let z = (0..<n).map { _ in random.normal() }
            return (0..<n).map { i in (0...i).reduce(0) { $0 + cholesky[i * n + $1] * z[$1] } }
        }
        for j in 0..<n {
            let mean = x.reduce(0) { $0 + $1[j] } / Double(members)
            for i in 0..<members { x[i][j] -= mean }
            let variance = x.reduce(0) { $0 + $1[j] * $1[j] } / Double(max(members - 1, 1))
            let factor = variance > 0 ? (covariance[j * n + j] / variance).squareRoot() : 0
            for i in 0..<members { x[i][j] *= factor }
        }
        return x
    }
}
