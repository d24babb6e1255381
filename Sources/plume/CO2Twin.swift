import ArgumentParser
import Foundation
import PlumeAssimilation
import PlumeGrids
import PlumeIngest
import PlumeIO
import PlumePlot
import PlumeSupport
import PlumeVerify

/// The CO2 flux-inversion twin behind `plume osse co2` (see its help for the design): a
/// truth run of the reference transport with the prior fluxes scaled by known regional
/// factors, synthetic observations of it at station-like sites, and CTDAS's fixed-lag
/// ensemble smoother cycling week by week with the chosen transport.
struct CO2Twin {
    struct Configuration {
        var dataPath: String
        var weeks: Int
        var lagWeeks: Int
        var members: Int
        var bandEdges: [Double]
        var landSigma: Double
        var oceanSigma: Double
        var lengthKm: Double
        var flaskSigmaPPM: Double
        var continuousSigmaPPM: Double
        /// The persistent part of the truth's factors deviates from 1 by this × its prior σ.
        var truthSigmaScale: Double
        /// The share of the prior variance in the factors' persistent part (0: CTDAS's
        /// independent weeks).
        var persistentShare: Double
        var seed: UInt64
    }

    /// One synthetic observation and what the inversion made of it.
    struct ObservationRow {
        var site: String
        var sampling: CO2Site.Sampling
        var week: Int
        /// Step index from the run's start (the observation is at the step's end).
        var step: Int
        var valuePPM: Double
        var sigmaPPM: Double
        var truthPPM: Double
        var priorInnovation = Double.nan
        var posteriorInnovation = Double.nan
        var priorVariance = Double.nan
        var assimilated = false
    }

    struct CycleRow: Codable {
        var week: Int
        var observations: Int
        var assimilated: Int
        var chiSquared: Double?
        var transportSeconds: Double
        var analysisSeconds: Double
    }

    struct RegionBudget: Codable {
        var region: String
        var land: Bool
        /// Annual totals, PgC per year (positive: into the atmosphere).
        var truthPgC: Double
        var priorPgC: Double
        var priorSigmaPgC: Double
        var posteriorPgC: Double
        /// σ of the smoother's accumulated budget (every week's error and its covariance with
        /// the other weeks' and the persistent part's, `LaggedFluxSmoother`).
        var posteriorSigmaPgC: Double
        /// The persistent part of the truth's factor (its weekly parts are in weekly-factors.csv).
        var truthFactor: Double
        var withinTwoSigma: Bool
    }

    struct Summary: Codable {
        var data: String
        var transport: String
        var weeks: Int
        var lagWeeks: Int
        var members: Int
        var sites: Int
        var observations: Int
        var assimilated: Int
        var chiSquaredPerObservation: Double
        /// 1 − Σ|posterior − truth| / Σ|prior − truth| over the land regions' annual fluxes.
        var landErrorReduction: Double
        /// The mean over land regions of 1 − |posterior − truth| / |prior − truth|.
        var meanRegionalLandErrorReduction: Double
        var landRegionsWithinTwoSigma: Int
        var landRegions: Int
        var globalLand: RegionBudget
        var globalOcean: RegionBudget
        var regions: [RegionBudget]
        var truthSeconds: Double
        var transportSeconds: Double
        var analysisSeconds: Double
        var wallSeconds: Double
    }

    struct Result {
        var summary: Summary
        var cycles: [CycleRow]
        var observations: [ObservationRow]
        var weeklyFactors: [(week: Int, truth: [Double], mean: [Double], sigma: [Double])]
        var regionNames: [String]
        var startDate: CFDate
        /// The posterior-mean CO2 (10⁻⁶ kg kg⁻¹, [level · lat · lon]) at the start of every
        /// week and at the end of the last.
        var posteriorCO2: [[Double]]
        /// Each week's mean prior fluxes (kg m⁻² s⁻¹ [lat, lon]).
        var weeklyFluxes: [SurfaceFluxFields]
        var regions: FluxRegions
        var grid: RegularLatLonGrid
        var levelCount: Int
        var calendar: CFCalendar
        var sites: [CO2Site]
    }

    let configuration: Configuration
    let regions: FluxRegions
    let prior: FluxPrior
    let sites: [CO2Site]
    /// Each site's bilinear stencil on the lowest layer.
    let stencils: [ObservationLocation]
    let initial: [Double]
    let start: Double
    let clock: CFTimeUnits
    /// The data file's winds and interface pressures, and its prior fluxes (read once; the
    /// reference transport runs on them).
    let source: LayerMeanMeteorologyFile
    let fluxes: SurfaceFluxArrays
    let cellArea: [Double]
    let stepsPerWeek: Int
    let stepSeconds: Double
    let grid: RegularLatLonGrid

