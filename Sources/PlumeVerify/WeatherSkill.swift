/// WeatherBench 2's deterministic scores of a field at one time, with per-cell weights
/// normalised to mean 1 (e.g. `LatitudeWeights.broadcast` of `LatitudeWeights.cellArea`):
///
/// - `meanSquaredError` = Σw(f − o)² / Σw; the RMSE of a lead is √(time mean of it);
/// - `anomalyCorrelation` = Σw f′o′ / √(Σw f′² · Σw o′²), f′ = f − c, o′ = o − c against a
///   climatology c, not centred (WeatherBench 2's ACC, unlike `FieldScores.anomalyCorrelation`);
///   the ACC of a lead is the time mean of it.
public enum WeatherSkill {
    public static func meanSquaredError(predicted: [Double], truth: [Double], weights: [Double]) throws(VerifyError) -> Double {
        try check(predicted, truth, weights)
        var sumW = 0.0, sum = 0.0
        for i in truth.indices {
            let e = predicted[i] - truth[i]
            sumW += weights[i]
            sum += weights[i] * e * e
        }
        guard sumW > 0 else { throw .undefined(metric: "MSE", reason: "the weights sum to \(sumW)") }
        return sum / sumW
    }

    /// NaN when an anomaly is zero everywhere (the climatology forecast itself).
    public static func anomalyCorrelation(predicted: [Double], truth: [Double], climatology: [Double],
                                          weights: [Double]) throws(VerifyError) -> Double {
        try check(predicted, truth, weights)
        guard climatology.count == truth.count else {
            throw .shapeMismatch(name: "climatology", expected: truth.count, actual: climatology.count)
        }
        var fo = 0.0, ff = 0.0, oo = 0.0
        for i in truth.indices {
            let f = predicted[i] - climatology[i], o = truth[i] - climatology[i]
            fo += weights[i] * f * o
            ff += weights[i] * f * f
            oo += weights[i] * o * o
        }
        guard ff > 0, oo > 0 else { return .nan }
        return fo / (ff * oo).squareRoot()
    }

    private static func check(_ p: [Double], _ t: [Double], _ w: [Double]) throws(VerifyError) {
        guard p.count == t.count else { throw .shapeMismatch(name: "prediction", expected: t.count, actual: p.count) }
        guard w.count == t.count else { throw .shapeMismatch(name: "weights", expected: t.count, actual: w.count) }
    }
}
