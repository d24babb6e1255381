import Foundation

/// The ensemble square-root update of CTDAS (Peters et al. 2005, after Whitaker and Hamill
/// 2002): observations assimilated one at a time, each updating the parameters' mean and
/// ensemble deviations and the model equivalents of the observations still to come.
///
/// For observation n with model equivalents H(xᵢ) of the k members, deviations hᵢ from their
/// mean, R = σo²:
///
///   HPHᵀ = Σ hᵢ² / (k − 1),  K = PHᵀ / (HPHᵀ + R),  PHᵀ = Σ Xᵢ hᵢ / (k − 1),
///   x̄ ← x̄ + K (y − H x̄),  Xᵢ ← Xᵢ − α K hᵢ,  α = 1 / (1 + √(R / (HPHᵀ + R))),
///
/// and every later observation m is moved the same way (its equivalents are linear in the
/// parameters within the ensemble): H x̄ₘ += Kₘ (y − H x̄), hₘᵢ −= α Kₘ hᵢ with
/// Kₘ = Σ hₘᵢ hᵢ / ((k − 1)(HPHᵀ + R)). With a linear observation operator and an
/// ensemble spanning the parameter space this is the Kalman filter's analysis exactly.
///
/// An observation whose prior innovation exceeds `rejectionSigmas` √(HPHᵀ + R) is not
/// assimilated (CTDAS's model–data mismatch check), and is kept with its flag.
///
/// With `localised`, a parameter is updated by an observation only where their ensemble
/// correlation r is significant: |r| √((k − 2)/(1 − r²)) at least Student's t quantile of
/// two-sided 95 % with k − 2 degrees of freedom (CTDAS's localisation, Peters et al. 2007).
/// With tens of members and hundreds of observations a week, the correlations that are only
/// sampling noise would otherwise shrink the ensemble's spread without information.
public struct SerialEnsembleSquareRoot: Sendable {
    /// |y − Hx̄| > this × √(HPHᵀ + R) rejects an observation; nil assimilates every one.
    public var rejectionSigmas: Double?
    /// Update a parameter only where its correlation with the observation is significant.
    public var localised: Bool

    public init(rejectionSigmas: Double? = 3, localised: Bool = false) {
        self.rejectionSigmas = rejectionSigmas
        self.localised = localised
    }

    /// Student's t quantile of two-sided 95 % for `degrees` degrees of freedom (the
    /// Cornish–Fisher expansion about the normal quantile: within 3e-3 of the exact value from
    /// 5 degrees of freedom on, 1e-6 from 38).
    public static func tQuantile95(degrees: Int) -> Double {
        let z = 1.959963984540054, v = Double(max(degrees, 1))
        let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
    }

    /// The parameters' ensemble: `mean` [parameters] and `deviations` [member][parameters]
    /// (summing to zero over members), P = Σ XᵢXᵢᵀ / (k − 1).
    public struct Ensemble: Sendable, Equatable {
        public var mean: [Double]
        public var deviations: [[Double]]
        public init(mean: [Double], deviations: [[Double]]) {
            self.mean = mean
            self.deviations = deviations
        }

        /// The variance of each parameter.
        public var variances: [Double] {
            let k = Double(max(deviations.count - 1, 1))
            return mean.indices.map { j in deviations.reduce(0) { $0 + $1[j] * $1[j] } / k }
        }
    }

    /// One observation's numbers at the moment it was assimilated.
    public struct ObservationOutcome: Sendable, Equatable {
        /// y − Hx̄ before any observation was assimilated (O − B).
        public var priorInnovation: Double
        /// y − Hx̄ after all of them (O − A).
        public var posteriorInnovation: Double
        /// HPHᵀ of the prior ensemble (its spread in observation space, squared).
        public var priorVariance: Double
        public var assimilated: Bool
    }

    public struct Outcome: Sendable {
        public var ensemble: Ensemble
        public var observations: [ObservationOutcome]
        /// Σ (O − B)² / (HPHᵀ + R) over the assimilated observations, divided by their number:
        /// 1 on average when the prior covariance and R are right.
        public var chiSquaredPerObservation: Double?
    }