    init(configuration: Configuration, grid: RegularLatLonGrid, transportGrid: TransportGrid, levels: HybridLevels, stepSeconds: Double) throws {
        self.configuration = configuration
        self.grid = grid
        let latitudes = (0..<grid.latitudeCount).map { grid.firstLatitude + Double($0) * grid.latitudeStep }
        let regions = try FluxRegions(edgesDegrees: configuration.bandEdges, latitudes: latitudes, longitudeCount: grid.longitudeCount)
        self.regions = regions
        let isLand = (0..<regions.count).map(regions.isLand)
        prior = try FluxPrior(centres: regions.centres, isLand: isLand,
                              sigma: isLand.map { $0 ? configuration.landSigma : configuration.oceanSigma },
                              lengthM: configuration.lengthKm * 1000)
        sites = CO2SiteNetwork.onePerCell(CO2SiteNetwork.surfaceSites, on: grid)
        let source = try LayerMeanMeteorologyFile(path: configuration.dataPath, grid: transportGrid, levels: levels)
        guard source.layersMatch else {
            throw ValidationError("--data \(configuration.dataPath): its layers (p_bottom, p_top) are not CarbonBench's \(levels.count) layers")
        }
        self.source = source
        guard let first = source.recordTimes.first, let last = source.recordTimes.last else {
            throw ValidationError("--data \(configuration.dataPath): no records")
        }
        start = first
        self.stepSeconds = stepSeconds
        stepsPerWeek = Int((7 * 86_400 / stepSeconds).rounded())
        let needed = Double(configuration.weeks * stepsPerWeek) * stepSeconds
        guard last - first >= needed - 1e-6 else {
            throw ValidationError(String(format: "--data %@: holds %.2f days of records, the twin needs %d weeks (%.0f days)",
                                         configuration.dataPath, (last - first) / 86_400, configuration.weeks, needed / 86_400))
        }
        clock = CFTimeUnits(secondsPerUnit: 1, reference: CFDate(year: source.startYear, month: 1, day: 1), calendar: source.calendar)
        let startDate = clock.date(first)
        initial = try TransportInitialState.read(path: configuration.dataPath, date: startDate, latitudes: latitudes,
                                                 longitudes: (0..<grid.longitudeCount).map { grid.firstLongitude + Double($0) * grid.longitudeStep },
                                                 levels: levels.count).map { $0 * 1e6 }
        fluxes = try SurfaceFluxFile.load(paths: [configuration.dataPath], grid: transportGrid).fluxes
        cellArea = transportGrid.cellAreas()
        let template = try GriddedState(grid: grid, time: startDate, fields: ["co2": [Double](repeating: 0, count: grid.latitudeCount * grid.longitudeCount)])
        let operator_ = ObservationOperator(horizontal: .bilinear, calendar: source.calendar)
        stencils = try sites.map { site in
            let probe = Observation(time: startDate, latitude: site.latitude, longitude: site.longitude, vertical: nil, variable: "co2",
                                    value: 0, sigma: 1, site: site.code, source: "twin")
            switch operator_.locate(probe, in: [template], window: startDate...startDate) {
            case .success(let location): return location
            case .failure(let reason): throw ValidationError("site \(site.code): \(reason.reason)")
            }
        }
    }

    /// The truth's factors, [week][region], drawn from the inversion's own prior model so that
    /// its stated uncertainty can be checked: a persistent part 1 ± `truthSigmaScale` × the
    /// region's persistent σ (the signs drawn from the seed — every region off by the same
    /// multiple of its σ, so that the prior is right in every region, not only on average over
    /// a draw of ten factors) plus weekly parts drawn from the weekly prior, independent
    /// between weeks. Also returns the persistent part.
    func truthFactors() -> (weekly: [[Double]], persistent: [Double]) {
        var random = SeededRandom(seed: configuration.seed &+ 0x5EED)
        let n = prior.count, share = configuration.persistentShare
        let persistent = (0..<n).map { r in
            1 + (random.uniform() < 0.5 ? -1 : 1) * configuration.truthSigmaScale * (share * prior.covariance[r * n + r]).squareRoot()
        }
        let weekly = (0..<configuration.weeks).map { _ -> [Double] in
            let z = (0..<n).map { _ in random.normal() }
            return (0..<n).map { r in persistent[r] + (1 - share).squareRoot() * (0...r).reduce(0) { $0 + prior.cholesky[r * n + $1] * z[$1] } }
        }
        return (weekly, persistent)
    }

