import PlumeVerify
import Testing

@Suite struct MetricsTests {
    @Test func errorNormsByHand() throws {
        // e = (1, −2, 0), f = (2, 4, 1), A = (1, 1, 2).
        let norms = try ErrorNorms(computed: [3.0, 2.0, 1.0], reference: [2, 4, 1], areas: [1, 1, 2])
        #expect(abs(norms.l1 - 3.0 / 8.0) < 1e-15)
        #expect(abs(norms.l2 - (5.0 / 22.0).squareRoot()) < 1e-15)
        #expect(norms.lInfinity == 0.5)
        #expect(norms.skipped == 0)
        let holes = try ErrorNorms(computed: [Double.nan, 4, 1], reference: [2, 4, 1], areas: [1, 1, 2])
        #expect(holes.skipped == 1 && holes.l1 == 0)
        #expect(throws: VerifyError.shapeMismatch(name: "cell areas", expected: 3, actual: 2)) {
            try ErrorNorms(computed: [1.0, 2, 3], reference: [1, 2, 3], areas: [1, 1])
        }
    }

    @Test func scoresByHand() throws {
        let truth = [1.0, 2, 3, 4], weights = [1.0, 1, 1, 1]
        let perfect = try FieldScores(predicted: truth, truth: truth, weights: weights)
        #expect(perfect.rmse == 0 && perfect.bias == 0 && perfect.rSquared == 1)
        // A constant offset of 1: RMSE 1, bias 1, R² = 1 − 4/5.
        let shifted = try FieldScores(predicted: truth.map { $0 + 1 }, truth: truth, weights: weights)
        #expect(abs(shifted.rmse - 1) < 1e-15 && abs(shifted.bias - 1) < 1e-15)
        #expect(abs(shifted.rSquared - 0.2) < 1e-15)
        // Predicting the mean gives R² = 0.
        let mean = try FieldScores(predicted: [2.5, 2.5, 2.5, 2.5], truth: truth, weights: weights)
        #expect(abs(mean.rSquared) < 1e-15)
        #expect(throws: VerifyError.undefined(metric: "R²", reason: "the truth is constant")) {
            try FieldScores(predicted: [1, 2], truth: [3, 3], weights: [1, 1])
        }
    }

    @Test func anomalyCorrelationAndMassError() throws {
        let climatology = [0.0, 0, 0, 0], weights = [1.0, 2, 1, 2]
        let truth = [1.0, -1, 2, -2]
        #expect(abs(try FieldScores.anomalyCorrelation(predicted: truth.map { 3 * $0 }, truth: truth,
                                                       climatology: climatology, weights: weights) - 1) < 1e-15)
        #expect(abs(try FieldScores.anomalyCorrelation(predicted: truth.map { -$0 }, truth: truth,
                                                       climatology: climatology, weights: weights) + 1) < 1e-15)
        // Mass: Σw·t = 1 − 2 + 2 − 4 = −3; predicted adds 0.3 to the first cell: error −0.1.
        let error = try FieldScores.relativeMassError(predicted: [1.3, -1, 2, -2], truth: truth, weights: weights)
        #expect(abs(error - (-0.1)) < 1e-15)
    }
}
