import ArgumentParser
import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
import PlumePhysics
import PlumeRegrid
import Torch

/// `plume generate`: Plume's built-in data sets.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate built-in data sets (reference weather from a shallow-water model).",
        subcommands: [GenerateWeatherCommand.self, GenerateCarbonBenchCommand.self])
}

/// `plume generate weather`: runs the forced-dissipative shallow-water model
/// (`WeatherGenerator`) and writes 6-hourly u, v, h and vorticity as CF netCDF-4, one file per
/// train/validation/test period, with optional diagnostics (CSV, netCDF, PNG plots).
struct GenerateWeatherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weather",
        abstract: "Run the forced-dissipative shallow-water model and write 6-hourly weather (CF netCDF-4).",
        discussion: """
            The model (spectral, vorticity-divergence, RK4, float64) runs at triangular truncation \
            --truncation on the regular Gaussian grid --grid, forced by Newtonian relaxation of h \
            and of the zonal-mean vorticity toward balanced mid-latitude jets (15 days), linear \
            drag (20 days), del^8 \
            hyperdiffusion, seeded AR(1) stochastic vorticity forcing and idealised orography. \
            After --spinup-days it writes --days of 6-hourly snapshots to DIR/weather-train.nc, \
            weather-val.nc and weather-test.nc (consecutive periods, fractions --split), on \
            --output-grid (default: the model grid). The same --seed and --threads give \
            bit-identical values. --diagnostics also writes weather-diagnostics.csv/.nc and PNG \
            plots (kinetic energy, zonal-mean wind, final vorticity). --format grib or both \
            writes GRIB 2 copies (weather-train.grib2, …; shortNames u, v, gh, vo).
            """)

    @Option(help: "Model grid: a regular Gaussian grid (gaussian-n32 for T42, a 128-row one for T85).")
    var grid: String = "gaussian-n32"

    @Option(help: "Triangular truncation T of the spectral model.")
    var truncation: Int = 42

    @Option(help: "Recorded model days (a multiple of 0.25).")
    var days: Double

    @Option(name: .customLong("out"), help: "Output folder (created if missing).")
    var out: String

    @Option(help: "Seed of every random draw (stochastic forcing, initial perturbation).")
    var seed: UInt64 = 0

    @Option(name: .customLong("output-grid"), help: "Grid of the output files (a Grids/ name, .yaml, or data file); default: the model grid.")
    var outputGrid: String?

    @Option(name: .customLong("regrid-method"), help: "conservative, bilinear or nearest (default: conservative for lat-lon/Gaussian grids, else bilinear).")
    var regridMethod: String?

    @Option(name: .customLong("spinup-days"), help: "Model days run before recording (a multiple of 0.25).")
    var spinupDays: Double = 100

    @Option(help: "Fractions train,val,test of the recorded snapshots (consecutive periods).")
    var split: String = "0.8,0.1,0.1"

    @Option(help: "libtorch intra-op threads (results are bit-identical for a fixed count).")
    var threads: Int = 1

    @Option(help: "Output format: netcdf, grib (GRIB 2 through ecCodes, lat-lon or Gaussian output grids) or both.")
    var format: String = "netcdf"

    @Option(help: "zlib compression level of the output, 0 (none) to 9.")
    var deflate: Int32 = 1

    @Option(name: .customLong("mountain-height"), help: "Peak height of the idealised mountains, m (0: flat).")
    var mountainHeight: Double = 2000

    @Option(name: .customLong("jet-speed"), help: "Peak speed of the equilibrium jets, m s-1.")
    var jetSpeed: Double = 60

    @Option(name: .customLong("forcing-amplitude"), help: "rms of the stochastic vorticity forcing, s-2 (0: none).")
    var forcingAmplitude: Double = 2.5e-10

    @Option(name: .customLong("vorticity-relaxation-days"), help: "Relaxation time of the vorticity toward the jets, days (0: none).")
    var vorticityRelaxationDays: Double = 15

    @Option(name: .customLong("start-date"), help: "Reference date of the time axis (end of the spin-up), \"yyyy-MM-dd HH:mm:ss\".")
    var startDate: String = "2000-01-01 00:00:00"

    @Flag(help: "Also write daily diagnostics (CSV + netCDF) and PNG plots into the output folder.")
    var diagnostics: Bool = false

    /// The library's setting names → the flags that set them.
    static let flagNames: [String: String] = [
        "truncation": "--truncation", "days": "--days", "spinupDays": "--spinup-days", "split": "--split",
        "deflateLevel": "--deflate", "startDate": "--start-date", "mountainHeight": "--mountain-height",
        "forcingDegrees": "--truncation", "jetSpeed": "--jet-speed", "forcingAmplitude": "--forcing-amplitude",
        "vorticityRelaxationTime": "--vorticity-relaxation-days",
    ]

    /// A `ValidationError` naming the flag of a library setting error.
    static func validationError(_ error: WeatherGeneratorError) -> Error {
        if case .invalidSetting(let name, let value, let reason) = error, let flag = flagNames[name] {
            return ValidationError("\(flag) '\(value)': \(reason)")
        }
        return error
    }

    func validate() throws {
        guard truncation >= 2 else { throw ValidationError("--truncation must be at least 2, got \(truncation)") }
        guard days.isFinite, days > 0 else { throw ValidationError("--days must be positive, got \(days)") }
        guard (days * 4).rounded() == days * 4 else { throw ValidationError("--days must be a multiple of 0.25 (6-hourly output), got \(days)") }
        guard spinupDays.isFinite, spinupDays >= 0, (spinupDays * 4).rounded() == spinupDays * 4 else {
            throw ValidationError("--spinup-days must be ≥ 0 and a multiple of 0.25, got \(spinupDays)")
        }
        guard vorticityRelaxationDays.isFinite, vorticityRelaxationDays >= 0 else {
            throw ValidationError("--vorticity-relaxation-days must be ≥ 0, got \(vorticityRelaxationDays)")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard (0...9).contains(deflate) else { throw ValidationError("--deflate must be 0…9, got \(deflate)") }
        guard mountainHeight.isFinite, mountainHeight >= 0 else {
            throw ValidationError("--mountain-height must be ≥ 0, got \(mountainHeight)")
        }
        if let regridMethod {
            guard RemapMethod(rawValue: regridMethod) != nil else {
                throw ValidationError("--regrid-method must be conservative, bilinear or nearest, got '\(regridMethod)'")
            }
            guard outputGrid != nil else { throw ValidationError("--regrid-method needs --output-grid") }
        }
        guard ["netcdf", "grib", "both"].contains(format) else {
            throw ValidationError("--format must be netcdf, grib or both, got '\(format)'")
        }
        do {
            _ = try WeatherSplit(parsing: split)
        } catch {
            throw Self.validationError(error)
        }
    }

    /// The model grid, checked to be a regular Gaussian grid.
    func loadModelGrid() throws -> GaussianGrid {
        let loaded: any Grid
        do {
            loaded = try GridCatalog.resolve(grid)
        } catch {
            throw ValidationError("--grid '\(grid)': \(error)")
        }
        guard let gaussian = loaded as? GaussianGrid, !gaussian.isReduced else {
            throw ValidationError("--grid '\(grid)': the model needs a regular Gaussian grid (such as gaussian-n32), got \(type(of: loaded)) '\(loaded.name)'")
        }
        return gaussian
    }

    func makeGenerator() throws -> WeatherGenerator {
        let modelGrid = try loadModelGrid()
        var configuration = WeatherConfiguration(truncation: truncation)
        configuration.mountainHeight = mountainHeight
        configuration.jetSpeed = jetSpeed
        configuration.forcingAmplitude = forcingAmplitude
        configuration.vorticityRelaxationTime = vorticityRelaxationDays > 0 ? vorticityRelaxationDays * 86_400 : nil
        configuration.forcingDegrees = min(8, truncation)...min(20, truncation)
        var generator = WeatherGenerator(configuration: configuration, modelGrid: modelGrid, seed: seed, days: days)
        generator.spinupDays = spinupDays
        generator.deflateLevel = deflate
        generator.startDate = startDate
        generator.historyLine = PlumeVersion.commandLine
        generator.recordsDiagnostics = diagnostics
        do {
            generator.split = try WeatherSplit(parsing: split)
            try configuration.validate()
            try generator.validate()
        } catch {
            throw Self.validationError(error)
        }
        if let outputGrid {
            do {
                generator.outputGrid = try GridCatalog.resolve(outputGrid)
            } catch {
                throw ValidationError("--output-grid '\(outputGrid)': \(error)")
            }
        }
        if let regridMethod { generator.regridMethod = RemapMethod(rawValue: regridMethod) }
        return generator
    }

    func run() throws {
        let generator = try makeGenerator()
        try Torch.setThreadCount(threads)
        let bar = GenerateProgressBar(interactive: isatty(STDERR_FILENO) != 0)
        let summary: WeatherGenerator.Summary
        do {
            summary = try generator.run(to: out) { bar.update($0) }
        } catch let error as WeatherGeneratorError {
            bar.finish()
            switch error {
            case .unsupportedModelGrid: throw ValidationError("--grid '\(grid)' with --truncation \(truncation): \(error)")
            case .unsupportedOutputGrid: throw ValidationError("--output-grid '\(outputGrid ?? "")': \(error)")
            default: throw Self.validationError(error)
            }
        }
        bar.finish()
        let d = summary.diagnostics
        print(String(format: "ran %.2f model days (%.2f spin-up) at T%d on %@ in %.1f s: %.2f model days/s (%d threads)",
                     summary.modelDays, spinupDays, truncation, generator.modelGrid.name, summary.wallSeconds,
                     summary.daysPerSecond, Torch.threadCount))
        if format != "grib" {
            for (file, count) in zip(summary.files, summary.snapshots) { print("wrote \(file) (\(count) snapshots)") }
        }
        if format != "netcdf" {
            for path in try GenerateGRIB.convert(summary.files) { print("wrote \(path)") }
            if format == "grib" { for file in summary.files { try FileManager.default.removeItem(atPath: file) } }
        }
        if diagnostics {
            if let ke = d.kineticEnergy.last {
                print(String(format: "final kinetic energy %.2f m2 s-2, max wind %.1f m s-1, mass drift %.2e",
                             ke, d.maximumWind.last ?? 0, d.massDrift))
            }
            let written = try GenerateDiagnostics.write(summary: summary, generator: generator, to: out)
            for path in written { print("wrote \(path)") }
        }
    }
}