    /// The synthetic observations: continuous sites once a day at the step ending at 12 UTC,
    /// flask sites once a week (the fourth day, 12 UTC). Value = truth + N(0, σ²).
    func schedule() -> [ObservationRow] {
        var rows: [ObservationRow] = []
        for step in 0..<(configuration.weeks * stepsPerWeek) {
            let end = start + Double(step + 1) * stepSeconds
            let date = clock.date(end)
            guard date.hour == 12, date.minute == 0 else { continue }
            let week = step / stepsPerWeek
            let dayOfWeek = Int(((end - start) - Double(week) * 7 * 86_400) / 86_400)
            for site in sites {
                switch site.sampling {
                case .continuous:
                    rows.append(ObservationRow(site: site.code, sampling: .continuous, week: week, step: step, valuePPM: .nan,
                                               sigmaPPM: configuration.continuousSigmaPPM, truthPPM: .nan))
                case .flask where dayOfWeek == 3:
                    rows.append(ObservationRow(site: site.code, sampling: .flask, week: week, step: step, valuePPM: .nan,
                                               sigmaPPM: configuration.flaskSigmaPPM, truthPPM: .nan))
                case .flask:
                    break
                }
            }
        }
        return rows
    }

    /// Each week's mean prior fluxes.
    func weeklyFluxes() throws -> [SurfaceFluxFields] {
        let week = 7 * 86_400.0
        return try (0..<configuration.weeks).map { w in try fluxes.meanFluxes(from: start + Double(w) * week, to: start + Double(w + 1) * week) }
    }

