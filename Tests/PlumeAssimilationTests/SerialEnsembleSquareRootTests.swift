import Foundation
import PlumeAssimilation
import PlumeTestSupport
import Testing

/// CTDAS's serial ensemble square-root update against the Kalman filter's analysis computed
/// densely by NumPy: with a linear observation operator and an ensemble that spans the
/// parameters, mean and covariance must agree to round-off.
@Suite struct SerialEnsembleSquareRootTests {
    typealias F = AssimilationFixtures

    /// A random problem: n parameters, k members, p observations of H x (H random).
    static func problem(n: Int, k: Int, p: Int, seed: UInt64) -> (ensemble: SerialEnsembleSquareRoot.Ensemble, h: [[Double]], y: [Double], sigma: [Double]) {
        var random = TestRandom(seed: seed)
        var deviations = (0..<k).map { _ in (0..<n).map { _ in random.normal() } }
        for j in 0..<n {
            let mean = deviations.reduce(0) { $0 + $1[j] } / Double(k)
            for i in 0..<k { deviations[i][j] -= mean }
        }
        let mean = (0..<n).map { _ in 1 + 0.2 * random.normal() }
        let h = (0..<p).map { _ in (0..<n).map { _ in random.uniform() } }
        let y = (0..<p).map { _ in 2 + random.normal() }
        let sigma = (0..<p).map { _ in 0.5 + random.uniform() }
        return (SerialEnsembleSquareRoot.Ensemble(mean: mean, deviations: deviations), h, y, sigma)
    }

    static func equivalents(_ e: SerialEnsembleSquareRoot.Ensemble, _ h: [[Double]]) -> [[Double]] {
        e.deviations.map { d in h.map { row in zip(row, zip(e.mean, d)).reduce(0) { $0 + $1.0 * ($1.1.0 + $1.1.1) } } }
    }

    /// CTDAS's localisation: one observation of parameter 0; parameter 1 correlated with it by
    /// r = 0.1 (t = 0.62 with 40 members, not significant) stays exactly as it was, where the
    /// unlocalised update moves it; parameter 2 (r = 0.9) moves exactly as without
    /// localisation. The t quantiles against SciPy's `t.ppf(0.975, ν)`.
    @Test func localisationSkipsInsignificantCorrelations() throws {
        #expect(abs(SerialEnsembleSquareRoot.tQuantile95(degrees: 38) - 2.024394164575136) < 1e-5)
        #expect(abs(SerialEnsembleSquareRoot.tQuantile95(degrees: 10) - 2.2281388519649385) < 1e-3)
        #expect(abs(SerialEnsembleSquareRoot.tQuantile95(degrees: 5) - 2.5705818366147395) < 5e-3)
        let k = 40
        var random = TestRandom(seed: 17)
        func centred(_ v: [Double]) -> [Double] { let m = v.reduce(0, +) / Double(v.count); return v.map { $0 - m } }
        func unit(_ v: [Double]) -> [Double] { let s = (v.reduce(0) { $0 + $1 * $1 } / Double(v.count - 1)).squareRoot(); return v.map { $0 / s } }
        let a = unit(centred((0..<k).map { _ in random.normal() }))
        var b = centred((0..<k).map { _ in random.normal() })
        let projection = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / a.reduce(0) { $0 + $1 * $1 }
        b = unit(zip(b, a).map { $0 - projection * $1 })   // orthogonal to a, unit variance
        let weak = zip(a, b).map { 0.1 * $0 + (1 - 0.01).squareRoot() * $1 }
        let strong = zip(a, b).map { 0.9 * $0 + (1 - 0.81).squareRoot() * $1 }
        let prior = SerialEnsembleSquareRoot.Ensemble(mean: [1, 1, 1], deviations: (0..<k).map { [a[$0], weak[$0], strong[$0]] })
        let equivalents = (0..<k).map { [1 + a[$0]] }
        let plain = try SerialEnsembleSquareRoot(rejectionSigmas: nil).update(prior, equivalents: equivalents, values: [2], sigmas: [0.5])
        let local = try SerialEnsembleSquareRoot(rejectionSigmas: nil, localised: true).update(prior, equivalents: equivalents, values: [2], sigmas: [0.5])
        #expect(abs(plain.ensemble.mean[1] - 1) > 0.05, "without localisation the weakly correlated parameter moves")
        #expect(local.ensemble.mean[1] == 1 && local.ensemble.deviations.map { $0[1] } == weak, "localised: untouched")
        for j in [0, 2] {
            #expect(abs(local.ensemble.mean[j] - plain.ensemble.mean[j]) < 1e-14)
            #expect(abs(plain.ensemble.mean[j] - 1) > 0.3)
        }
        #expect(local.observations[0].posteriorInnovation == plain.observations[0].posteriorInnovation)
    }

