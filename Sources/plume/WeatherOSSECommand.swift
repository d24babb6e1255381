import ArgumentParser
import Foundation
import PlumeAssimilation
import PlumeEmulators
import PlumeGrids
import PlumeIO
import PlumeSupport
import PlumeVerify
import Torch

/// `plume osse weather`: the weather twin. The truth is a shallow-water run (`plume generate
/// weather`); synthetic observations of it are made every 6 hours at the positions of real
/// stations (read from BUFR files: surface stations observe h, upper-air stations h, u and v),
/// with the standard observation errors as Gaussian noise; the emulator cycles forecast →
/// optimal interpolation → next forecast, beside a free run of the same emulator from the
/// same initial state. Writes per-cycle scores, a summary and plots.
struct WeatherOSSECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weather",
        abstract: "Weather twin: cycle the emulator with OI on synthetic station observations of a shallow-water truth.",
        discussion: """
            The background error σb of u, v and h comes from the emulator itself by the NMC \
            method (the differences of 48-hour and 24-hour forecasts valid at the same time, \
            started daily from the --nmc file, times 0.5). Its amplitude is then tuned online: \
            after each cycle σb² is multiplied by (χ²/p)^½ (χ²/p bounded to [0.5, 2] per cycle, the factor on the NMC σb² to [0.25, 4]), so \
            that the innovations' χ²/p approaches 1 (an adaptive estimate of B's amplitude, as \
            Desroziers' diagnostics do offline); with the LETKF the same factor scales the variance of \
            the additive inflation (a multiplicative inflation would compound, cycle after cycle, \
            where no observation reaches). Correlations are Gaussian of --length-km; height \
            increments bring geostrophic wind increments with --balance (off by default: on the \
            shallow-water twin at 1,000 km they made the analysis worse). Observations: at \
            every distinct station position of the --stations files, at each cycle time, the \
            truth interpolated bilinearly plus N(0, σo²) noise (σo: h 10 m, u and v 2.5 m/s) \
            from --seed. The analysis starts from the truth's first record, like the free run. \
            With --method letkf the emulator runs --members members in one batch and the LETKF \
            (Gaspari–Cohn localisation of half-width --length-km, relaxation to prior spread \
            --rtps) analyses them; the initial members add to the truth's first record scaled \
            differences of records a day apart of the --nmc file (RMS of h: the NMC σb), and after \
            every analysis each member gets another such perturbation, of RMS --additive-inflation \
            × σb (the model error that an ensemble of the emulator does not carry: trained to pull \
            perturbed states back, its members lose their spread within days without it). \
            Outputs in --out: cycles.csv (one row per cycle: area-weighted RMSE of h, u, v for \
            the background, the analysis and the free run; h's analysis error near stations and elsewhere, its mean, the ensemble spread; χ²/p; observations used and flagged), \
            summary.json, osse-weather-rmse-h.png and osse-weather-chi2.png. A cycle in which no \
            observation passes quality control (the cycled forecast has diverged) ends the run \
            there; the summary says so.
            """)

    @Option(help: "Weather emulator checkpoint (plume train).")
    var checkpoint: String

    @Option(help: "Truth: a 6-hourly u, v, h file on the emulator's grid (e.g. weather-test.nc of plume generate weather).")
    var truth: String

    @Option(name: .customLong("nmc"), help: "Data for the NMC estimate of σb (e.g. weather-train.nc; never the truth period).")
    var nmcFile: String

    @Option(name: .customLong("stations"), parsing: .upToNextOption, help: "BUFR files whose report positions are the stations.")
    var stationFiles: [String]

    @Option(help: "Days to cycle (6-hourly cycles).")
    var days: Double = 60

    @Option(name: .customLong("length-km"), help: "Length scale of the Gaussian background-error correlations (km).")
    var lengthKm: Double = 1000

    @Flag(inversion: .prefixedNo, help: "Geostrophic wind increments from the height increments.")
    var balance = false

    @Flag(inversion: .prefixedNo, help: "Keep one surface and one upper-air station per model cell (the first in the files).")
    var thin = true

    @Flag(inversion: .prefixedNo, help: "Tune σb²'s amplitude online from χ²/p.")
    var adaptive = true

    @Option(help: "Analysis: oi or letkf.")
    var method: String = "oi"

    @Option(help: "LETKF members.")
    var members: Int = 16

    @Option(name: .customLong("rtps"), help: "LETKF relaxation to prior spread α.")
    var relaxationToPriorSpread: Double = 0.7

    @Option(name: .customLong("additive-inflation"), help: "LETKF: RMS in h of random 24-hour differences of the --nmc data added to every analysed member, × the NMC σb of h (0: none).")
    var additiveInflation: Double = 1.0

    @Option(help: "Seed of the observation noise.")
    var seed: UInt64 = 1

    @Option(help: "libtorch intra-op threads.")
    var threads: Int = 2

    @Option(help: "Output folder (must not exist).")
    var out: String

    @Option(help: "Processes sharing the members' forecasts (c10d Gloo; each uses --threads threads).")
    var nproc: Int = 1

    @Option(name: .customLong("collective-timeout"), help: "Seconds after which a rank stops waiting for the others.")
    var collectiveTimeout: Double = 300

    func validate() throws {
        guard days > 0, (days * 4).rounded() == days * 4 else { throw ValidationError("--days \(days): expected a positive multiple of 0.25") }
        guard lengthKm > 0 else { throw ValidationError("--length-km must be positive, got \(lengthKm)") }
        guard !stationFiles.isEmpty else { throw ValidationError("--stations: give at least one BUFR file") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard ["oi", "letkf"].contains(method) else { throw ValidationError("--method '\(method)': expected oi or letkf") }
        guard members >= 2 else { throw ValidationError("--members must be at least 2, got \(members)") }
        guard additiveInflation >= 0, additiveInflation.isFinite else { throw ValidationError("--additive-inflation must be ≥ 0, got \(additiveInflation)") }
        guard (0...1).contains(relaxationToPriorSpread) else { throw ValidationError("--rtps must be in [0, 1], got \(relaxationToPriorSpread)") }
    }

    func run() throws {
        let role = try ParallelRole.resolve(command: "plume osse weather", nproc: nproc, collectiveTimeout: collectiveTimeout,
                                            failureHint: "nothing was written; run it again")
        if case .launched = role { return }
        try Torch.setThreadCount(threads)
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("--out \(out) exists: choose a new folder") }
        var twin = try WeatherTwin(checkpoint: checkpoint, truthPath: truth, nmcPath: nmcFile, stationFiles: stationFiles,
                                   lengthKm: lengthKm, balance: balance, thin: thin, adaptive: adaptive,
                                   method: method == "letkf" ? .letkf(members: members) : .oi, relaxationToPriorSpread: relaxationToPriorSpread,
                                   additiveInflation: additiveInflation, seed: seed)
        if case .rank(let rank) = role {
            twin.group = try ProcessGroup(joining: rank, timeoutSeconds: collectiveTimeout)
            if rank.rank != 0 {
                // The other ranks forecast their members and write nothing.
                _ = try twin.run(cycles: Int((days * 4).rounded())) { _, _, _ in }
                return
            }
        }
        let staging = out + ".partial"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        // Nothing is left behind under --out or its staging folder when a cycle fails.
        var finished = false
        defer { if !finished { try? FileManager.default.removeItem(atPath: staging) } }
        let result = try twin.run(cycles: Int((days * 4).rounded())) { cycle, total, row in
            FileHandle.standardError.write(Data(String(format: "cycle %d/%d %@: h RMSE analysis %.2f m (near stations %.2f m, elsewhere %.2f m, mean error %.2f m), background %.2f m, free %.2f m, spread %.2f m, χ²/p %.3f, σb² × %.3g\n",
                                                       cycle, total, row.time, row.rmse["h.analysis"] ?? .nan, row.rmse["h.analysis.observed"] ?? .nan,
                                                       row.rmse["h.analysis.unobserved"] ?? .nan, row.rmse["h.analysis.bias"] ?? .nan, row.rmse["h.background"] ?? .nan,
                                                       row.rmse["h.free"] ?? .nan, row.rmse["h.spread"] ?? .nan, row.chiSquared, row.varianceScale).utf8))
        }
        try result.write(to: staging)
        try FileManager.default.moveItem(atPath: staging, toPath: out)
        finished = true
        print(result.summaryLine)
        print("outputs: \(out)/cycles.csv, summary.json, osse-weather-rmse-h.png, osse-weather-chi2.png")
    }
}
