import Foundation
import PlumeAssimilation
import PlumeGrids
import PlumeIO
import PlumeTestSupport
import Testing

/// OI against its analytic single-observation solution and a dense NumPy solve.
@Suite struct OptimalInterpolationTests {
    typealias F = AssimilationFixtures

    func index(_ state: GriddedState, latitude: Double, longitude: Double) -> Int {
        let i = Int(((latitude - state.grid.firstLatitude) / state.grid.latitudeStep).rounded())
        let j = Int(((longitude - state.grid.firstLongitude) / state.grid.longitudeStep).rounded())
        return i * state.grid.longitudeCount + j
    }

    @Test func singleObservationIncrementIsTheGainTimesTheInnovationAndFallsToEToTheMinusHalfAtOneLengthScale() throws {
        let grid = try F.grid(step: 1)
        let background = try F.state(grid: grid, fields: ["h": { _, lat, _ in 8000 + 10 * sin(lat * .pi / 180) }])
        let sigmaB = 3.0, sigmaO = 2.0
        // One length scale = 5° of arc along the meridian (a grid point lies there exactly).
        let lengthM = GreatCircle.earthRadiusM * 5 * .pi / 180
        let (lat0, lon0) = (20.5, 40.0)
        let b0 = background.fields["h"]![index(background, latitude: lat0, longitude: lon0)]
        let innovation = 2.0
        let oi = OptimalInterpolation(correlation: .gaussian(lengthScaleM: lengthM), backgroundSigma: ["h": [sigmaB]])
        let result = try oi.analyse(background: background, observations: [F.observation("h", latitude: lat0, longitude: lon0, value: b0 + innovation, sigma: sigmaO)],
                                    window: F.window)
        let gain = sigmaB * sigmaB / (sigmaB * sigmaB + sigmaO * sigmaO)
        let increment = { (lat: Double, lon: Double) -> Double in
            let n = self.index(background, latitude: lat, longitude: lon)
            return result.state.fields["h"]![n] - background.fields["h"]![n]
        }
        #expect(abs(increment(lat0, lon0) - gain * innovation) < 1e-6)
        #expect(abs(increment(lat0 + 5, lon0) - exp(-0.5) * gain * innovation) < 1e-6)
        #expect(abs(increment(lat0 - 5, lon0) - exp(-0.5) * gain * innovation) < 1e-6)
        #expect(abs(increment(lat0 + 10, lon0) - exp(-2) * gain * innovation) < 1e-6)
        // Far away (beyond the cut-off) nothing changes.
        #expect(increment(-60.5, 220) == 0)
        // The diagnostics: O − A, and χ² = d²/(σb² + σo²) for one observation.
        let record = try #require(result.observations.first)
        #expect(record.flag == .used)
        #expect(abs((record.analysis ?? 0) - (b0 + gain * innovation)) < 1e-6)
        #expect(abs((result.chiSquaredPerObservation ?? 0) - innovation * innovation / (sigmaB * sigmaB + sigmaO * sigmaO)) < 1e-9)
    }

    @Test func gaspariCohnIncrementsAreFiveTwentyFourthsAtTheHalfWidthAndZeroBeyondTwice() throws {
        let grid = try F.grid(step: 1)
        let background = try F.state(grid: grid, fields: ["h": { _, _, _ in 100 }])
        let c = GreatCircle.earthRadiusM * 4 * .pi / 180
        let oi = OptimalInterpolation(correlation: .gaspariCohn(halfWidthM: c), backgroundSigma: ["h": [1]])
        let result = try oi.analyse(background: background, observations: [F.observation("h", latitude: 0.5, longitude: 100, value: 101, sigma: 1)], window: F.window)
        let at = { (lat: Double) in result.state.fields["h"]![self.index(background, latitude: lat, longitude: 100)] - 100 }
        #expect(abs(at(0.5) - 0.5) < 1e-9)
        #expect(abs(at(4.5) - 0.5 * 5.0 / 24.0) < 1e-9)
        #expect(abs(CorrelationModel.gaspariCohn(1) - 5.0 / 24.0) < 1e-15)
        #expect(at(8.5) == 0)
        #expect(at(12.5) == 0)
    }

