import ArgumentParser
import Foundation
import Torch
import PlumeAssimilation
import PlumeEmulators
import PlumeGrids
import PlumeIO
import PlumePlot
import PlumeSupport
import PlumeVerify

/// The weather twin behind `plume osse weather` (see its help for the design).
struct WeatherTwin {
    /// A station of the BUFR files: surface stations observe h, upper-air stations h, u and v.
    struct Station {
        var site: String
        var latitude: Double
        var longitude: Double
        var upperAir: Bool
    }

    /// One cycle's scores.
    struct CycleRow: Codable {
        var cycle: Int
        var time: String
        var day: Double
        /// Area-weighted RMSE by "variable.series" (series: background, analysis, free); also
        /// "h.analysis.observed" / ".unobserved" (cells within 500 km of a station or not),
        /// "h.analysis.bias" (area-weighted mean error) and "h.spread" (ensemble spread).
        var rmse: [String: Double]
        var chiSquared: Double
        var used: Int
        var flagged: Int
        /// The factor on the NMC σb² used in this cycle (OI), or the LETKF's multiplicative
        /// inflation of the prior covariance (the factor, at least 1).
        var varianceScale: Double
    }

    struct Summary: Codable {
        var checkpoint: String
        var truth: String
        var stationFiles: [String]
        var surfaceStations: Int
        var upperAirStations: Int
        var observationsPerCycle: Int
        /// Cycles run: the requested ones, or fewer when the cycled forecast diverged.
        var cycles: Int
        var requestedCycles: Int
        /// The cycle at which no observation passed quality control any more (the run stops there).
        var divergedAtCycle: Int?
        var days: Double
        var method: String
        var lengthKm: Double
        var balance: Bool
        var nmcSigma: [String: Double]
        /// Means over all cycles.
        var meanRMSE: [String: Double]
        var meanChiSquared: Double
        /// Means over the second half of the cycles (after any spin-up of the online tuning).
        var meanRMSESecondHalf: [String: Double]
        var meanChiSquaredSecondHalf: Double
        /// 1 − mean analysis RMSE of h / mean free-run RMSE of h.
        var hAnalysisReductionVsFree: Double
        var seconds: Double
    }

    struct Result {
        var rows: [CycleRow]
        var summary: Summary

        var summaryLine: String {
            let s = summary
            let stopped = s.divergedAtCycle.map { "stopped at cycle \($0) of \(s.requestedCycles) (diverged); " } ?? ""
            return stopped + String(format: "%d cycles: mean RMSE of h analysis %.2f m, background %.2f m, free run %.2f m (analysis %.0f%% below the free run); mean χ²/p %.3f (second half %.3f); %.0f s",
                          s.cycles, s.meanRMSE["h.analysis"] ?? .nan, s.meanRMSE["h.background"] ?? .nan, s.meanRMSE["h.free"] ?? .nan,
                          100 * s.hAnalysisReductionVsFree, s.meanChiSquared, s.meanChiSquaredSecondHalf, s.seconds)
        }

