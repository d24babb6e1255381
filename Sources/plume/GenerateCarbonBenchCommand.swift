import ArgumentParser
import Foundation
import PlumeSupport
import PlumeGrids
import PlumePhysics
import Torch
import PlumeCarbonBench

/// `plume generate carbonbench-mini`: the shallow-water weather drives the reference
/// transport model on a native grid; 6-hourly snapshots remapped conservatively to the
/// target grid with CarbonBench's names and units, one file per train/val/test period, and
/// the train split's normalisation statistics (`CarbonBenchGenerator`).
struct GenerateCarbonBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carbonbench-mini",
        abstract: "Generate CarbonBench-mini: weather-driven CO2 transport, 6-hourly, CarbonBench names and units.",
        discussion: """
            LowRes: --grid latlon5.625 --levels l10 (native transport grid latlon2.8125). \
            MidRes: --grid latlon2.8125 --levels l20 (native grid latlon2.8125). Writes \
            DIR/carbonbench-train.nc, -val.nc, -test.nc (consecutive periods in proportion --split) \
            and DIR/carbonbench-stats.json (train mean/std per variable and per level, and the \
            per-level std of one-step co2massmix differences). --days overrides --years.
            """)

    @Option(help: "Target grid: latlon5.625 (LowRes) or latlon2.8125 (MidRes).")
    var grid: String = "latlon5.625"

    @Option(help: "Levels: l10 or l20 (CarbonBench groupings of the TM5 34 layers).")
    var levels: String = "l10"

    @Option(name: .customLong("native-grid"), help: "Transport grid.")
    var nativeGrid: String = CarbonBenchGenerator.defaultNativeGridName

    @Option(help: "Recorded years (365 days each).")
    var years: Int = 5

    @Option(help: "Recorded days (a multiple of 0.25; overrides --years; for short runs).")
    var days: Double?

    @Option(name: .customLong("out"), help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Seed of the weather model's random draws.")
    var seed: UInt64 = 0

    @Option(help: "Lengths train,val,test, in years or as fractions (proportions).")
    var split: String = "3,1,1"

    @Option(name: .customLong("weather-grid"), help: "Regular Gaussian grid of the weather model.")
    var weatherGrid: String = "gaussian-n32"

    @Option(help: "Triangular truncation of the weather model.")
    var truncation: Int = 42

    @Option(name: .customLong("spinup-days"), help: "Weather spin-up days before the transport starts.")
    var spinupDays: Double = 30

    @Option(name: .customLong("transport-spinup-years"),
            help: "Whole years of transport from uniform CO2 before the recorded period (not written).")
    var transportSpinupYears: Int = 0

    @Option(name: .customLong("time-step"), help: "Transport time step, s (divides 21600).")
    var timeStep: Double = 3600

    @Option(name: .customLong("hadley-strength"),
            help: "Annual-mean peak mass transport of each prescribed Hadley cell, kg/s (0: none; observed ~8e10).")
    var hadleyStrength: Double = 1e11

    @Option(name: .customLong("eddy-diffusion-tropics"),
            help: "Horizontal eddy diffusion coefficient at the equator, m2/s (0 with --eddy-diffusion-extratropics 0: none).")
    var eddyDiffusionTropics: Double = CarbonBenchGenerator.defaultHorizontalDiffusion.tropicalCoefficient

    @Option(name: .customLong("eddy-diffusion-extratropics"), help: "Horizontal eddy diffusion coefficient far from the equator, m2/s.")
    var eddyDiffusionExtratropics: Double = CarbonBenchGenerator.defaultHorizontalDiffusion.extratropicalCoefficient

    @Option(name: .customLong("eddy-diffusion-width"), help: "e-folding half width of the tropical maximum of the eddy diffusion, degrees.")
    var eddyDiffusionWidth: Double = CarbonBenchGenerator.defaultHorizontalDiffusion.tropicalHalfWidthDegrees

    @Flag(help: "Also carry an SF6-like tracer (constant emission over 30N-60N, no sink) and write DIR/carbonbench-exchange.csv and .json: interhemispheric exchange time, NH-SH surface CO2, Mauna Loa seasonal cycle.")
    var sf6 = false

    @Option(help: "libtorch intra-op threads.")
    var threads: Int = 1

    @Option(help: "zlib compression level, 0 … 9.")
    var deflate: Int32 = 1

    func makeGenerator() throws -> CarbonBenchGenerator {
        func latlon(_ name: String, _ flag: String) throws -> RegularLatLonGrid {
            let loaded: any Grid
            do { loaded = try GridCatalog.resolve(name) } catch { throw ValidationError("\(flag) '\(name)': \(error)") }
            guard let g = loaded as? RegularLatLonGrid else {
                throw ValidationError("\(flag) '\(name)': needs a regular lat-lon grid, got \(type(of: loaded))")
            }
            return g
        }
        let target = try latlon(grid, "--grid"), native = try latlon(nativeGrid, "--native-grid")
        let gaussianLoaded: any Grid
        do { gaussianLoaded = try GridCatalog.resolve(weatherGrid) } catch { throw ValidationError("--weather-grid '\(weatherGrid)': \(error)") }
        guard let gaussian = gaussianLoaded as? GaussianGrid, !gaussian.isReduced else {
            throw ValidationError("--weather-grid '\(weatherGrid)': needs a regular Gaussian grid")
        }
        let hybrid = try LevelsOption.parse(levels, allowed: [10, 20])
        let parts = split.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, parts.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--split expects three numbers train,val,test, got '\(split)'")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard truncation >= 2 else { throw ValidationError("--truncation must be at least 2, got \(truncation)") }
        let recorded = days ?? Double(years) * 365
        var weather = WeatherConfiguration(truncation: truncation)
        weather.forcingDegrees = min(8, truncation)...min(20, truncation)
        var generator = CarbonBenchGenerator(weather: weather, weatherGrid: gaussian, nativeGrid: native, targetGrid: target,
                                             levels: hybrid, days: recorded)
        generator.split = parts.compactMap { $0 }
        generator.seed = seed
        generator.weatherSpinupDays = spinupDays
        generator.transportSpinupYears = transportSpinupYears
        generator.transportTimeStep = timeStep
        generator.deflateLevel = deflate
        generator.historyLine = PlumeVersion.commandLine
        guard hadleyStrength >= 0, hadleyStrength.isFinite else {
            throw ValidationError("--hadley-strength must be ≥ 0 kg/s, got \(hadleyStrength)")
        }
        if hadleyStrength == 0 {
            generator.overturning = nil
        } else {
            var overturning = MeridionalOverturning()
            overturning.strength = hadleyStrength
            generator.overturning = overturning
        }
        if eddyDiffusionTropics == 0 && eddyDiffusionExtratropics == 0 {
            generator.horizontalDiffusion = nil
        } else {
            generator.horizontalDiffusion = HorizontalEddyDiffusion(tropicalCoefficient: eddyDiffusionTropics,
                                                                    extratropicalCoefficient: eddyDiffusionExtratropics,
                                                                    tropicalHalfWidthDegrees: eddyDiffusionWidth)
        }
        if sf6 { generator.exchangeTracer = InterhemisphericExchangeTracer() }
        do {
            try generator.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return generator
    }

    func run() throws {
        let generator = try makeGenerator()
        try Torch.setThreadCount(threads)
        print("CarbonBench-mini: \(generator.days) days on \(generator.targetGrid.name) (native \(generator.nativeGrid.name)), "
              + "\(generator.levels.count) levels, weather T\(truncation) on \(generator.weatherGrid.name), spin-up \(spinupDays) days")
        var lastPrinted = -1.0, lastPhase = ""
        let summary = try generator.run(to: out) { p in
            // The transport spin-up counts its own days: start over when the recorded period begins.
            let phase = p.file == "transport spin-up" ? p.file : "recorded"
            if phase != lastPhase { lastPrinted = -1; lastPhase = phase }
            if p.modelDays - lastPrinted >= 1 || p.modelDays >= p.totalModelDays {
                lastPrinted = p.modelDays
                let rate = p.wallSeconds > 0 ? p.modelDays / p.wallSeconds : 0
                FileHandle.standardError.write(Data(String(format: "\r%@: day %.2f / %.2f, %.1f s, %.3f model days/s   ",
                                                           p.file, p.modelDays, p.totalModelDays, p.wallSeconds, rate).utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print(String(format: "weather spin-up %.1f s; recorded %.2f model days in %.1f s: %.3f model days/s, %.2f s per model day",
                     summary.spinupSeconds, summary.modelDays, summary.wallSeconds, summary.daysPerSecond,
                     summary.modelDays > 0 ? summary.wallSeconds / summary.modelDays : 0))
        if let first = summary.nativeMass.first, let last = summary.nativeMass.last {
            let source = summary.appliedSource.reduce(0, +)
            print(String(format: "global CO2 %.6e → %.6e kg, applied source %.6e kg, residual %.2e (relative), clipped uptake %.3e kg",
                         first, last, source, (last - first - source) / first, summary.clippedUptake))
        }
        for (file, count) in zip(summary.files, summary.snapshots) { print("wrote \(file) (\(count) snapshots)") }
        print("wrote \(summary.statisticsFile)")
        if let exchange = summary.exchange {
            for y in exchange.years {
                print(String(format: "year %d: tau %.3f years (mean), %.3f (end); NH-SH surface CO2 %.2f ppm; Mauna Loa amplitude %.2f ppm (surface), %.2f ppm (~680 hPa)",
                             y.year, y.exchangeTimeMeanYears, y.exchangeTimeEndYears, y.surfaceNorthMinusSouthPPM,
                             y.maunaLoaSurfaceAmplitude, y.maunaLoa680Amplitude))
            }
            for file in summary.exchangeFiles { print("wrote \(file)") }
        }
    }
}