    /// Runs the twin with `transport` (the truth always runs `truthTransport`, the reference).
    /// With `perturbationsOnly`, `background` (the reference) runs the posterior mean — the
    /// CO2 carried from week to week and each cycle's mean member — and `transport` only the
    /// members' deviations from its own run of the mean: equivalent of member m =
    /// background(x̄) + transport(xₘ) − transport(x̄).
    func run(truthTransport: inout some InversionTransport, transport: inout some InversionTransport,
             background: inout some InversionTransport, perturbationsOnly: Bool, transportName: String,
             progress: (CycleRow) -> Void) throws -> Result {
        let wallStart = ContinuousClock.now
        let n = regions.count, weeks = configuration.weeks, k = configuration.members
        let (truth, truthPersistent) = truthFactors()
        var observations = schedule()
        let siteIndex = Dictionary(uniqueKeysWithValues: sites.enumerated().map { ($1.code, $0) })
        // Observations of each step, as indices into `observations`.
        var byStep = [Int: [Int]]()
        for (o, row) in observations.enumerated() { byStep[row.step, default: []].append(o) }

        // The truth run and the synthetic observations.
        var noise = SeededRandom(seed: configuration.seed)
        let truthStart = ContinuousClock.now
        _ = try truthTransport.run(initial: initial, start: start, steps: weeks * stepsPerWeek,
                                   factors: [truth]) { step, lowest in
            for o in byStep[step] ?? [] {
                observations[o].truthPPM = CO2Units.ppm(massMixingRatio: stencils[siteIndex[observations[o].site] ?? 0].equivalent(lowest[0]))
            }
        }
        for o in observations.indices { observations[o].valuePPM = observations[o].truthPPM + observations[o].sigmaPPM * noise.normal() }
        let truthSeconds = (ContinuousClock.now - truthStart) / .seconds(1)

        // The inversion, accumulating each region's annual flux (PgC) as weeks leave.
        let weekFields = try weeklyFluxes()
        let totals = try weekFields.map { try regions.totals(land: $0.land, ocean: $0.ocean, cellArea: cellArea).map { $0 * 7 * 86_400 } }
        let kgCO2PerPgC = CO2Units.co2PerCarbon * 1e12
        let share = configuration.persistentShare
        var smoother = try LaggedFluxSmoother(prior: prior.scaled(by: (1 - share).squareRoot()),
                                              persistentPrior: share > 0 ? prior.scaled(by: share.squareRoot()) : nil,
                                              budgetWeights: totals.map { $0.map { $0 / kgCO2PerPgC } },
                                              lagWeeks: configuration.lagWeeks, members: k, seed: configuration.seed &+ 1,
                                              update: SerialEnsembleSquareRoot(localised: true))
        var finals: [LaggedFluxSmoother.FinalWeek] = []
        var windowStart = 0
        var co2AtWindowStart = initial
        var posteriorCO2 = [initial]
        var cycles: [CycleRow] = []
        var transportSeconds = 0.0, analysisSeconds = 0.0
        var chiSquaredSum = 0.0, assimilatedCount = 0
        let byWeek = Dictionary(grouping: observations.indices, by: { observations[$0].week })
        // The posterior-mean CO2 one week on, with that week's final factors.
        func advance(_ field: [Double], week: Int, factors: [Double]) throws -> [Double] {
            let from = start + Double(week * stepsPerWeek) * stepSeconds
            let result = perturbationsOnly
                ? try background.run(initial: field, start: from, steps: stepsPerWeek, factors: [[factors]]) { _, _ in }
                : try transport.run(initial: field, start: from, steps: stepsPerWeek, factors: [[factors]]) { _, _ in }
            guard let first = result.first else { throw ValidationError("the transport returned no member") }
            return first
        }
        for week in 0..<weeks {
            let clockStart = ContinuousClock.now
            if let final = smoother.startWeek() {
                finals.append(final)
                co2AtWindowStart = try advance(co2AtWindowStart, week: windowStart, factors: final.mean)
                posteriorCO2.append(co2AtWindowStart)
                windowStart += 1
            }
            let indices = (byWeek[week] ?? []).sorted()
            let firstStep = windowStart * stepsPerWeek
            let position = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, $0) })
            var memberFactors = (0..<k).map { smoother.memberFactors($0) }
            let meanFactors = smoother.meanFactors()
            if perturbationsOnly { memberFactors.append(meanFactors) }
            // [member][observation]: the transport's equivalents (with the mean last, for perturbations).
            var simulated = [[Double]](repeating: [Double](repeating: 0, count: indices.count), count: memberFactors.count)
            let windowStartTime = start + Double(firstStep) * stepSeconds, windowSteps = (week + 1 - windowStart) * stepsPerWeek
            // The week's observations at the end of `step`: (position, stencil) pairs.
            func observed(after step: Int) -> [(Int, ObservationLocation)] {
                (byStep[firstStep + step] ?? []).compactMap { o in
                    guard observations[o].week == week, let p = position[o] else { return nil }
                    return (p, stencils[siteIndex[observations[o].site] ?? 0])
                }
            }
            _ = try transport.run(initial: co2AtWindowStart, start: windowStartTime, steps: windowSteps, factors: memberFactors) { step, lowest in
                for (p, stencil) in observed(after: step) {
                    for m in lowest.indices { simulated[m][p] = CO2Units.ppm(massMixingRatio: stencil.equivalent(lowest[m])) }
                }
            }
            var equivalents = Array(simulated.prefix(k))
            if perturbationsOnly {
                var meanRun = [Double](repeating: 0, count: indices.count)
                _ = try background.run(initial: co2AtWindowStart, start: windowStartTime, steps: windowSteps, factors: [meanFactors]) { step, lowest in
                    for (p, stencil) in observed(after: step) { meanRun[p] = CO2Units.ppm(massMixingRatio: stencil.equivalent(lowest[0])) }
                }
                for m in 0..<k { for p in indices.indices { equivalents[m][p] = meanRun[p] + simulated[m][p] - simulated[k][p] } }
            }
            let transported = ContinuousClock.now
            var chiSquared: Double?
            var used = 0
            if !indices.isEmpty {
                let outcome = try smoother.assimilate(equivalents: equivalents, values: indices.map { observations[$0].valuePPM },
                                                      sigmas: indices.map { observations[$0].sigmaPPM })
                for (p, o) in indices.enumerated() {
                    let result = outcome.observations[p]
                    observations[o].priorInnovation = result.priorInnovation
                    observations[o].posteriorInnovation = result.posteriorInnovation
                    observations[o].priorVariance = result.priorVariance
                    observations[o].assimilated = result.assimilated
                    if result.assimilated {
                        used += 1
                        chiSquaredSum += result.priorInnovation * result.priorInnovation / (result.priorVariance + observations[o].sigmaPPM * observations[o].sigmaPPM)
                    }
                }
                assimilatedCount += used
                chiSquared = outcome.chiSquaredPerObservation
            }
            let row = CycleRow(week: week, observations: indices.count, assimilated: used, chiSquared: chiSquared,
                               transportSeconds: (transported - clockStart) / .seconds(1), analysisSeconds: (ContinuousClock.now - transported) / .seconds(1))
            transportSeconds += row.transportSeconds
            analysisSeconds += row.analysisSeconds
            cycles.append(row)
            progress(row)
        }
        finals += smoother.finish()
        // The posterior CO2 through the weeks still in the window at the end.
        while windowStart < weeks {
            co2AtWindowStart = try advance(co2AtWindowStart, week: windowStart, factors: finals[windowStart].mean)
            posteriorCO2.append(co2AtWindowStart)
            windowStart += 1
        }

        // Budgets: the smoother's accumulated annual fluxes, summed over a budget's regions.
        guard let accumulated = smoother.budgets else { throw ValidationError("the inversion kept no budgets") }
        let annualTotals = (0..<n).map { r in totals.reduce(0) { $0 + $1[r] } }
        func budget(name: String, land: Bool, members: [Int]) -> RegionBudget {
            var truthSum = 0.0, priorSum = 0.0, priorVariance = 0.0
            for w in 0..<weeks {
                for r in members {
                    truthSum += truth[w][r] * totals[w][r]
                    priorSum += totals[w][r]
                }
                // The weekly parts are independent between weeks; within a week, correlated as B.
                for a in members { for b in members { priorVariance += (1 - share) * totals[w][a] * totals[w][b] * prior.covariance[a * n + b] } }
            }
            // The persistent part: one factor for every week.
            for a in members { for b in members { priorVariance += share * annualTotals[a] * annualTotals[b] * prior.covariance[a * n + b] } }
            let posteriorPgC = members.reduce(0) { $0 + accumulated.mean[$1] }
            let memberSums = accumulated.deviations.map { d in members.reduce(0) { $0 + d[$1] } }
            let posteriorSigmaPgC = (memberSums.reduce(0) { $0 + $1 * $1 } / Double(k - 1)).squareRoot()
            let truthPgC = truthSum / kgCO2PerPgC
            return RegionBudget(region: name, land: land, truthPgC: truthPgC, priorPgC: priorSum / kgCO2PerPgC,
                                priorSigmaPgC: priorVariance.squareRoot() / kgCO2PerPgC, posteriorPgC: posteriorPgC,
                                posteriorSigmaPgC: posteriorSigmaPgC, truthFactor: members.count == 1 ? truthPersistent[members[0]] : .nan,
                                withinTwoSigma: abs(posteriorPgC - truthPgC) <= 2 * posteriorSigmaPgC)
        }
        let names = regions.names
        let regionBudgets = (0..<n).map { budget(name: names[$0], land: regions.isLand($0), members: [$0]) }
        let landBudgets = regionBudgets.filter(\.land)
        let priorError = landBudgets.reduce(0) { $0 + abs($1.priorPgC - $1.truthPgC) }
        let posteriorError = landBudgets.reduce(0) { $0 + abs($1.posteriorPgC - $1.truthPgC) }
        let regional = landBudgets.filter { abs($0.priorPgC - $0.truthPgC) > 0 }.map { 1 - abs($0.posteriorPgC - $0.truthPgC) / abs($0.priorPgC - $0.truthPgC) }
        let summary = Summary(
            data: configuration.dataPath, transport: transportName, weeks: weeks, lagWeeks: configuration.lagWeeks, members: k,
            sites: sites.count, observations: observations.count, assimilated: assimilatedCount,
            chiSquaredPerObservation: assimilatedCount > 0 ? chiSquaredSum / Double(assimilatedCount) : .nan,
            landErrorReduction: priorError > 0 ? 1 - posteriorError / priorError : .nan,
            meanRegionalLandErrorReduction: regional.isEmpty ? .nan : regional.reduce(0, +) / Double(regional.count),
            landRegionsWithinTwoSigma: landBudgets.filter(\.withinTwoSigma).count,
            landRegions: landBudgets.count,
            globalLand: budget(name: "global land", land: true, members: (0..<n).filter(regions.isLand)),
            globalOcean: budget(name: "global ocean", land: false, members: (0..<n).filter { !regions.isLand($0) }),
            regions: regionBudgets, truthSeconds: truthSeconds, transportSeconds: transportSeconds, analysisSeconds: analysisSeconds,
            wallSeconds: (ContinuousClock.now - wallStart) / .seconds(1))
        let weekly = (0..<weeks).map { (week: $0, truth: truth[$0], mean: finals[$0].mean, sigma: finals[$0].sigma) }
        return Result(summary: summary, cycles: cycles, observations: observations, weeklyFactors: weekly, regionNames: names,
                      startDate: clock.date(start), posteriorCO2: posteriorCO2, weeklyFluxes: weekFields, regions: regions,
                      grid: grid, levelCount: initial.count / max(grid.latitudeCount * grid.longitudeCount, 1), calendar: clock.calendar,
                      sites: sites)
    }
}

