import ArgumentParser
import Foundation
import PlumeAssimilation
import PlumeGrids
import PlumeIO
import PlumeSupport

/// `plume bench assimilation`: wall time of one analysis of `--observations` observations
/// (t, u, v at random positions and pressures, 40/30/30 %) into a state of `--levels`
/// pressure levels on latlon5.625 (32 × 64): optimal interpolation (Gaussian correlations,
/// `--length-km`, the global conjugate-gradient solve) and the LETKF with `--members`
/// members (Gaspari–Cohn localisation of half-width `--length-km`, vertical localisation of
/// two levels, RTPS 0.7). The truth, background and members are smooth random fields with
/// a fixed seed, so every run analyses the same numbers. Also the flux inversion's analysis
/// of one weekly cycle (`LaggedFluxSmoother`: a new week enters, the serial square-root update
/// of the whole lag window) at CTDAS-like sizes; the transport of the members, which
/// dominates a real cycle, is not part of it. Prints one JSON line.
struct AssimilationBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assimilation",
        abstract: "Time OI and the LETKF assimilating N observations into a 32 × 64 × L state.")

    @Option(help: "Observations.")
    var observations: Int = 10_000

    @Option(help: "Pressure levels of the state (1000 hPa to 100 hPa, equally spaced in log-pressure).")
    var levels: Int = 10

    @Option(help: "LETKF ensemble members.")
    var members: Int = 32

    @Option(name: .customLong("length-km"), help: "OI correlation length and LETKF localisation half-width (km).")
    var lengthKm: Double = 500

    @Option(help: "Worker threads (Plume's parallel loops).")
    var threads: Int = 2

    @Option(name: .customLong("inversion-regions"), help: "Flux inversion: regions (each with a land or ocean factor).")
    var inversionRegions: Int = 22

    @Option(name: .customLong("inversion-lag"), help: "Flux inversion: weeks in the smoother's window.")
    var inversionLagWeeks: Int = 5

    @Option(name: .customLong("inversion-members"), help: "Flux inversion: ensemble members.")
    var inversionMembers: Int = 150

    @Option(name: .customLong("inversion-observations"), help: "Flux inversion: observations per weekly cycle.")
    var inversionObservations: Int = 700

    /// Seconds of one weekly cycle's analysis (new week, serial update of the whole window)
    /// with equivalents that depend linearly on the factors (the transport is not timed here).
    func timeInversionCycle(clock: ContinuousClock, random: inout SeededRandom) throws -> Double {
        let centres = (0..<inversionRegions).map { r in
            GreatCircle.unitVector(latitude: -80 + 160 * Double(r / 2) / Double(max(inversionRegions / 2 - 1, 1)), longitude: Double(r % 2) * 180)
        }
        let prior = try FluxPrior(centres: centres, isLand: (0..<inversionRegions).map { $0 % 2 == 0 }, sigma: [Double](repeating: 0.5, count: inversionRegions),
                                  lengthM: 2e6)
        var smoother = try LaggedFluxSmoother(prior: prior, lagWeeks: inversionLagWeeks, members: inversionMembers, seed: 5)
        for _ in 0..<inversionLagWeeks { _ = smoother.startWeek() }
        let parameters = inversionRegions * inversionLagWeeks
        let sensitivity = (0..<inversionObservations).map { _ in (0..<parameters).map { _ in random.uniform() } }
        let equivalents = (0..<inversionMembers).map { i -> [Double] in
            let f = smoother.memberFactors(i).flatMap { $0 }
            return sensitivity.map { row in zip(row, f).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        let values = (0..<inversionObservations).map { o in sensitivity[o].reduce(0, +) + random.normal() }
        let sigmas = [Double](repeating: 1, count: inversionObservations)
        return clock.measure {
            _ = smoother.startWeek()
            _ = try? smoother.assimilate(equivalents: equivalents, values: values, sigmas: sigmas)
        } / .seconds(1)
    }

    func validate() throws {
        guard observations >= 1 else { throw ValidationError("--observations must be at least 1, got \(observations)") }
        guard levels >= 2 else { throw ValidationError("--levels must be at least 2, got \(levels)") }
        guard members >= 2 else { throw ValidationError("--members must be at least 2, got \(members)") }
        guard lengthKm > 0 else { throw ValidationError("--length-km must be positive, got \(lengthKm)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() throws {
        setenv("PLUME_THREADS", "\(threads)", 1)
        guard let grid = try GridCatalog.grid("latlon5.625") as? RegularLatLonGrid else { throw ValidationError("latlon5.625 is not a regular longitude–latitude grid") }
        let time = CFDate(year: 2000, month: 1, day: 15, hour: 12)
        let window = CFDate(year: 2000, month: 1, day: 15, hour: 9)...CFDate(year: 2000, month: 1, day: 15, hour: 15)
        let pressures = (0..<levels).map { 100_000 * pow(0.1, Double($0) / Double(levels - 1)) }
        let sigmas: [String: Double] = ["t": 1.5, "u": 2.5, "v": 2.5]
        var random = SeededRandom(seed: 42)
        func field(amplitude: Double) -> [Double] {
            SmoothRandomField(grid: grid, levels: levels, random: &random).values.map { $0 * amplitude }
        }
        var truthFields: [String: [Double]] = [:], backgroundFields: [String: [Double]] = [:]
        for (name, sigma) in sigmas.sorted(by: { $0.key < $1.key }) {
            let climate = field(amplitude: 10).map { $0 + (name == "t" ? 250 : 0) }
            truthFields[name] = climate
            backgroundFields[name] = zip(climate, field(amplitude: sigma)).map { $0 + $1 }
        }
        let truth = try GriddedState(grid: grid, levelCount: levels, time: time, fields: truthFields, levelPressuresPa: pressures)
        let background = try GriddedState(grid: grid, levelCount: levels, time: time, fields: backgroundFields, levelPressuresPa: pressures)
        // Observations of the truth with noise.
        let preparation = ObservationPreparation()
        var obs: [Observation] = []
        while obs.count < observations {
            let u = random.uniform()
            let name = u < 0.4 ? "t" : (u < 0.7 ? "u" : "v")
            let latitude = asin(2 * random.uniform() - 1) * 180 / .pi, longitude = 360 * random.uniform()
            let pressure = pressures[0] * pow(pressures[levels - 1] / pressures[0], random.uniform())
            let sigma = sigmas[name] ?? 1
            let probe = Observation(time: time, latitude: latitude, longitude: longitude, vertical: .pressurePa(pressure), variable: name,
                                    value: 0, sigma: sigma, site: "bench", source: "bench")
            guard let location = try? preparation.operator_.locate(probe, in: [truth], window: window).get(),
                  let value = ObservationPreparation.equivalent(location, variable: name, states: [truth]) else { continue }
            var observation = probe
            observation.value = value + sigma * random.normal()
            obs.append(observation)
        }
        let clock = ContinuousClock()
        // OI.
        let oi = OptimalInterpolation(correlation: .gaussian(lengthScaleM: lengthKm * 1000), verticalLengthLevels: 1,
                                      backgroundSigma: sigmas.mapValues { [Double](repeating: $0, count: levels) })
        var oiResult: AnalysisResult?
        let oiSeconds = try clock.measure { oiResult = try oi.analyse(background: background, observations: obs, window: window) } / .seconds(1)
        // LETKF: members = background + smooth perturbations of σb.
        var ensemble: [GriddedState] = []
        for _ in 0..<members {
            var member = background
            for (name, sigma) in sigmas.sorted(by: { $0.key < $1.key }) {
                member.fields[name] = zip(background.fields[name] ?? [], field(amplitude: sigma)).map { $0 + $1 }
            }
            ensemble.append(member)
        }
        let letkf = LETKF(localisation: .gaspariCohn(halfWidthM: lengthKm * 1000), verticalLocalisationLevels: 2, relaxationToPriorSpread: 0.7)
        var letkfResult: AnalysisResult?
        let letkfSeconds = try clock.measure { letkfResult = try letkf.analyse(members: ensemble, observations: obs, window: window) } / .seconds(1)
        func rmse(_ state: GriddedState?, _ name: String) -> Double {
            guard let a = state?.fields[name], let t = truth.fields[name] else { return .nan }
            return (zip(a, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(a.count)).squareRoot()
        }
        var line: [String: Any] = [
            "benchmark": "assimilation", "grid": "latlon5.625", "levels": levels, "observations": observations, "members": members,
            "length_km": lengthKm, "threads": threads,
            "oi_seconds": oiSeconds, "oi_cg_iterations": oiResult?.iterations ?? 0,
            "oi_used": oiResult?.observations.filter { $0.flag == .used }.count ?? 0,
            "oi_chi2_per_obs": oiResult?.chiSquaredPerObservation ?? .nan,
            "letkf_seconds": letkfSeconds, "letkf_used": letkfResult?.observations.filter { $0.flag == .used }.count ?? 0,
        ]
        // The flux inversion's analysis of one weekly cycle: CTDAS's sizes by default.
        let inversionSeconds = try timeInversionCycle(clock: clock, random: &random)
        line["inversion_cycle_seconds"] = inversionSeconds
        line["inversion_regions"] = inversionRegions
        line["inversion_lag_weeks"] = inversionLagWeeks
        line["inversion_members"] = inversionMembers
        line["inversion_observations_per_week"] = inversionObservations
        var flags: [String: Int] = [:]
        for record in oiResult?.observations ?? [] { flags["\(record.observation.variable) \(record.flag.rawValue)", default: 0] += 1 }
        line["oi_flags"] = flags
        if let first = oiResult?.observations.first(where: { $0.flag != .used }) { line["oi_first_reason"] = first.reason }
        for name in sigmas.keys.sorted() {
            line["rmse_\(name)_background"] = rmse(background, name)
            line["rmse_\(name)_oi"] = rmse(oiResult?.state, name)
            line["rmse_\(name)_letkf"] = rmse(letkfResult?.state, name)
        }
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// A smooth random field `[level, lat, lon]` of unit standard deviation: a sum of low
/// zonal and meridional waves with random amplitudes and phases, varying slowly with level.
struct SmoothRandomField {
    var values: [Double]
    init(grid: RegularLatLonGrid, levels: Int, random: inout SeededRandom, waves: Int = 6) {
        let nLat = grid.latitudeCount, nLon = grid.longitudeCount
        var terms: [(m: Double, n: Double, phase: Double, amplitude: Double, tilt: Double)] = []
        for _ in 0..<(waves * waves) {
            terms.append((Double(Int(random.uniform() * Double(waves))), Double(1 + Int(random.uniform() * Double(waves))),
                          2 * .pi * random.uniform(), random.normal(), 0.3 * random.normal()))
        }
        var v = [Double](repeating: 0, count: levels * nLat * nLon)
        for k in 0..<levels {
            for i in 0..<nLat {
                let colatitude = (90 - (grid.firstLatitude + Double(i) * grid.latitudeStep)) * .pi / 180
                for j in 0..<nLon {
                    let lambda = (grid.firstLongitude + Double(j) * grid.longitudeStep) * .pi / 180
                    var sum = 0.0
                    for t in terms { sum += t.amplitude * sin(t.n * colatitude) * cos(t.m * lambda + t.phase + t.tilt * Double(k)) }
                    v[(k * nLat + i) * nLon + j] = sum
                }
            }
        }
        let mean = v.reduce(0, +) / Double(v.count)
        let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot()
        values = v.map { ($0 - mean) / max(sd, 1e-12) }
    }
}