        func write(to folder: String) throws {
            let variables = ["h", "u", "v"], series = ["background", "analysis", "free"]
            var csv = "cycle,time,day," + variables.flatMap { v in series.map { "rmse_\(v)_\($0)" } }.joined(separator: ",")
            csv += ",rmse_h_analysis_near_stations,rmse_h_analysis_elsewhere,mean_error_h_analysis,spread_h,chi2_per_obs,used,flagged,variance_scale\n"
            for r in rows {
                let scores = variables.flatMap { v in series.map { String(format: "%.6g", r.rmse["\(v).\($0)"] ?? .nan) } }
                csv += "\(r.cycle),\(r.time),\(String(format: "%.2f", r.day)),\(scores.joined(separator: ","))"
                let extra = ["h.analysis.observed", "h.analysis.unobserved", "h.analysis.bias", "h.spread"].map { String(format: "%.6g", r.rmse[$0] ?? .nan) }
                csv += ",\(extra.joined(separator: ","))" + String(format: ",%.6g,%d,%d,%.6g\n", r.chiSquared, r.used, r.flagged, r.varianceScale)
            }
            try AtomicFile.write(text: csv, to: folder + "/cycles.csv")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // A cycle with no observation used has no χ²/p; a diverged emulator gives inf.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            try AtomicFile.write(try encoder.encode(summary), to: folder + "/summary.json")
            let days = rows.map(\.day)
            // A diverged run spans decades of error: then a logarithmic axis.
            let errors = rows.flatMap { r in series.compactMap { r.rmse["h.\($0)"] } }.filter { $0.isFinite && $0 > 0 }
            let logarithmic = (errors.max() ?? 1) > 100 * (errors.min() ?? 1)
            try LinePlot(series: series.map { s in LineSeries(x: days, y: rows.map { $0.rmse["h.\(s)"] ?? .nan }, label: s == "free" ? "free-running emulator" : s,
                                                                dash: s == "free" ? .dashed : .solid) },
                         title: "Weather twin: RMSE of h", xLabel: "day", yLabel: "RMSE of h (m)", logY: logarithmic, legend: .outsideRight)
                .write(to: URL(fileURLWithPath: folder + "/osse-weather-rmse-h.png"))
            try LinePlot(series: [LineSeries(x: days, y: rows.map(\.chiSquared), label: "χ²/p"),
                                  LineSeries(x: [days.first ?? 0, days.last ?? 1], y: [1, 1], label: "1", dash: .dashed)],
                         title: "Weather twin: χ²/p of the innovations", xLabel: "day", yLabel: "χ²/p", legend: .outsideRight)
                .write(to: URL(fileURLWithPath: folder + "/osse-weather-chi2.png"))
        }
    }

    let checkpoint: String
    let emulator: Emulator
    let truthFile: EmulatorDataFile
    let grid: RegularLatLonGrid
    let stations: [Station]
    let stationFiles: [String]
    let nmcSigma: [String: [Double]]
    let areaWeights: [Double]
    let lengthKm: Double
    let balance: Bool
    let adaptive: Bool
    let method: Method
    let relaxationToPriorSpread: Double
    /// LETKF: RMS in h of the perturbations added to every analysed member, × the NMC σb of h.
    let additiveInflation: Double
    let nmcFile: EmulatorDataFile
    let seed: UInt64
    /// Ranks that share the members' forecasts (`plume osse weather --nproc`): each advances its
    /// share and all gather them; every rank then runs the same analysis. `nil`: one process.
    var group: ProcessGroup?
    static let variables = ["u", "v", "h"]

    /// The analysis: OI with the NMC B, or the LETKF with an ensemble of this many members.
    enum Method: Equatable {
        case oi
        case letkf(members: Int)
    }