extension CO2Twin.Result {
    var summaryLine: String {
        let s = summary
        return String(format: "CO2 twin (%@, %d weeks, lag %d, %d members, %d sites): annual land flux error %.0f%% below the prior's "
                      + "(mean over regions %.0f%%), %d of %d land regions within 2σ, χ²/p %.2f over %d observations; transport %.1f s, analysis %.1f s, truth %.1f s",
                      s.transport, s.weeks, s.lagWeeks, s.members, s.sites, 100 * s.landErrorReduction, 100 * s.meanRegionalLandErrorReduction,
                      s.landRegionsWithinTwoSigma, s.landRegions, s.chiSquaredPerObservation, s.assimilated, s.transportSeconds, s.analysisSeconds, s.truthSeconds)
    }

    func write(to folder: String) throws {
        func g(_ x: Double) -> String { String(format: "%.6g", x) }
        var cyclesCSV = "week,observations,assimilated,chi2_per_obs,transport_s,analysis_s\n"
        for c in cycles {
            cyclesCSV += "\(c.week),\(c.observations),\(c.assimilated),\(c.chiSquared.map(g) ?? "nan"),\(String(format: "%.3f,%.3f", c.transportSeconds, c.analysisSeconds))\n"
        }
        try AtomicFile.write(text: cyclesCSV, to: folder + "/cycles.csv")
        var obsCSV = "site,sampling,week,step,value_ppm,sigma_ppm,truth_ppm,o_minus_b_ppm,o_minus_a_ppm,hpht_ppm2,assimilated\n"
        for o in observations {
            obsCSV += "\(o.site),\(o.sampling.rawValue),\(o.week),\(o.step),\(g(o.valuePPM)),\(g(o.sigmaPPM)),\(g(o.truthPPM)),"
                + "\(g(o.priorInnovation)),\(g(o.posteriorInnovation)),\(g(o.priorVariance)),\(o.assimilated ? 1 : 0)\n"
        }
        try AtomicFile.write(text: obsCSV, to: folder + "/observations.csv")
        var factorsCSV = "week,region,truth,posterior,posterior_sigma\n"
        for w in weeklyFactors {
            for (r, name) in regionNames.enumerated() {
                factorsCSV += "\(w.week),\(name),\(g(w.truth[r])),\(g(w.mean[r])),\(g(w.sigma[r]))\n"
            }
        }
        try AtomicFile.write(text: factorsCSV, to: folder + "/weekly-factors.csv")
        var budgetCSV = "region,truth_PgC,prior_PgC,prior_sigma_PgC,posterior_PgC,posterior_sigma_PgC,truth_factor,within_2sigma\n"
        for b in summary.regions + [summary.globalLand, summary.globalOcean] {
            budgetCSV += "\(b.region),\(g(b.truthPgC)),\(g(b.priorPgC)),\(g(b.priorSigmaPgC)),\(g(b.posteriorPgC)),\(g(b.posteriorSigmaPgC)),"
                + "\(g(b.truthFactor)),\(b.withinTwoSigma ? 1 : 0)\n"
        }
        try AtomicFile.write(text: budgetCSV, to: folder + "/budgets.csv")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(try encoder.encode(summary), to: folder + "/summary.json")
        try writeNetCDF(to: folder)
        // Budgets: truth, prior and posterior ± 2σ of each land region.
        let land = summary.regions.filter(\.land)
        let x = land.indices.map(Double.init)
        var series = [LineSeries(x: x, y: land.map(\.truthPgC), label: "truth", width: 3),
                      LineSeries(x: x, y: land.map(\.priorPgC), label: "prior", dash: .dashed),
                      LineSeries(x: x, y: land.map(\.posteriorPgC), label: "posterior")]
        for (i, b) in land.enumerated() {
            series.append(LineSeries(x: [Double(i), Double(i)], y: [b.posteriorPgC - 2 * b.posteriorSigmaPgC, b.posteriorPgC + 2 * b.posteriorSigmaPgC],
                                     label: i == 0 ? "posterior ± 2σ" : nil, color: .black, width: 1))
        }
        let bands = land.enumerated().map { "\($0.offset) \($0.element.region.replacingOccurrences(of: "land ", with: ""))" }
        try LinePlot(series: series, title: "CO2 twin: land flux by region over the run",
                     xLabel: "land region: " + bands.joined(separator: ", "), yLabel: "PgC", legend: .outsideRight)
            .write(to: URL(fileURLWithPath: folder + "/osse-co2-budgets.png"))
        try writeMaps(to: folder)
        let weeks = cycles.map { Double($0.week) }
        try LinePlot(series: [LineSeries(x: weeks, y: cycles.map { $0.chiSquared ?? .nan }, label: "χ²/p"),
                              LineSeries(x: [weeks.first ?? 0, weeks.last ?? 1], y: [1, 1], label: "1", dash: .dashed)],
                     title: "CO2 twin: χ²/p of the innovations by weekly cycle", xLabel: "week", yLabel: "χ²/p", legend: .outsideRight)
            .write(to: URL(fileURLWithPath: folder + "/osse-co2-chi2.png"))
    }
}