    /// Assimilates `values` (σ `sigmas`) whose model equivalents in member i are
    /// `equivalents[i][n]` (the member's parameters `mean + deviations[i]` run through the
    /// model), in order.
    /// - Throws: `AssimilationError.shape` when the arrays disagree, `.invalidSetting` for a
    ///   non-positive σ or fewer than two members.
    public func update(_ prior: Ensemble, equivalents: [[Double]], values: [Double], sigmas: [Double]) throws(AssimilationError) -> Outcome {
        let k = prior.deviations.count, p = values.count, n = prior.mean.count
        guard k >= 2 else { throw .invalidSetting(key: "ensemble", expected: "at least 2 members", found: "\(k)") }
        guard equivalents.count == k, equivalents.allSatisfy({ $0.count == p }), sigmas.count == p,
              prior.deviations.allSatisfy({ $0.count == n }) else {
            throw .shape(what: "the inversion's update", expected: "\(k) members × \(p) equivalents, \(p) sigmas, \(k) × \(n) deviations",
                         found: "\(equivalents.count) × \(equivalents.first?.count ?? 0), \(sigmas.count), \(prior.deviations.count) × \(prior.deviations.first?.count ?? 0)")
        }
        if let bad = sigmas.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw .invalidSetting(key: "sigma of observation \(bad)", expected: "a positive finite number", found: "\(sigmas[bad])")
        }
        let scale = 1 / Double(k - 1)
        let tCritical = Self.tQuantile95(degrees: k - 2)
        var mean = prior.mean
        var x = prior.deviations
        // Observation-space mean and deviations [obs][member].
        var hMean = [Double](repeating: 0, count: p)
        var h = [[Double]](repeating: [Double](repeating: 0, count: k), count: p)
        for m in 0..<p {
            var s = 0.0
            for i in 0..<k { s += equivalents[i][m] }
            hMean[m] = s / Double(k)
            for i in 0..<k { h[m][i] = equivalents[i][m] - hMean[m] }
        }
        var outcomes = (0..<p).map { m in
            ObservationOutcome(priorInnovation: values[m] - hMean[m], posteriorInnovation: .nan,
                               priorVariance: h[m].reduce(0) { $0 + $1 * $1 } * scale, assimilated: false)
        }
        var chiSquared = 0.0, used = 0
        for obs in 0..<p {
            let r = sigmas[obs] * sigmas[obs]
            let hph = h[obs].reduce(0) { $0 + $1 * $1 } * scale
            let total = hph + r
            let innovation = values[obs] - hMean[obs]
            if let limit = rejectionSigmas, abs(outcomes[obs].priorInnovation) > limit * (outcomes[obs].priorVariance + r).squareRoot() {
                continue
            }
            outcomes[obs].assimilated = true
            chiSquared += outcomes[obs].priorInnovation * outcomes[obs].priorInnovation / (outcomes[obs].priorVariance + r)
            used += 1
            let alpha = 1 / (1 + (r / total).squareRoot())
            // Parameters.
            for j in 0..<n {
                var pht = 0.0
                for i in 0..<k { pht += x[i][j] * h[obs][i] }
                if localised {
                    var xx = 0.0
                    for i in 0..<k { xx += x[i][j] * x[i][j] }
                    let r = xx > 0 && hph > 0 ? pht * scale / ((xx * scale).squareRoot() * hph.squareRoot()) : 0
                    if abs(r) * (Double(k - 2) / max(1 - r * r, 1e-12)).squareRoot() < tCritical { continue }
                }
                let gain = pht * scale / total
                mean[j] += gain * innovation
                for i in 0..<k { x[i][j] -= alpha * gain * h[obs][i] }
            }
            // Every observation's equivalents move with the parameters: the ones still to come,
            // and the earlier ones too, so that O − A is the final state's.
            let current = h[obs]
            for m in 0..<p {
                var cov = 0.0
                for i in 0..<k { cov += h[m][i] * current[i] }
                let gain = cov * scale / total
                hMean[m] += gain * innovation
                for i in 0..<k { h[m][i] -= alpha * gain * current[i] }
            }
        }
        for m in 0..<p { outcomes[m].posteriorInnovation = values[m] - hMean[m] }
        return Outcome(ensemble: Ensemble(mean: mean, deviations: x), observations: outcomes,
                       chiSquaredPerObservation: used > 0 ? chiSquared / Double(used) : nil)
    }
}
