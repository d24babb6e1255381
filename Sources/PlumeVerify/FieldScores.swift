/// Area-weighted scores of a predicted field against the truth, as weather and CarbonBench
/// emulators are scored (WeatherBench 2; CarbonBench, Benson et al. 2024): all sums over
/// cells with weights w (cell areas, or air masses for mass-weighted scores).
///
/// - `rmse` = √(Σw(p − t)² / Σw)
/// - `bias` = Σw(p − t) / Σw
/// - `rSquared` = 1 − Σw(p − t)² / Σw(t − t̄)², t̄ the weighted mean of t (CarbonBench's R²)
/// - `anomalyCorrelation` = Σw p′t′ / √(Σw p′² · Σw t′²), with p′ = p − c, t′ = t − c
///   against a climatology c, the anomalies centred on their weighted means (the ACC of
///   WMO verification).
///
/// Arrays share one layout (e.g. `[lat, lon]` or `[level, lat, lon]` row-major).
public struct FieldScores: Sendable, Equatable {
    public var rmse: Double
    public var bias: Double
    public var rSquared: Double

    /// Scores of `predicted` against `truth` with cell `weights`.
    /// - Throws: `VerifyError` when lengths differ, the weights sum to zero, or the truth is
    ///   constant (R² undefined).
    public init(predicted: [Double], truth: [Double], weights: [Double]) throws(VerifyError) {
        try Self.checkLengths(predicted, truth, weights)
        var sumW = 0.0, sumT = 0.0
        for i in truth.indices {
            sumW += weights[i]
            sumT += weights[i] * truth[i]
        }
        guard sumW > 0 else { throw .undefined(metric: "RMSE", reason: "the weights sum to \(sumW)") }
        let meanT = sumT / sumW
        var squaredError = 0.0, error = 0.0, variance = 0.0
        for i in truth.indices {
            let e = predicted[i] - truth[i], d = truth[i] - meanT
            squaredError += weights[i] * e * e
            error += weights[i] * e
            variance += weights[i] * d * d
        }
        guard variance > 0 else { throw .undefined(metric: "R²", reason: "the truth is constant") }
        rmse = (squaredError / sumW).squareRoot()
        bias = error / sumW
        rSquared = 1 - squaredError / variance
    }

    /// The anomaly correlation coefficient of `predicted` and `truth` against `climatology`.
    public static func anomalyCorrelation(predicted: [Double], truth: [Double], climatology: [Double],
                                          weights: [Double]) throws(VerifyError) -> Double {
        try checkLengths(predicted, truth, weights)
        guard climatology.count == truth.count else {
            throw .shapeMismatch(name: "climatology", expected: truth.count, actual: climatology.count)
        }
        var sumW = 0.0, sumP = 0.0, sumT = 0.0
        for i in truth.indices {
            sumW += weights[i]
            sumP += weights[i] * (predicted[i] - climatology[i])
            sumT += weights[i] * (truth[i] - climatology[i])
        }
        guard sumW > 0 else { throw .undefined(metric: "ACC", reason: "the weights sum to \(sumW)") }
        let meanP = sumP / sumW, meanT = sumT / sumW
        var covariance = 0.0, varianceP = 0.0, varianceT = 0.0
        for i in truth.indices {
            let p = predicted[i] - climatology[i] - meanP, t = truth[i] - climatology[i] - meanT
            covariance += weights[i] * p * t
            varianceP += weights[i] * p * p
            varianceT += weights[i] * t * t
        }
        guard varianceP > 0, varianceT > 0 else {
            throw .undefined(metric: "ACC", reason: "an anomaly field is constant")
        }
        return covariance / (varianceP * varianceT).squareRoot()
    }

    /// Relative error of a global total: (Σ w·p − Σ w·t) / Σ w·t — for a mixing ratio with
    /// air-mass weights, the relative tracer-mass error of a prediction (CarbonBench's mass check).
    public static func relativeMassError(predicted: [Double], truth: [Double], weights: [Double]) throws(VerifyError) -> Double {
        try checkLengths(predicted, truth, weights)
        var massP = 0.0, massT = 0.0
        for i in truth.indices {
            massP += weights[i] * predicted[i]
            massT += weights[i] * truth[i]
        }
        guard massT != 0 else { throw .undefined(metric: "relative mass error", reason: "the true total is zero") }
        return (massP - massT) / massT
    }

    private static func checkLengths(_ predicted: [Double], _ truth: [Double], _ weights: [Double]) throws(VerifyError) {
        guard predicted.count == truth.count else {
            throw .shapeMismatch(name: "prediction", expected: truth.count, actual: predicted.count)
        }
        guard weights.count == truth.count else {
            throw .shapeMismatch(name: "weights", expected: truth.count, actual: weights.count)
        }
    }
}