extension CO2Twin.Result {
    /// posterior-fluxes.nc (weekly means of the posterior fluxes, CarbonBench's flux
    /// variables, with the prior's and the posterior σ) and posterior-co2.nc (the
    /// posterior-mean co2massmix at the start of each week and the end of the last).
    func writeNetCDF(to folder: String) throws {
        let nLat = grid.latitudeCount, nLon = grid.longitudeCount, cells = nLat * nLon, weeks = weeklyFactors.count
        let origin = String(format: "%04d-%02d-%02d %02d:%02d:00", startDate.year, startDate.month, startDate.day, startDate.hour, startDate.minute)
        func time(_ values: [Double], _ longName: String) -> Variable {
            Variable(name: "time", dimensions: ["time"], shape: [values.count],
                     attributes: [Attribute("standard_name", .text("time")), Attribute("long_name", .text(longName)),
                                  Attribute("units", .text("days since \(origin)")), Attribute("calendar", .text(calendar.rawValue)), Attribute("axis", .text("T"))],
                     data: .float64(values))
        }
        let lat = Variable(name: "lat", dimensions: ["lat"], shape: [nLat],
                           attributes: [Attribute("standard_name", .text("latitude")), Attribute("units", .text("degrees_north")), Attribute("axis", .text("Y"))],
                           data: .float64((0..<nLat).map { grid.firstLatitude + Double($0) * grid.latitudeStep }))
        let lon = Variable(name: "lon", dimensions: ["lon"], shape: [nLon],
                           attributes: [Attribute("standard_name", .text("longitude")), Attribute("units", .text("degrees_east")), Attribute("axis", .text("X"))],
                           data: .float64((0..<nLon).map { grid.firstLongitude + Double($0) * grid.longitudeStep }))
        func flux(_ name: String, _ longName: String, _ values: [Double]) -> Variable {
            Variable(name: name, dimensions: ["time", "lat", "lon"], shape: [weeks, nLat, nLon],
                     attributes: [Attribute("long_name", .text(longName)), Attribute("units", .text("kg m-2 s-1")),
                                  Attribute("cell_methods", .text("time: mean (weekly)")), Attribute("positive", .text("up"))],
                     data: .float64(values))
        }
        var land: [Double] = [], ocean: [Double] = [], anthro: [Double] = [], landPrior: [Double] = [], oceanPrior: [Double] = []
        var landSigma: [Double] = [], oceanSigma: [Double] = []
        for w in 0..<weeks {
            let fields = weeklyFluxes[w], f = weeklyFactors[w]
            for c in 0..<cells {
                let b = regions.bandOfRow[c / nLon]
                land.append(fields.land[c] * f.mean[2 * b])
                ocean.append(fields.ocean[c] * f.mean[2 * b + 1])
                landSigma.append(abs(fields.land[c]) * f.sigma[2 * b])
                oceanSigma.append(abs(fields.ocean[c]) * f.sigma[2 * b + 1])
                anthro.append(fields.anthropogenic[c])
                landPrior.append(fields.land[c])
                oceanPrior.append(fields.ocean[c])
            }
        }
        let attributes = [Attribute("title", .text("Plume CO2 inversion twin: posterior surface fluxes")),
                          Attribute("plume_transport", .text(summary.transport)),
                          Attribute("regions", .text(regionNames.joined(separator: "; ")))]
        let dims = [PlumeIO.Dimension(name: "time", length: weeks), PlumeIO.Dimension(name: "lat", length: nLat), PlumeIO.Dimension(name: "lon", length: nLon)]
        let fluxes = Dataset(dimensions: dims, variables: [
            time((0..<weeks).map { 7 * Double($0) }, "start of the week"), lat, lon,
            flux("co2flux_land", "posterior biosphere CO2 flux", land),
            flux("co2flux_ocean", "posterior air-sea CO2 flux", ocean),
            flux("co2flux_anthro", "fossil CO2 flux (not optimised)", anthro),
            flux("co2flux_land_prior", "prior biosphere CO2 flux", landPrior),
            flux("co2flux_ocean_prior", "prior air-sea CO2 flux", oceanPrior),
            flux("co2flux_land_sigma", "posterior standard deviation of the biosphere flux", landSigma),
            flux("co2flux_ocean_sigma", "posterior standard deviation of the air-sea flux", oceanSigma),
        ], attributes: attributes)
        let writer = NetCDFWriter(source: "Plume CO2 inversion twin", historyLine: PlumeVersion.commandLine)
        try writer.write(fluxes, to: folder + "/posterior-fluxes.nc")
        let records = posteriorCO2.count
        let co2 = Dataset(dimensions: [PlumeIO.Dimension(name: "time", length: records), PlumeIO.Dimension(name: "level", length: levelCount),
                                       PlumeIO.Dimension(name: "lat", length: nLat), PlumeIO.Dimension(name: "lon", length: nLon)],
                          variables: [
                            time((0..<records).map { 7 * Double($0) }, "start of the week"), lat, lon,
                            Variable(name: "level", dimensions: ["level"], shape: [levelCount],
                                     attributes: [Attribute("long_name", .text("layer index, 0 = lowest"))], data: .float64((0..<levelCount).map(Double.init))),
                            Variable(name: "co2massmix", dimensions: ["time", "level", "lat", "lon"], shape: [records, levelCount, nLat, nLon],
                                     attributes: [Attribute("standard_name", .text("mass_fraction_of_carbon_dioxide_in_air")),
                                                  Attribute("long_name", .text("posterior-mean CO2 mass mixing ratio")), Attribute("units", .text("1e-6 kg kg-1"))],
                                     data: .float64(posteriorCO2.flatMap { $0 })),
                          ], attributes: [Attribute("title", .text("Plume CO2 inversion twin: posterior-mean CO2")),
                                          Attribute("plume_transport", .text(summary.transport))])
        try writer.write(co2, to: folder + "/posterior-co2.nc")
    }
}