    @Test func manyObservationsMatchADenseNumPySolve() throws {
        let grid = try F.grid(step: 10)
        let background = try F.state(grid: grid, levels: 3, fields: ["t": { k, lat, lon in 280 - 10 * Double(k) + 5 * cos(lat * .pi / 90) + sin(lon * .pi / 180) }],
                                     pressures: [85_000, 50_000, 25_000])
        var random = TestRandom(seed: 7)
        var observations: [Observation] = []
        for _ in 0..<60 {
            let lat = -80 + 160 * random.uniform(), lon = 360 * random.uniform()
            let p = 25_000 + 60_000 * random.uniform()
            observations.append(F.observation("t", latitude: lat, longitude: lon, value: 270 + 3 * random.normal(), sigma: 0.5 + random.uniform(),
                                              vertical: .pressurePa(p)))
        }
        let lengthM = 1.2e6
        let oi = OptimalInterpolation(correlation: .gaussian(lengthScaleM: lengthM), verticalLengthLevels: 0.8, backgroundSigma: ["t": [2, 1.5, 1]],
                                      preparation: ObservationPreparation(qualityControl: QualityControl(backgroundCheckSigmas: nil)))
        let result = try oi.analyse(background: background, observations: observations, window: F.window)
        let used = result.observations.filter { $0.flag == .used }
        #expect(used.count == 60)
        // NumPy: the same B between observation positions and to the grid, with its own
        // distances (haversine), a dense solve, the increments at every grid point.
        let obsJSON = used.map { r in [r.observation.latitude, r.observation.longitude, r.location!.level, r.innovation!, r.sigma!, r.backgroundSigma!] }
        let input = try String(decoding: JSONSerialization.data(withJSONObject: ["obs": obsJSON, "L": lengthM, "Lv": 0.8, "sb": [2, 1.5, 1]]), as: UTF8.self)
        let output = try PythonRunner.run("""
            import json, sys, numpy as np
            a = json.loads(sys.argv[1]); o = np.array(a["obs"]); R = 6.37122e6
            def dist(lat1, lon1, lat2, lon2):
                p1, p2 = np.radians(lat1), np.radians(lat2); dl = np.radians(lon2 - lon1)
                h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
                return 2 * R * np.arcsin(np.sqrt(np.minimum(h, 1)))
            def corr(r): return np.where(r < a["L"] * np.sqrt(2 * np.log(1e6)), np.exp(-0.5 * (r / a["L"]) ** 2), 0.0)
            lat, lon, lev, d, so, sb = o.T
            S = sb[:, None] * sb[None, :] * corr(dist(lat[:, None], lon[:, None], lat[None, :], lon[None, :])) \\
                * np.exp(-0.5 * ((lev[:, None] - lev[None, :]) / a["Lv"]) ** 2) + np.diag(so ** 2)
            w = np.linalg.solve(S, d)
            glat = -85 + 10 * np.arange(18); glon = 10 * np.arange(36)
            out = []
            for k in range(3):
                for la in glat:
                    c = corr(dist(la, glon[:, None], lat[None, :], lon[None, :])) * np.exp(-0.5 * ((k - lev[None, :]) / a["Lv"]) ** 2)
                    out += list(a["sb"][k] * (c * sb[None, :]) @ w)
            print(json.dumps({"inc": out, "chi2": float(d @ w) / len(d)}))
            """, arguments: [input])
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let increments = try #require(expected["inc"] as? [Double])
        let analysed = result.state.fields["t"]!, prior = background.fields["t"]!
        #expect(increments.count == analysed.count)
        var worst = 0.0
        for n in increments.indices { worst = max(worst, abs(analysed[n] - prior[n] - increments[n])) }
        #expect(worst < 1e-8, "largest difference from NumPy \(worst) K")
        #expect(abs((result.chiSquaredPerObservation ?? 0) - (expected["chi2"] as? Double ?? 0)) < 1e-9)
    }

    @Test func backgroundCheckFlagsAGrossErrorAndKeepsIt() throws {
        let grid = try F.grid(step: 5)
        let background = try F.state(grid: grid, fields: ["h": { _, _, _ in 5000 }])
        let oi = OptimalInterpolation(correlation: .gaussian(lengthScaleM: 5e5), backgroundSigma: ["h": [10]])
        let observations = [F.observation("h", latitude: 2.5, longitude: 50, value: 5005, sigma: 5),
                            F.observation("h", latitude: 42.5, longitude: 50, value: 5100, sigma: 5),   // 100 > 3·√125
                            F.observation("q", latitude: 42.5, longitude: 50, value: 1, sigma: 5),
                            F.observation("h", latitude: 42.5, longitude: 50, value: 5000, sigma: 5, time: CFDate(year: 2018, month: 11, day: 3)),
                            Observation(time: F.time, latitude: -42.5, longitude: 50, vertical: nil, variable: "h", value: 5050, sigma: 5,
                                        site: "flagged", source: "test", qcFlag: 0)]
        let result = try oi.analyse(background: background, observations: observations, window: F.window)
        #expect(result.observations.map(\.flag) == [.used, .backgroundCheck, .unknownVariable, .outsideWindow, .flaggedAtSource])
        // The source-flagged observation changes nothing: the analysis near it is the background.
        let row = try #require((0..<grid.latitudeCount).first { abs(background.latitude($0) + 42.5) < 1e-9 })
        #expect(result.state.fields["h"]?[row * grid.longitudeCount + 10] == 5000)
        #expect(result.observations[1].reason.contains("exceeds 3.0"))
        #expect(result.observations.count == observations.count)
    }

    @Test func balancedHeightIncrementGivesGeostrophicWinds() throws {
        let grid = try F.grid(step: 2)
        let background = try F.state(grid: grid, fields: ["h": { _, _, _ in 8000 }, "u": { _, _, _ in 0 }, "v": { _, _, _ in 0 }])
        let oi = OptimalInterpolation(correlation: .gaussian(lengthScaleM: 6e5), backgroundSigma: ["h": [20], "u": [2], "v": [2]],
                                      balance: GeostrophicBalance())
        let result = try oi.analyse(background: background, observations: [F.observation("h", latitude: 45, longitude: 180, value: 8040, sigma: 10)], window: F.window)
        // A height maximum in the northern hemisphere: clockwise (anticyclonic) flow — westerly
        // north of it, easterly south of it; northerly east of it.
        let n = grid.longitudeCount
        let at = { (field: String, lat: Double, lon: Double) -> Double in
            let i = Int(((lat - grid.firstLatitude) / 2).rounded()), j = Int((lon / 2).rounded())
            return result.state.fields[field]![i * n + j]
        }
        #expect(at("u", 51, 180) > 0.5)
        #expect(at("u", 39, 180) < -0.5)
        #expect(at("v", 45, 186) < -0.5)
        // Geostrophic: u′ = −(g/f) ∂h′/∂y, checked by finite differences of the analysed height.
        let f = 2 * GeostrophicBalance.omega * sin(51 * .pi / 180)
        let dhdy = (at("h", 53, 180) - at("h", 49, 180)) / (4 * .pi / 180 * GreatCircle.earthRadiusM)
        #expect(abs(at("u", 51, 180) - (-9.80665 / f * dhdy)) < 1e-9)
    }
}