    @Test func equalsTheKalmanFilterForALinearOperator() throws {
        let (prior, h, y, sigma) = Self.problem(n: 6, k: 12, p: 9, seed: 5)
        let outcome = try SerialEnsembleSquareRoot(rejectionSigmas: nil).update(prior, equivalents: Self.equivalents(prior, h), values: y, sigmas: sigma)
        let input = try String(decoding: JSONSerialization.data(withJSONObject: ["X": prior.deviations, "m": prior.mean, "H": h, "y": y, "s": sigma]), as: UTF8.self)
        let output = try PythonRunner.run("""
            import json, sys, numpy as np
            a = json.loads(sys.argv[1])
            X = np.array(a["X"]); m = np.array(a["m"]); H = np.array(a["H"]); y = np.array(a["y"]); R = np.diag(np.array(a["s"]) ** 2)
            P = X.T @ X / (X.shape[0] - 1)
            S = H @ P @ H.T + R
            K = P @ H.T @ np.linalg.inv(S)
            d = y - H @ m
            ma = m + K @ d
            Pa = (np.eye(len(m)) - K @ H) @ P
            print(json.dumps({"mean": ma.tolist(), "cov": Pa.tolist(), "chi2": float(d @ np.linalg.solve(S, d)) / len(y),
                              "oma": (y - H @ ma).tolist()}))
            """, arguments: [input])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let mean = try #require(expected["mean"] as? [Double]), cov = try #require(expected["cov"] as? [[Double]])
        for j in mean.indices { #expect(abs(outcome.ensemble.mean[j] - mean[j]) < 1e-10, "mean \(j)") }
        let k = Double(prior.deviations.count - 1)
        for a in mean.indices {
            for b in mean.indices {
                let c = outcome.ensemble.deviations.reduce(0) { $0 + $1[a] * $1[b] } / k
                #expect(abs(c - cov[a][b]) < 1e-10, "covariance [\(a), \(b)]")
            }
        }
        // O − A of the final state, and the innovations carried along.
        let oma = try #require(expected["oma"] as? [Double])
        for m in oma.indices { #expect(abs(outcome.observations[m].posteriorInnovation - oma[m]) < 1e-10) }
        // Serial χ² uses each observation's own prior variance (CTDAS's diagnostic), so it is not the
        // joint dᵀS⁻¹d/p; it is positive and of the same size.
        let chi = try #require(outcome.chiSquaredPerObservation)
        #expect(chi > 0 && chi.isFinite)
    }

    @Test func aGrossMismatchIsRejectedAndKept() throws {
        var (prior, h, y, sigma) = Self.problem(n: 4, k: 10, p: 5, seed: 9)
        y[2] = 1e3
        let outcome = try SerialEnsembleSquareRoot().update(prior, equivalents: Self.equivalents(prior, h), values: y, sigmas: sigma)
        #expect(outcome.observations.map(\.assimilated) == [true, true, false, true, true])
        #expect(outcome.observations.count == 5)
        // Without the rejected observation the result is the four others' update.
        let kept = [0, 1, 3, 4]
        let reference = try SerialEnsembleSquareRoot(rejectionSigmas: nil).update(prior, equivalents: Self.equivalents(prior, kept.map { h[$0] }),
                                                                                   values: kept.map { y[$0] }, sigmas: kept.map { sigma[$0] })
        for j in prior.mean.indices { #expect(abs(outcome.ensemble.mean[j] - reference.ensemble.mean[j]) < 1e-12) }
        #expect(throws: AssimilationError.self) {
            _ = try SerialEnsembleSquareRoot().update(prior, equivalents: Self.equivalents(prior, h), values: y, sigmas: [1, 1, 0, 1, 1])
        }
        #expect(throws: AssimilationError.self) {
            _ = try SerialEnsembleSquareRoot().update(prior, equivalents: [[1]], values: y, sigmas: sigma)
        }
    }
}
