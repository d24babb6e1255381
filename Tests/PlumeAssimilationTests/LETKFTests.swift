import Foundation
@testable import PlumeAssimilation
import PlumeGrids
import PlumeIO
import Testing

/// The LETKF against OI's analytic single-observation increment, as the ensemble grows.
@Suite struct LETKFTests {
    typealias F = AssimilationFixtures

    /// A 45° grid (4×8 points) and the Gaussian covariance B of σb = 3 and one length scale = 45° of arc.
    static let sigmaB = 3.0, sigmaO = 2.0
    static let lengthM = GreatCircle.earthRadiusM * .pi / 4

    static func covariance(_ grid: RegularLatLonGrid) -> [Double] {
        var points: [SIMD3<Double>] = []
        for i in 0..<grid.latitudeCount {
            for j in 0..<grid.longitudeCount {
                points.append(GreatCircle.unitVector(latitude: grid.firstLatitude + Double(i) * grid.latitudeStep, longitude: Double(j) * grid.longitudeStep))
            }
        }
        let n = points.count
        var b = [Double](repeating: 0, count: n * n)
        for a in 0..<n { for c in 0..<n { b[a * n + c] = sigmaB * sigmaB * exp(-0.5 * pow(GreatCircle.distanceM(points[a], points[c]) / lengthM, 2)) } }
        return b
    }

    /// The lower Cholesky factor of `a` (n×n), with a small jitter for the Gaussian's near-singularity.
    static func cholesky(_ a: [Double], n: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j] + (i == j ? 1e-9 : 0)
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = i == j ? max(s, 0).squareRoot() : (l[j * n + j] > 0 ? s / l[j * n + j] : 0)
            }
        }
        return l
    }

    static func ensemble(_ grid: RegularLatLonGrid, perturbations: [[Double]]) throws -> [GriddedState] {
        try perturbations.map { p in
            try GriddedState(grid: grid, time: F.time, fields: ["h": p.map { 1000 + $0 }])
        }
    }

    func singleObservationIncrements(members: [GriddedState], grid: RegularLatLonGrid) throws -> (atObservation: Double, oneLengthAway: Double) {
        let letkf = LETKF(localisation: nil, preparation: ObservationPreparation(qualityControl: QualityControl(backgroundCheckSigmas: nil)))
        // Observation at the point (22.5°N, 90°E); one length scale north is (67.5°N, 90°E).
        let mean = (0..<members[0].pointCount).map { g in members.reduce(0) { $0 + $1.fields["h"]![g] } / Double(members.count) }
        let n = grid.longitudeCount
        let at = 2 * n + 2, north = 3 * n + 2
        let result = try letkf.analyse(members: members, observations: [F.observation("h", latitude: 22.5, longitude: 90, value: mean[at] + 2, sigma: Self.sigmaO)],
                                       window: F.window)
        return (result.state.fields["h"]![at] - mean[at], result.state.fields["h"]![north] - mean[north])
    }

    @Test func anEnsembleWhoseCovarianceIsBGivesOIsIncrementExactly() throws {
        let grid = try F.grid(step: 45)
        let n = grid.latitudeCount * grid.longitudeCount
        let l = Self.cholesky(Self.covariance(grid), n: n)
        // ±√(k−1)/√2 · (columns of L): the sample mean is 0 and the sample covariance L Lᵀ = B.
        let k = 2 * n, scale = (Double(k - 1) / 2).squareRoot()
        var perturbations: [[Double]] = []
        for c in 0..<n {
            let column = (0..<n).map { l[$0 * n + c] * scale }
            perturbations.append(column)
            perturbations.append(column.map { -$0 })
        }
        let increments = try singleObservationIncrements(members: try Self.ensemble(grid, perturbations: perturbations), grid: grid)
        let gain = Self.sigmaB * Self.sigmaB / (Self.sigmaB * Self.sigmaB + Self.sigmaO * Self.sigmaO)
        #expect(abs(increments.atObservation - gain * 2) < 1e-6)
        #expect(abs(increments.oneLengthAway - exp(-0.5) * gain * 2) < 1e-6)
    }

    @Test func randomEnsemblesConvergeToOIsIncrementAsTheyGrow() throws {
        let grid = try F.grid(step: 45)
        let n = grid.latitudeCount * grid.longitudeCount
        let l = Self.cholesky(Self.covariance(grid), n: n)
        let gain = Self.sigmaB * Self.sigmaB / (Self.sigmaB * Self.sigmaB + Self.sigmaO * Self.sigmaO)
        var random = TestRandom(seed: 42)
        var errors: [Double] = []
        for k in [8, 32, 128] {
            // Mean error over 4 ensembles of each size.
            var error = 0.0
            for _ in 0..<4 {
                let perturbations = (0..<k).map { _ -> [Double] in
                    let z = (0..<n).map { _ in random.normal() }
                    return (0..<n).map { i in (0...i).reduce(0) { $0 + l[i * n + $1] * z[$1] } }
                }
                let increments = try singleObservationIncrements(members: try Self.ensemble(grid, perturbations: perturbations), grid: grid)
                error += abs(increments.atObservation - gain * 2) + abs(increments.oneLengthAway - exp(-0.5) * gain * 2)
            }
            errors.append(error / 4)
        }
        #expect(errors[1] < errors[0])
        #expect(errors[2] < errors[1])
        #expect(errors[2] < 0.1 * gain * 2, "errors by size 8, 32, 128: \(errors)")
    }

    @Test func jacobiEigenvectorsReconstructTheMatrix() {
        var random = TestRandom(seed: 3)
        let n = 12
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let x = random.normal(); a[i * n + j] = x; a[j * n + i] = x } }
        let (values, vectors) = SymmetricEigen.decompose(a, n: n)
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<n { s += vectors[i * n + l] * values[l] * vectors[j * n + l] }
                worst = max(worst, abs(s - a[i * n + j]))
            }
        }
        #expect(worst < 1e-12)
    }

    @Test func localisedAnalysisLeavesDistantPointsAloneAndRelaxationRestoresSpread() throws {
        let grid = try F.grid(step: 10)
        var random = TestRandom(seed: 5)
        let members = try (0..<16).map { _ in
            try GriddedState(grid: grid, time: F.time, fields: ["h": (0..<(18 * 36)).map { _ in 500 + 5 * random.normal() }])
        }
        let observation = F.observation("h", latitude: 45, longitude: 100, value: 510, sigma: 1)
        let cut = LETKF(localisation: .gaspariCohn(halfWidthM: 1e6), preparation: ObservationPreparation(qualityControl: QualityControl(backgroundCheckSigmas: nil)))
        let plain = try cut.analyse(members: members, observations: [observation], window: F.window)
        // 60°S is far beyond 2c = 2000 km: the members there are the background's.
        let far = 3 * 36 + 10
        for (a, b) in zip(plain.members, members) { #expect(a.fields["h"]![far] == b.fields["h"]![far]) }
        // Near the observation the spread shrinks; RTPS with α = 1 restores it exactly.
        let near = 13 * 36 + 10   // 45°N, 100°E
        func spread(_ states: [GriddedState]) -> Double {
            let x = states.map { $0.fields["h"]![near] }, m = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
        }
        #expect(spread(plain.members) < 0.5 * spread(members))
        var relaxed = cut
        relaxed.relaxationToPriorSpread = 1
        let restored = try relaxed.analyse(members: members, observations: [observation], window: F.window)
        #expect(abs(spread(restored.members) - spread(members)) < 1e-9)
        #expect(abs(restored.state.fields["h"]![near] - plain.state.fields["h"]![near]) < 1e-9)
    }
}
