import ArgumentParser
import Foundation
import PlumeAssimilation
import PlumeGrids
import PlumeSupport
import Torch

/// `plume osse co2`: the CO2 flux-inversion twin (CTDAS's design on Plume's transport).
struct CO2OSSECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "co2",
        abstract: "CO2 inversion twin: recover known regional flux factors from synthetic station observations.",
        discussion: """
            The --data file (CarbonBench's layout, e.g. carbonbench-train.nc of plume generate \
            carbonbench-mini) gives the winds, interface pressures, the prior fluxes (co2flux_land, \
            co2flux_ocean, co2flux_anthro) and the initial CO2 (its first record). Regions: latitude \
            bands (--bands, edges in degrees) with a land and an ocean factor each. The prior: mean 1, \
            σ --land-sigma / --ocean-sigma, correlation exp(−d/L) within land and within ocean \
            (L = --length-km). A share --persistent-share of that variance belongs to a persistent \
            part of the factors, one per region for the whole run, the rest to weekly parts \
            independent between weeks (0: CTDAS's independent weeks). The truth is drawn from that \
            model: it scales the prior land and ocean fluxes by factors whose persistent part is \
            1 ± --truth-sigma-scale × the persistent σ (signs drawn from --seed: every region off by \
            the same multiple of its σ) and whose weekly parts are drawn from the weekly prior, and \
            runs the reference transport for --weeks weeks. Observations: \
            the lowest layer at the sites of a station-like network (NOAA/ICOS/GAW positions, one per \
            grid cell), interpolated bilinearly, plus N(0, σ²) noise: continuous sites daily at 12 UTC \
            (σ --continuous-sigma ppm), flask sites weekly (σ --flask-sigma ppm). The inversion is \
            CTDAS's fixed-lag ensemble smoother: weekly factors, --lag weeks, --members members, the \
            serial square-root update with CTDAS's localisation (a factor moves only where its \
            ensemble correlation with the observation is significant at 95 %); each cycle the members run through the transport over the \
            window from the posterior CO2 at its start and the newest week's observations are \
            assimilated; the oldest week then leaves with its final factors and the posterior CO2 \
            is advanced through it. The annual budget of each region is accumulated in the \
            smoother's state as the weeks leave, so that later observations still update it and its \
            σ holds the covariance between weeks. Outputs in --out: summary.json (annual budgets of \
            every region with truth, prior and posterior ± σ; error reduction; χ²/p; wall times), budgets.csv, \
            weekly-factors.csv, observations.csv (O − B and O − A of every observation), cycles.csv, \
            posterior-fluxes.nc (weekly posterior co2flux_land / ocean / anthro with the prior and the \
            posterior σ, each week's factors as it left the window), posterior-co2.nc (the posterior-mean co2massmix at each week's start), \
            osse-co2-budgets.png, osse-co2-chi2.png. With --transport emulator the members run through a \
            CO2 emulator (one Torch batch per step, each member with its own fluxes as forcing, the \
            emulator's mass fixer and flux scheme); the truth is always the reference model's. With \
            --transport emulator-perturbations the reference runs only the posterior mean (the CO2 \
            carried from week to week and each window's mean member: one tracer) and the emulator \
            the members and the mean again; member m's equivalents are reference(mean) + \
            emulator(m) − emulator(mean), so the emulator's own drift cancels.
            """)

    @Option(help: "CarbonBench-layout file: u, v, p_bottom, p_top, co2flux_land/ocean/anthro, co2massmix.")
    var data: String

    @Option(help: "Weeks to invert.")
    var weeks: Int = 52

    @Option(help: "Lag of the smoother (weeks).")
    var lag: Int = 3

    @Option(help: "Ensemble members.")
    var members: Int = 48

    @Option(help: "Latitude band edges of the regions, degrees, comma-separated from -90 to 90.")
    var bands: String = "-90,-45,-15,15,45,90"

    @Option(name: .customLong("land-sigma"), help: "Prior σ of a land factor (relative).")
    var landSigma: Double = 0.8

    @Option(name: .customLong("ocean-sigma"), help: "Prior σ of an ocean factor (relative).")
    var oceanSigma: Double = 0.4

    @Option(name: .customLong("persistent-share"), help: "Share of the prior variance in the factors' persistent part, in [0, 1): 0 makes the weeks independent (CTDAS).")
    var persistentShare: Double = 0.5

    @Option(name: .customLong("length-km"), help: "Correlation length of the prior between regions of one kind (km).")
    var lengthKm: Double = 2000

    @Option(name: .customLong("flask-sigma"), help: "Observation error of a flask sample (ppm).")
    var flaskSigma: Double = 0.5

    @Option(name: .customLong("continuous-sigma"), help: "Observation error of a continuous daily value (ppm).")
    var continuousSigma: Double = 1.0

    @Option(help: "The inversion's transport: reference (the model that made the truth), emulator (--checkpoint), or emulator-perturbations (the emulator for the members' deviations, the reference for the mean).")
    var transport: String = "reference"

    @Option(help: "CO2 emulator checkpoint for --transport emulator (plume train; no physics prior).")
    var checkpoint: String?

    @Option(help: "libtorch intra-op threads (--transport emulator).")
    var threads: Int = 2

    @Option(name: .customLong("truth-sigma-scale"), help: "The persistent part of the truth's factors deviates from 1 by this × its prior σ (random signs).")
    var truthSigmaScale: Double = 1.5

    @Option(help: "Transport grid (the data's).")
    var grid: String = "latlon5.625"

    @Option(help: "Layers: l10 or l20 (the data's).")
    var levels: String = "l10"

    @Option(help: "Processes sharing the members' transport runs (c10d Gloo; at most --members).")
    var nproc: Int = 1

    @Option(name: .customLong("collective-timeout"), help: "Seconds after which a rank stops waiting for the others.")
    var collectiveTimeout: Double = 300

    @Option(name: .customLong("time-step"), help: "Reference transport step, s (divides 21600).")
    var timeStep: Double = 3600

    @Option(help: "Seed of the truth factors, the observation noise and the ensemble.")
    var seed: UInt64 = 1

    @Option(help: "Output folder (must not exist).")
    var out: String

    func validate() throws {
        guard weeks >= 1 else { throw ValidationError("--weeks must be at least 1, got \(weeks)") }
        guard lag >= 1 else { throw ValidationError("--lag must be at least 1, got \(lag)") }
        guard members >= 2 else { throw ValidationError("--members must be at least 2, got \(members)") }
        for (name, value) in [("--land-sigma", landSigma), ("--ocean-sigma", oceanSigma), ("--flask-sigma", flaskSigma), ("--continuous-sigma", continuousSigma)] {
            guard value > 0, value.isFinite else { throw ValidationError("\(name) must be positive, got \(value)") }
        }
        guard lengthKm >= 0 else { throw ValidationError("--length-km must be ≥ 0, got \(lengthKm)") }
        guard ["reference", "emulator", "emulator-perturbations"].contains(transport) else {
            throw ValidationError("--transport '\(transport)': expected reference, emulator or emulator-perturbations")
        }
        guard transport == "reference" || checkpoint != nil else { throw ValidationError("--transport \(transport) needs --checkpoint") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard truthSigmaScale >= 0, truthSigmaScale.isFinite else { throw ValidationError("--truth-sigma-scale must be ≥ 0, got \(truthSigmaScale)") }
        guard persistentShare >= 0, persistentShare < 1 else { throw ValidationError("--persistent-share must lie in [0, 1), got \(persistentShare)") }
        guard timeStep > 0 else { throw ValidationError("--time-step must be positive, got \(timeStep)") }
        _ = try bandEdges()
    }

    func bandEdges() throws -> [Double] {
        let parts = bands.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let edges = parts.compactMap(Double.init)
        guard edges.count == parts.count, edges.count >= 2 else {
            throw ValidationError("--bands '\(bands)': expected comma-separated latitudes from -90 to 90, e.g. -90,-45,-15,15,45,90")
        }
        return edges
    }

    func run() throws {
        let role = try ParallelRole.resolve(command: "plume osse co2", nproc: nproc, collectiveTimeout: collectiveTimeout,
                                            failureHint: "nothing was written; run it again")
        var group: ProcessGroup?
        switch role {
        case .launched: return
        case .single: break
        case .rank(let rank):
            guard members >= rank.worldSize else { throw ValidationError("--members \(members) cannot be spread over \(rank.worldSize) ranks") }
            group = try ProcessGroup(joining: rank, timeoutSeconds: collectiveTimeout)
        }
        // Rank 0 writes; the other ranks run their members and write nothing.
        let writes = (group?.rank ?? 0) == 0
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("--out \(out) exists: choose a new folder") }
        guard FileManager.default.fileExists(atPath: data) else { throw ValidationError("--data \(data): no such file") }
        let loaded: any Grid
        do { loaded = try GridCatalog.resolve(grid) } catch { throw ValidationError("--grid '\(grid)': \(error)") }
        guard let latlon = loaded as? RegularLatLonGrid else { throw ValidationError("--grid '\(grid)': needs a regular lat-lon grid") }
        let transportGrid = try TransportGrid(latlon)
        let hybrid = try LevelsOption.parse(levels)
        let configuration = CO2Twin.Configuration(
            dataPath: data, weeks: weeks, lagWeeks: lag, members: members, bandEdges: try bandEdges(), landSigma: landSigma,
            oceanSigma: oceanSigma, lengthKm: lengthKm, flaskSigmaPPM: flaskSigma, continuousSigmaPPM: continuousSigma, truthSigmaScale: truthSigmaScale,
            persistentShare: persistentShare, seed: seed)
        let twin = try CO2Twin(configuration: configuration, grid: latlon, transportGrid: transportGrid, levels: hybrid, stepSeconds: 21_600)
        var truthTransport = try ReferenceEnsembleTransport(source: twin.source, fluxes: twin.fluxes, regions: twin.regions,
                                                            stepSeconds: 21_600, transportStepSeconds: timeStep)
        let transportName: String
        if transport != "reference", let checkpoint {
            try Torch.setThreadCount(threads)
            transportName = transport == "emulator" ? "emulator \(checkpoint)"
                : "emulator \(checkpoint) for the members' deviations, reference (Δt \(timeStep) s) for the mean"
        } else {
            transportName = "reference (Δt \(timeStep) s)"
        }
        if writes { print("CO2 twin: \(twin.sites.count) sites, \(twin.regions.count) factors (\(twin.regions.names.joined(separator: ", "))), "
              + "\(weeks) weeks, lag \(lag), \(members) members; truth by the reference transport (Δt \(timeStep) s), inversion by the \(transportName)" + (group.map { ", members spread over \($0.worldSize) ranks" } ?? "")) }
        fflush(nil)
        let staging = out + ".partial"
        if writes {
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        }
        var finished = false
        defer { if writes, !finished { try? FileManager.default.removeItem(atPath: staging) } }
        let progress: (CO2Twin.CycleRow) -> Void = { row in
            guard writes else { return }
            FileHandle.standardError.write(Data(String(format: "week %d/%d: %d observations, %d assimilated, χ²/p %@, transport %.1f s, analysis %.2f s\n",
                                                       row.week + 1, weeks, row.observations, row.assimilated,
                                                       row.chiSquared.map { String(format: "%.3f", $0) } ?? "-", row.transportSeconds, row.analysisSeconds).utf8))
        }
        let result: CO2Twin.Result
        if transport != "reference", let checkpoint {
            var emulator = try EmulatorEnsembleTransport(checkpoint: checkpoint, dataPath: data, bandEdges: try bandEdges(), fileStart: twin.start)
            guard emulator.stepSeconds == 21_600 else { throw ValidationError("--checkpoint \(checkpoint): steps of \(emulator.stepSeconds / 3600) h; the twin observes every 6 h") }
            var background = truthTransport
            if let group {
                var spread = RankSpreadTransport(base: emulator, group: group)
                result = try twin.run(truthTransport: &truthTransport, transport: &spread, background: &background,
                                      perturbationsOnly: transport == "emulator-perturbations", transportName: transportName, progress: progress)
            } else {
                result = try twin.run(truthTransport: &truthTransport, transport: &emulator, background: &background,
                                      perturbationsOnly: transport == "emulator-perturbations", transportName: transportName, progress: progress)
            }
        } else {
            var reference = truthTransport, background = truthTransport
            if let group {
                var spread = RankSpreadTransport(base: reference, group: group)
                result = try twin.run(truthTransport: &truthTransport, transport: &spread, background: &background,
                                      perturbationsOnly: false, transportName: transportName, progress: progress)
            } else {
                result = try twin.run(truthTransport: &truthTransport, transport: &reference, background: &background,
                                      perturbationsOnly: false, transportName: transportName, progress: progress)
            }
        }
        guard writes else { return }
        try result.write(to: staging)
        try FileManager.default.moveItem(atPath: staging, toPath: out)
        finished = true
        print(result.summaryLine)
        print("outputs: \(out)/summary.json, budgets.csv, weekly-factors.csv, observations.csv, cycles.csv, posterior-fluxes.nc, posterior-co2.nc, osse-co2-budgets.png, osse-co2-chi2.png")
    }
}