    init(checkpoint: String, truthPath: String, nmcPath: String, stationFiles: [String], lengthKm: Double, balance: Bool, thin: Bool, adaptive: Bool, method: Method, relaxationToPriorSpread: Double,
         additiveInflation: Double, seed: UInt64) throws {
        self.adaptive = adaptive
        self.additiveInflation = additiveInflation
        self.method = method
        self.relaxationToPriorSpread = relaxationToPriorSpread
        let (emulator, _) = try Emulator.load(checkpoint: checkpoint, device: .cpu)
        emulator.network.eval()
        let definition = emulator.definition
        guard Set(definition.variables.prognostic) == Set(Self.variables) else {
            throw ValidationError("\(checkpoint): the weather twin needs an emulator of u, v and h; this one predicts \(definition.variables.prognostic.joined(separator: ", "))")
        }
        let model = ModelFile(definition: definition, path: checkpoint)
        let truthFile = try EmulatorDataFile(path: truthPath, model: model)
        try emulator.checkFits(truthFile, checkpoint: checkpoint)
        let nmcFile = try EmulatorDataFile(path: nmcPath, model: model)
        try emulator.checkFits(nmcFile, checkpoint: checkpoint)
        let latitudes = emulator.processor.grid.latitudes, longitudes = emulator.processor.grid.longitudes
        guard latitudes.count >= 2, longitudes.count >= 2 else { throw ValidationError("\(checkpoint): the grid needs at least 2 × 2 cells") }
        let grid = try RegularLatLonGrid(name: "emulator", firstLatitude: latitudes[0], latitudeStep: latitudes[1] - latitudes[0], latitudeCount: latitudes.count,
                                         firstLongitude: longitudes[0], longitudeStep: longitudes[1] - longitudes[0], longitudeCount: longitudes.count)
        self.checkpoint = checkpoint
        self.emulator = emulator
        self.truthFile = truthFile
        self.grid = grid
        self.stationFiles = stationFiles
        self.lengthKm = lengthKm
        self.balance = balance
        self.seed = seed
        areaWeights = LatitudeWeights.broadcast(try LatitudeWeights.cellArea(latitudesDegrees: latitudes), longitudeCount: longitudes.count)
        let all = try Self.stations(in: stationFiles)
        stations = thin ? Self.thinned(all, grid: grid) : all
        self.nmcFile = nmcFile
        nmcSigma = try Self.nmc(emulator: emulator, file: nmcFile, grid: grid)
    }

    /// Distinct station positions of the BUFR files (a site at several positions counts at each).
    static func stations(in files: [String]) throws -> [Station] {
        var stations: [Station] = []
        for path in files {
            var table = ObservationTable()
            let summary = try BUFRObservations.read(path, into: &table, mode: .lenient)
            var upperAirSites = Set<String>()
            for o in table.observations { if case .pressurePa? = o.vertical { upperAirSites.insert(o.site) } }
            var seen = Set<String>()
            for o in table.observations where o.latitude.isFinite && o.longitude.isFinite {
                guard seen.insert(String(format: "%.2f %.2f", o.latitude, o.longitude)).inserted else { continue }
                stations.append(Station(site: o.site, latitude: o.latitude, longitude: o.longitude, upperAir: upperAirSites.contains(o.site)))
            }
            FileHandle.standardError.write(Data("\(path): \(summary.reports) reports, \(table.skipped.count) skipped; \(seen.count) station positions\n".utf8))
        }
        guard !stations.isEmpty else { throw ValidationError("--stations: no report with a position in \(files.joined(separator: ", "))") }
        return stations
    }

    /// The first station of each kind in each cell of `grid` (the thinning every OI system
    /// applies to dense networks: co-located reports add little and make HBHᵀ + R ill-conditioned).
    static func thinned(_ stations: [Station], grid: RegularLatLonGrid) -> [Station] {
        var taken = Set<String>()
        return stations.filter { s in
            let i = Int(((s.latitude - grid.firstLatitude) / grid.latitudeStep).rounded())
            var j = Int(((s.longitude - grid.firstLongitude) / grid.longitudeStep).rounded()) % grid.longitudeCount
            if j < 0 { j += grid.longitudeCount }
            return taken.insert("\(s.upperAir) \(i) \(j)").inserted
        }
    }