extension CO2Twin.Result {
    /// Two maps: the annual-mean flux increment (posterior − prior, land + ocean, gC m⁻² yr⁻¹)
    /// and each site's mean O − B (ppm) in its grid cell.
    func writeMaps(to folder: String) throws {
        let nLat = grid.latitudeCount, nLon = grid.longitudeCount, cells = nLat * nLon, weeks = weeklyFactors.count
        let latitudes = (0..<nLat).map { grid.firstLatitude + Double($0) * grid.latitudeStep }
        let longitudes = (0..<nLon).map { grid.firstLongitude + Double($0) * grid.longitudeStep }
        var increment = [Double](repeating: 0, count: cells)
        for w in 0..<weeks {
            let fields = weeklyFluxes[w], f = weeklyFactors[w].mean
            for c in 0..<cells {
                let b = regions.bandOfRow[c / nLon]
                increment[c] += (fields.land[c] * (f[2 * b] - 1) + fields.ocean[c] * (f[2 * b + 1] - 1)) / Double(max(weeks, 1))
            }
        }
        // kg CO2 m-2 s-1 → g C m-2 yr-1.
        let toGramsCarbonPerYear = 1000 / CO2Units.co2PerCarbon * 365 * 86_400
        try MapPlot(field: increment.map { $0 * toGramsCarbonPerYear }, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
                    title: "CO2 twin: posterior − prior flux, mean over \(weeks) weeks", units: "gC m⁻² yr⁻¹", colormap: .blueWhiteRed)
            .write(to: URL(fileURLWithPath: folder + "/osse-co2-flux-increment.png"))
        var sums = [String: (Double, Int)]()
        for o in observations where o.assimilated { sums[o.site, default: (0, 0)].0 += o.priorInnovation; sums[o.site, default: (0, 0)].1 += 1 }
        var map = [Double](repeating: .nan, count: cells)
        for site in sites {
            guard let (sum, count) = sums[site.code], count > 0 else { continue }
            map[CO2SiteNetwork.cell(of: site, on: grid)] = sum / Double(count)
        }
        try MapPlot(field: map, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
                    title: "CO2 twin: mean O − B by site (ppm)", units: "ppm", colormap: .blueWhiteRed)
            .write(to: URL(fileURLWithPath: folder + "/osse-co2-omb-sites.png"))
    }
}
