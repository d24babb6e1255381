import Foundation
import PlumeVerify
import Testing

/// CarbonBench and WeatherBench 2 rollout scores against values worked out by hand.
@Suite struct RolloutScoringTests {
    @Test func latitudeWeights() throws {
        // Bounds −90, −30, 30, 90: sin differences 0.5, 1, 0.5, normalised to mean 1.
        let area = try LatitudeWeights.cellArea(latitudesDegrees: [-60, 0, 60])
        #expect(zip(area, [0.75, 1.5, 0.75]).allSatisfy { abs($0 - $1) < 1e-14 })
        let north = try LatitudeWeights.cellArea(latitudesDegrees: [60, 0, -60])
        #expect(zip(north, [0.75, 1.5, 0.75]).allSatisfy { abs($0 - $1) < 1e-14 })
        // Bounds −90, 30, 90 for an uneven pair: 1.5 and 0.5.
        let uneven = try LatitudeWeights.cellArea(latitudesDegrees: [-10, 70])
        #expect(abs(uneven[0] - 1.5) < 1e-14 && abs(uneven[1] - 0.5) < 1e-14)
        let cosine = try LatitudeWeights.cosine(latitudesDegrees: [0, 60])
        #expect(abs(cosine[0] - 4.0 / 3) < 1e-14 && abs(cosine[1] - 2.0 / 3) < 1e-14)
        #expect(LatitudeWeights.broadcast([1, 2], longitudeCount: 2, layers: 2) == [1, 1, 2, 2, 1, 1, 2, 2])
        #expect(throws: VerifyError.self) { try LatitudeWeights.cellArea(latitudesDegrees: [0, 10, 5]) }
    }

    @Test func co2ScoresOfItselfAndOfAnOffset() throws {
        let truth: [Double] = [400, 402, 405, 401, 399, 410, 404, 403]  // [2 levels, 2 lat, 2 lon]
        let airmass: [Double] = [1, 2, 1, 2, 0.5, 1, 0.5, 1]
        let w = LatitudeWeights.broadcast(try LatitudeWeights.cosine(latitudesDegrees: [-30, 30]), longitudeCount: 2, layers: 2)
        let perfect = try CO2StepScore(predicted: truth, truth: truth, predictedAirmass: airmass, trueAirmass: airmass, weights: w)
        #expect(perfect.rSquared == 1 && perfect.rmsePPM == 0 && perfect.massErrorPgC == 0)
        // A constant offset of 2e-6 kg/kg: perfectly correlated, RMSE = 2 · 28.9652/44.009 ppm,
        // mass error 2 · Σm · 1e-6 / 3.664 PgC.
        let offset = try CO2StepScore(predicted: truth.map { $0 + 2 }, truth: truth, predictedAirmass: airmass,
                                      trueAirmass: airmass, weights: w)
        #expect(abs(offset.rSquared - 1) < 1e-12)
        #expect(abs(offset.rmsePPM - 2 * 28.9652 / 44.009) < 1e-12)
        #expect(abs(offset.massErrorPgC - 2 * 9 * 1e-6 / 3.664) < 1e-15)
    }

    @Test func weightedPearsonByHand() throws {
        // a = (1, 2, 3), b = (1, 3, 2), w = (1, 1, 2): means 9/4 and 2, cov 1, var 11/4 and 2 → r² = 2/11.
        let r2 = try CO2StepScore.pearsonRSquared([1, 2, 3], [1, 3, 2], weights: [1, 1, 2])
        #expect(abs(r2 - 2.0 / 11) < 1e-15)
        // Unweighted, the same data give r = 0.5.
        #expect(abs(try CO2StepScore.pearsonRSquared([1, 2, 3], [1, 3, 2], weights: [1, 1, 1]) - 0.25) < 1e-15)
        #expect(try CO2StepScore.pearsonRSquared([1, 1, 1], [1, 3, 2], weights: [1, 1, 1]).isNaN)
    }

    @Test func massOfAKnownPerturbation() throws {
        let q: [Double] = [400, 400], m: [Double] = [1, 2]
        #expect(abs(try CO2Units.globalMassPgC(massMixingRatio: q, airmass: m) - 1200e-6 / 3.664) < 1e-15)
        let score = try CO2StepScore(predicted: [400, 410], truth: q, predictedAirmass: m, trueAirmass: m, weights: [1, 1])
        #expect(abs(score.massErrorPgC - 10 * 2e-6 / 3.664) < 1e-15)
        // Errors +3 and −4 PgC over two rollouts: mass RMSE √12.5; mean R² of two curves.
        let rms = LeadCurves.rootMeanSquare([[0, 3], [0, -4]])
        #expect(rms[0] == 0 && abs(rms[1] - 12.5.squareRoot()) < 1e-15)
        #expect(LeadCurves.mean([[1, 0.8, 0.6], [1, 0.6]]) == [1, 0.7, 0.6])
        #expect(LeadCurves.counts([[1, 0.8, 0.6], [1, 0.6]]) == [2, 2, 1])
    }