    /// σb of u, v, h by the NMC method: 48 h − 24 h emulator forecasts valid at the same
    /// time, started every day of `file`, × 0.5.
    static func nmc(emulator: Emulator, file: EmulatorDataFile, grid: RegularLatLonGrid) throws -> [String: [Double]] {
        let stepsPerDay = Int((24 / emulator.definition.timeStepHours).rounded())
        guard stepsPerDay >= 1, file.recordCount > 3 * stepsPerDay else {
            throw ValidationError("--nmc \(file.path): needs more than three days of records (\(file.recordCount) records) for 48 h − 24 h forecast pairs from daily starts")
        }
        let starts = Array(stride(from: 0, to: file.recordCount - 2 * stepsPerDay, by: stepsPerDay).prefix(30))
        // Forecasts from every start, batched: after s steps, keep the state of each start.
        var states = try starts.map { r in try Dictionary(uniqueKeysWithValues: variables.map { ($0, try file.read($0, time: r)) }) }
        var after: [Int: [[String: [Float]]]] = [:]
        for s in 1...(2 * stepsPerDay) {
            states = try emulator.advance(states, dayOfYear: starts.map { Emulator.dayOfYear(file.times[$0 + s - 1]) })
            if s == stepsPerDay || s == 2 * stepsPerDay { after[s] = states }
        }
        var pairs: [(longer: GriddedState, shorter: GriddedState)] = []
        // The 48-hour forecast from start n and the 24-hour one from start n + 1 (a day later).
        for n in 0..<(starts.count - 1) {
            guard let longer = after[2 * stepsPerDay]?[n], let shorter = after[stepsPerDay]?[n + 1] else { continue }
            pairs.append((try state(longer, grid: grid, time: file.times[starts[n] + 2 * stepsPerDay]),
                          try state(shorter, grid: grid, time: file.times[starts[n] + 2 * stepsPerDay])))
        }
        return try BackgroundVariances.nmc(pairs: pairs, variables: variables, scale: 0.5)
    }

    /// The mean of the finite values (a cycle without observations used has no χ²/p).
    static func finiteMean(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }

    /// The mean of several fields of equal length.
    static func mean(_ fields: [[Float]]) -> [Double] {
        guard let first = fields.first else { return [] }
        var sum = [Double](repeating: 0, count: first.count)
        for f in fields { for g in f.indices { sum[g] += Double(f[g]) } }
        return sum.map { $0 / Double(fields.count) }
    }

    /// `count` members around `center`: each adds a(x[r + 4] − x[r]) from two records a day
    /// apart of the NMC file (r drawn with the seed), with a the factor that makes the RMS of
    /// h's perturbations equal the NMC σb of h — forecast-error-like, balanced structures.
    /// The initial ensemble: `center` plus `perturbations` of the NMC σb.
    func initialEnsemble(around center: [String: [Float]], count: Int) throws -> [[String: [Float]]] {
        var random = SeededRandom(seed: seed &+ 1_000_003)
        return try perturbations(count: count, sigmaH: nmcSigma["h"]?.first ?? 1, random: &random).map { Self.adding($0, to: center) }
    }

