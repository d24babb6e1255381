/// Scores of one predicted CO2 state against the truth at the same time, as CarbonBench
/// scores emulators (Benson et al. 2024):
///
/// - `rSquared`: the squared Pearson correlation of predicted and true mass mixing ratios
///   over all (level, lat, lon) cells, weighted by cos φ;
/// - `rmsePPM`: the cos φ-weighted RMSE in ppm (mole fraction, dry air);
/// - `massErrorPgC`: predicted − true global CO2 mass, PgC (Σ q·m with each state's own
///   air mass).
public struct CO2StepScore: Sendable, Equatable, Codable {
    public var rSquared: Double
    public var rmsePPM: Double
    public var predictedMassPgC: Double
    public var trueMassPgC: Double
    public var massErrorPgC: Double { predictedMassPgC - trueMassPgC }

    public init(rSquared: Double, rmsePPM: Double, predictedMassPgC: Double, trueMassPgC: Double) {
        self.rSquared = rSquared
        self.rmsePPM = rmsePPM
        self.predictedMassPgC = predictedMassPgC
        self.trueMassPgC = trueMassPgC
    }

    /// Scores of `predicted` against `truth`, both `co2massmix` `[level, lat, lon]` in
    /// 1e-6 kg kg⁻¹, with air masses (Pg, same layout) and per-cell weights (`[level, lat, lon]`,
    /// e.g. `LatitudeWeights.broadcast` of `LatitudeWeights.cosine`).
    /// - Throws: `VerifyError` when lengths differ or the correlation is undefined.
    public init(predicted: [Double], truth: [Double], predictedAirmass: [Double], trueAirmass: [Double],
                weights: [Double]) throws(VerifyError) {
        rSquared = try Self.pearsonRSquared(predicted, truth, weights: weights)
        var sumW = 0.0, sumE = 0.0
        for i in truth.indices {
            let e = CO2Units.ppm(massMixingRatio: predicted[i] - truth[i])
            sumW += weights[i]
            sumE += weights[i] * e * e
        }
        rmsePPM = (sumE / sumW).squareRoot()
        predictedMassPgC = try CO2Units.globalMassPgC(massMixingRatio: predicted, airmass: predictedAirmass)
        trueMassPgC = try CO2Units.globalMassPgC(massMixingRatio: truth, airmass: trueAirmass)
    }

    /// Weighted Pearson r² = cov_w(a, b)² / (var_w(a)·var_w(b)). A constant field has
    /// no correlation: NaN when one of the two is constant, 1 when both are the same constant.
    /// - Throws: `VerifyError` when lengths differ or the weights sum to zero.
    public static func pearsonRSquared(_ a: [Double], _ b: [Double], weights: [Double]) throws(VerifyError) -> Double {
        guard a.count == b.count else { throw .shapeMismatch(name: "prediction", expected: b.count, actual: a.count) }
        guard weights.count == b.count else { throw .shapeMismatch(name: "weights", expected: b.count, actual: weights.count) }
        var sumW = 0.0, sumA = 0.0, sumB = 0.0
        for i in b.indices {
            sumW += weights[i]
            sumA += weights[i] * a[i]
            sumB += weights[i] * b[i]
        }
        guard sumW > 0 else { throw .undefined(metric: "R²", reason: "the weights sum to \(sumW)") }
        let meanA = sumA / sumW, meanB = sumB / sumW
        var cov = 0.0, varA = 0.0, varB = 0.0
        for i in b.indices {
            let da = a[i] - meanA, db = b[i] - meanB
            cov += weights[i] * da * db
            varA += weights[i] * da * da
            varB += weights[i] * db * db
        }
        if varA == 0 && varB == 0 { return a == b ? 1 : .nan }
        guard varA > 0, varB > 0 else { return .nan }
        return cov * cov / (varA * varB)
    }
}