    @Test func decorrelationTime() {
        let leads: [Double] = [0, 1, 2, 3, 4]
        let r2: [Double] = [1, 0.95, 0.91, 0.85, 0.7]
        #expect(LeadCurves.decorrelationDays(leadDays: leads, rSquared: r2, threshold: 0.9) == 3)
        #expect(LeadCurves.decorrelationDays(leadDays: leads, rSquared: r2, threshold: 0.8) == 4)
        #expect(LeadCurves.decorrelationDays(leadDays: leads, rSquared: r2, threshold: 0.5) == nil)
        #expect(LeadCurves.decorrelationDays(leadDays: leads, rSquared: [1, .nan, 1, 1, 1], threshold: 0.9) == 1)
        #expect(LeadCurves.index(of: 2, in: [0, 0.25, 2.0000000001]) == 2)
    }

    @Test func fluxesOnlyStep() throws {
        // F = 1e-8 kg m⁻² s⁻¹ on 1e10 m² for 6 h: 2.16e6 kg CO2 into 2 Pg of air = 1.08e-6 kg/kg.
        var q: [Double] = [400, 400, 390, 390]  // [2 levels, 1 lat, 2 lon]
        try CO2FluxBaseline.step(massMixingRatio: &q, flux: [1e-8, -1e-8], cellArea: [1e10, 1e10], lowestAirmass: [2, 4],
                                 seconds: 21600)
        #expect(abs(q[0] - 401.08) < 1e-10 && abs(q[1] - (400 - 0.54)) < 1e-10)
        #expect(q[2] == 390 && q[3] == 390)
        #expect(throws: VerifyError.self) {
            try CO2FluxBaseline.step(massMixingRatio: &q, flux: [1], cellArea: [1, 1], lowestAirmass: [1], seconds: 1)
        }
    }

    @Test func weatherRMSEAndACC() throws {
        let truth: [Double] = [1, -1, 2, -2], w: [Double] = [0.5, 1.5, 0.5, 1.5]
        #expect(try WeatherSkill.meanSquaredError(predicted: truth.map { $0 + 1 }, truth: truth, weights: w) == 1)
        // Errors (1, 2, 0, 0), weights (0.5, 1.5, 0.5, 1.5): (0.5 + 6) / 4.
        let mse = try WeatherSkill.meanSquaredError(predicted: [2, 1, 2, -2], truth: truth, weights: w)
        #expect(abs(mse - 6.5 / 4) < 1e-15)
        let c = [Double](repeating: 0, count: 4)
        #expect(abs(try WeatherSkill.anomalyCorrelation(predicted: truth.map { 2 * $0 }, truth: truth, climatology: c, weights: w) - 1) < 1e-15)
        #expect(abs(try WeatherSkill.anomalyCorrelation(predicted: truth.map { -$0 }, truth: truth, climatology: c, weights: w) + 1) < 1e-15)
        // f′ = (1, 1), o′ = (1, 0): 1 / √2. Uncentred: a constant anomaly still correlates.
        #expect(abs(try WeatherSkill.anomalyCorrelation(predicted: [6, 6], truth: [6, 5], climatology: [5, 5], weights: [1, 1])
            - 0.5.squareRoot()) < 1e-15)
        #expect(try WeatherSkill.anomalyCorrelation(predicted: c, truth: truth, climatology: c, weights: w).isNaN)
    }

    @Test func climatologies() throws {
        var mean = Climatology(method: .timeMean, fieldCount: 2)
        try mean.add([1, 3], dayOfYear: 10)
        try mean.add([3, 5], dayOfYear: 200)
        #expect(try mean.field(dayOfYear: 77) == [2, 4])
        var daily = Climatology(method: .dayOfYear(halfWindowDays: 0), fieldCount: 1)
        try daily.add([1], dayOfYear: 10)
        try daily.add([5], dayOfYear: 12)
        try daily.add([2], dayOfYear: 366)
        try daily.add([4], dayOfYear: 1)
        #expect(try daily.field(dayOfYear: 10) == [1])
        #expect(throws: VerifyError.self) { try daily.field(dayOfYear: 11) }
        var smooth = Climatology(method: .dayOfYear(halfWindowDays: 1), fieldCount: 1)
        for (d, v) in [(10, 1.0), (12, 5.0), (366, 2.0), (1, 4.0)] { try smooth.add([v], dayOfYear: d) }
        #expect(try smooth.field(dayOfYear: 11) == [3])
        #expect(try smooth.field(dayOfYear: 366) == [3])  // wraps to day 1
    }
}