    /// `state` plus `perturbation`, variable by variable (a variable missing from either is left out).
    static func adding(_ perturbation: [String: [Double]], to state: [String: [Float]]) -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        for v in variables {
            guard let x = state[v], let d = perturbation[v] else { continue }
            result[v] = x.indices.map { Float(Double(x[$0]) + d[$0]) }
        }
        return result
    }

    /// `count` perturbations [member][variable → cells] summing to zero over members: 24-hour
    /// differences between states of the --nmc data at random times, centred and scaled so
    /// that their RMS in h is `sigmaH` (balanced, flow-shaped perturbations; Whitaker et al.
    /// 2008 draw additive inflation the same way).
    func perturbations(count: Int, sigmaH: Double, random: inout SeededRandom) throws -> [[String: [Double]]] {
        let lag = Int((24 / emulator.definition.timeStepHours).rounded())
        guard nmcFile.recordCount > lag + 1 else { throw ValidationError("--nmc \(nmcFile.path): too few records for the ensemble's perturbations") }
        var differences: [[String: [Double]]] = []
        var squares = 0.0, points = 0
        for _ in 0..<count {
            let r = Int(random.uniform() * Double(nmcFile.recordCount - lag))
            var d: [String: [Double]] = [:]
            for v in Self.variables {
                let a = try nmcFile.read(v, time: r + lag), b = try nmcFile.read(v, time: r)
                d[v] = zip(a, b).map { Double($0) - Double($1) }
            }
            for x in d["h"] ?? [] { squares += x * x }
            points += d["h"]?.count ?? 0
            differences.append(d)
        }
        let factor = sigmaH / max((squares / Double(max(points, 1))).squareRoot(), 1e-12)
        var meanDifference: [String: [Double]] = [:]
        for v in Self.variables {
            var sum = [Double](repeating: 0, count: differences.first?[v]?.count ?? 0)
            for d in differences { for (g, x) in (d[v] ?? []).enumerated() where g < sum.count { sum[g] += x } }
            meanDifference[v] = sum.map { $0 / Double(count) }
        }
        return differences.map { d in
            var out: [String: [Double]] = [:]
            for v in Self.variables {
                guard let dv = d[v], let mean = meanDifference[v] else { continue }
                out[v] = dv.indices.map { factor * (dv[$0] - mean[$0]) }
            }
            return out
        }
    }

    static func state(_ fields: [String: [Float]], grid: RegularLatLonGrid, time: CFDate) throws -> GriddedState {
        try GriddedState(grid: grid, time: time, fields: fields.mapValues { $0.map(Double.init) })
    }

    func rmse(_ a: [Double], _ b: [Float]) -> Double {
        var sum = 0.0
        for n in a.indices { sum += areaWeights[n] * (a[n] - Double(b[n])) * (a[n] - Double(b[n])) }
        return (sum / Double(a.count)).squareRoot()
    }

    /// `states` advanced one step by the emulator. Over a group of W ranks, rank r advances
    /// states ⌊n·r/W⌋ ..< ⌊n·(r+1)/W⌋ and the forecasts are gathered (`ProcessGroup.gatherRows`,
    /// exact), so every rank holds the same ensemble, bit for bit.
    func advanceSpread(_ states: [[String: [Float]]], dayOfYear day: Double) throws -> [[String: [Float]]] {
        guard let group, group.worldSize > 1, let first = states.first else {
            return try emulator.advance(states, dayOfYear: [Double](repeating: day, count: states.count))
        }
        let n = states.count, w = group.worldSize, r = group.rank
        let lower = n * r / w, upper = n * (r + 1) / w
        let mine = upper > lower ? try emulator.advance(Array(states[lower..<upper]), dayOfYear: [Double](repeating: day, count: upper - lower)) : []
        let names = first.keys.sorted()
        let sizes = names.map { first[$0]?.count ?? 0 }
        let rows = try mine.enumerated().map { k, state in
            try zip(names, sizes).flatMap { name, size -> [Float] in
                guard let values = state[name], values.count == size else {
                    throw ValidationError("rank \(r): the forecast of member \(lower + k) lacks \(name) or has another size")
                }
                return values
            }
        }
        return try group.gatherRows(rows, first: lower, count: n, width: sizes.reduce(0, +)).map { row in
            var state: [String: [Float]] = [:]
            var offset = 0
            for (name, size) in zip(names, sizes) {
                state[name] = Array(row[offset..<(offset + size)])
                offset += size
            }
            return state
        }
    }

    func run(cycles: Int, progress: (Int, Int, CycleRow) -> Void) throws -> Result {
        guard truthFile.recordCount > cycles else {
            throw ValidationError("--truth \(truthFile.path): \(cycles) cycles need \(cycles + 1) records, it has \(truthFile.recordCount)")
        }
        let began = ContinuousClock.now
        func truthFields(_ r: Int) throws -> [String: [Float]] {
            try Dictionary(uniqueKeysWithValues: Self.variables.map { ($0, try truthFile.read($0, time: r)) })
        }
        // Cells within 500 km of a station: where the analysis is constrained.
        var observedCell = [Bool](repeating: false, count: grid.latitudeCount * grid.longitudeCount)
        let positions = stations.map { GreatCircle.unitVector(latitude: $0.latitude, longitude: $0.longitude) }
        for i in 0..<grid.latitudeCount {
            for j in 0..<grid.longitudeCount {
                let p = GreatCircle.unitVector(latitude: grid.firstLatitude + Double(i) * grid.latitudeStep, longitude: grid.firstLongitude + Double(j) * grid.longitudeStep)
                observedCell[i * grid.longitudeCount + j] = positions.contains { GreatCircle.distanceM(p, $0) < 500_000 }
            }
        }
        let initial = try truthFields(0)
        var free = initial
        var members: [[String: [Float]]]
        switch method {
        case .oi: members = [initial]
        case .letkf(let count): members = try initialEnsemble(around: initial, count: count)
        }
        var random = SeededRandom(seed: seed)
        var inflationRandom = SeededRandom(seed: seed &+ 2_000_003)
        var scale = 1.0
        var rows: [CycleRow] = []
        var divergedAtCycle: Int?
        let errors = ObservationErrorTable.standard
        let observationCount = stations.reduce(0) { $0 + ($1.upperAir ? 3 : 1) }
        for n in 1...cycles {
            let day = Emulator.dayOfYear(truthFile.times[n - 1])
            var forecasts = try advanceSpread(members + [free], dayOfYear: day)
            free = forecasts.removeLast()
            let backgroundMembers = forecasts
            let time = truthFile.times[n]
            let truthValues = try truthFields(n)
            let truth = try Self.state(truthValues, grid: grid, time: time)
            // Synthetic observations of the truth.
            var observations: [Observation] = []
            observations.reserveCapacity(observationCount)
            let op = ObservationOperator()
            for station in stations {
                for variable in station.upperAir ? ["h", "u", "v"] : ["h"] {
                    var o = Observation(time: time, latitude: station.latitude, longitude: station.longitude, vertical: nil, variable: variable,
                                        value: 0, sigma: nil, site: station.site, source: "twin")
                    guard let location = try? op.locate(o, in: [truth], window: time...time).get(),
                          let value = ObservationPreparation.equivalent(location, variable: variable, states: [truth]),
                          let sigma = errors.sigma(for: o) else { continue }
                    o.value = value + sigma * random.normal()
                    observations.append(o)
                }
            }
            let window = truthFile.times[n - 1]...truthFile.times[min(n + 1, truthFile.recordCount - 1)]
            let backgroundStates = try backgroundMembers.map { try Self.state($0, grid: grid, time: time) }
            let result: AnalysisResult
            switch method {
            case .oi:
                var oi = OptimalInterpolation(correlation: .gaussian(lengthScaleM: lengthKm * 1000),
                                              backgroundSigma: nmcSigma.mapValues { $0.map { $0 * scale.squareRoot() } },
                                              balance: balance ? GeostrophicBalance() : nil)
                oi.tolerance = 1e-8
                result = try oi.analyse(background: backgroundStates[0], observations: observations, window: window)
                members = [result.state.fields.mapValues { $0.map(Float.init) }]
            case .letkf:
                let letkf = LETKF(localisation: .gaspariCohn(halfWidthM: lengthKm * 1000), relaxationToPriorSpread: relaxationToPriorSpread,
                                  multiplicativeInflation: 1)
                result = try letkf.analyse(members: backgroundStates, observations: observations, window: window)
                members = result.members.map { $0.fields.mapValues { $0.map(Float.init) } }
                if additiveInflation > 0 {
                    // Model error the emulator's ensemble does not carry: its members, trained to
                    // pull perturbed states back, lose their spread in a few days without it.
                    let noise = try perturbations(count: members.count, sigmaH: additiveInflation * scale.squareRoot() * (nmcSigma["h"]?.first ?? 1),
                                                  random: &inflationRandom)
                    members = zip(members, noise).map { Self.adding($1, to: $0) }
                }
            }
            var scores: [String: Double] = [:]
            for v in Self.variables {
                guard let t = truthValues[v] else { continue }
                let backgroundMean = Self.mean(backgroundMembers.map { $0[v] ?? [] })
                scores["\(v).analysis"] = rmse(result.state.fields[v] ?? [], t)
                scores["\(v).background"] = rmse(backgroundMean, t)
                scores["\(v).free"] = rmse((free[v] ?? []).map(Double.init), t)
            }
            if backgroundMembers.count > 1, let a = result.state.fields["h"] {
                // Area-weighted RMS spread of the analysed members.
                var sum = 0.0
                for member in members {
                    guard let h = member["h"] else { continue }
                    for g in a.indices { sum += areaWeights[g] * (Double(h[g]) - a[g]) * (Double(h[g]) - a[g]) }
                }
                scores["h.spread"] = (sum / Double((members.count - 1) * a.count)).squareRoot()
            }
            if let t = truthValues["h"], let a = result.state.fields["h"] {
                var near = 0.0, nearW = 0.0, far = 0.0, farW = 0.0, bias = 0.0
                for g in a.indices {
                    let e = (a[g] - Double(t[g])) * (a[g] - Double(t[g])) * areaWeights[g]
                    if observedCell[g] { near += e; nearW += areaWeights[g] } else { far += e; farW += areaWeights[g] }
                    bias += areaWeights[g] * (a[g] - Double(t[g]))
                }
                scores["h.analysis.observed"] = (near / max(nearW, 1e-12)).squareRoot()
                scores["h.analysis.unobserved"] = (far / max(farW, 1e-12)).squareRoot()
                scores["h.analysis.bias"] = bias / Double(a.count)
            }
            let chi = result.chiSquaredPerObservation ?? .nan
            let used = result.observations.filter { $0.flag == .used }.count
            let row = CycleRow(cycle: n, time: "\(time)", day: Double(n) * emulator.definition.timeStepHours / 24, rmse: scores,
                               chiSquared: chi, used: used, flagged: result.observations.count - used, varianceScale: scale)
            rows.append(row)
            progress(n, cycles, row)
            if adaptive, chi.isFinite, chi > 0 { scale = min(max(scale * min(max(chi, 0.5), 2).squareRoot(), 0.25), 4) }
            // No observation passes quality control: the forecast has left the observations
            // behind for good; the cycles after would only repeat it.
            if used == 0 {
                divergedAtCycle = n
                FileHandle.standardError.write(Data("cycle \(n): no observation passed quality control (\(result.observations.count) flagged): the cycled forecast has diverged; stopping\n".utf8))
                break
            }
        }
        func mean(_ rows: ArraySlice<CycleRow>, _ key: String) -> Double { rows.map { $0.rmse[key] ?? .nan }.reduce(0, +) / Double(max(rows.count, 1)) }
        var meanAll: [String: Double] = [:], meanLate: [String: Double] = [:]
        let late = rows[(rows.count / 2)...]
        for v in Self.variables {
            for s in ["background", "analysis", "free"] {
                meanAll["\(v).\(s)"] = mean(rows[...], "\(v).\(s)")
                meanLate["\(v).\(s)"] = mean(late, "\(v).\(s)")
            }
        }
        let summary = Summary(checkpoint: checkpoint, truth: truthFile.path, stationFiles: stationFiles,
                              surfaceStations: stations.filter { !$0.upperAir }.count, upperAirStations: stations.filter(\.upperAir).count,
                              observationsPerCycle: observationCount, cycles: rows.count, requestedCycles: cycles, divergedAtCycle: divergedAtCycle,
                              days: Double(rows.count) * emulator.definition.timeStepHours / 24,
                              method: method == .oi ? "oi" : "letkf", lengthKm: lengthKm, balance: balance, nmcSigma: nmcSigma.mapValues { $0.first ?? .nan },
                              meanRMSE: meanAll, meanChiSquared: Self.finiteMean(rows.map(\.chiSquared)),
                              meanRMSESecondHalf: meanLate, meanChiSquaredSecondHalf: Self.finiteMean(late.map(\.chiSquared)),
                              hAnalysisReductionVsFree: 1 - (meanAll["h.analysis"] ?? .nan) / (meanAll["h.free"] ?? .nan),
                              seconds: (ContinuousClock.now - began) / .seconds(1))
        return Result(rows: rows, summary: summary)
    }
}
