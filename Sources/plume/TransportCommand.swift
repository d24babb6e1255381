import ArgumentParser
import Foundation
import PlumeGrids
import PlumePhysics
import PlumeIngest

/// `plume transport`: the reference CO2 transport model driven by winds and surface
/// pressure from ERA5-style files (GRIB or netCDF, pressure or model levels), mass fluxes
/// balanced the way TM5 does, with the synthetic surface fluxes or fluxes from files.
struct TransportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Run the reference CO2 transport model driven by u, v and surface pressure from files.",
        discussion: """
            The files (--met, repeatable) give u and v (pressure or hybrid model levels) and the \
            surface pressure (sp or lnsp; --surface-pressure when none has it) at common times; \
            they are remapped conservatively to --grid and averaged over each layer of --levels. \
            Each step's horizontal mass fluxes are balanced against the surface-pressure tendency \
            and the vertical fluxes follow from continuity (TM5). CO2 starts uniform and receives \
            the synthetic land/ocean/anthropogenic fluxes, or those of --fluxes files \
            (co2flux_land/ocean/anthro). Writes DIR/transport.nc and DIR/transport-budget.json.
            """)

    @Option(name: .customLong("met"), help: "Meteorology file (repeatable): u, v and surface pressure.")
    var met: [String] = []

    @Option(name: .customLong("fluxes"), help: "Surface-flux file (repeatable): co2flux_land/ocean/anthro, kg m-2 s-1.")
    var fluxes: [String] = []

    @Option(help: "Transport grid (a regular lat-lon grid of the catalogue).")
    var grid: String = "latlon5.625"

    @Option(help: "Layers: l10, l20 (CarbonBench's groupings of the TM5 layers) or tm5-34.")
    var levels: String = "l10"

    @Option(name: .customLong("surface-pressure"), help: "Surface pressure, Pa, when no file has one.")
    var surfacePressure: Double?

    @Option(help: "Hours to run from the first record (default: to the last record).")
    var hours: Double?

    @Option(name: .customLong("time-step"), help: "Transport step, s.")
    var timeStep: Double = 3600

    @Option(name: .customLong("output-interval"), help: "Output interval, hours.")
    var outputIntervalHours: Double = 6

    @Option(name: .customLong("initial-ppm"), help: "Initial CO2, ppm by volume (uniform).")
    var initialPPM: Double = 400

    @Option(name: .customLong("out"), help: "Output folder (created if missing).")
    var out: String

    func run() throws {
        guard !met.isEmpty else { throw ValidationError("--met: give at least one meteorology file") }
        let loaded: any Grid
        do { loaded = try GridCatalog.resolve(grid) } catch { throw ValidationError("--grid '\(grid)': \(error)") }
        guard let latlon = loaded as? RegularLatLonGrid else {
            throw ValidationError("--grid '\(grid)': needs a regular lat-lon grid, got \(type(of: loaded))")
        }
        let transportGrid = try TransportGrid(latlon)
        let hybrid = try LevelsOption.parse(levels)
        let source = try TransportMeteorologyFiles(paths: met, grid: transportGrid, levels: hybrid, surfacePressureWhenAbsent: surfacePressure)
        let winds = try Transport3DMeteorologyWinds(source: source)
        let geometry = try Transport3DGeometry(grid: transportGrid, levels: hybrid)
        var surface: any SurfaceFluxProvider = try SyntheticSurfaceFluxes(grid: transportGrid)
        if !fluxes.isEmpty { surface = try SurfaceFluxFile.read(paths: fluxes, grid: transportGrid) }
        let model = try Transport3DModel(geometry: geometry, winds: winds, surfaceFluxes: surface)
        var run = MeteorologyTransportRun(model: model, winds: winds)
        run.timeStep = timeStep
        run.outputIntervalSeconds = outputIntervalHours * 3600
        run.initialPPM = initialPPM
        run.duration = hours.map { $0 * 3600 }
        let records = source.recordTimes
        print("transport: \(records.count) meteorology records, \(String(format: "%.1f", ((records.last ?? 0) - (records.first ?? 0)) / 3600)) h, "
              + "on \(grid) (\(transportGrid.latitudeCount)×\(transportGrid.longitudeCount)), \(hybrid.count) layers, Δt = \(timeStep) s, "
              + (fluxes.isEmpty ? "synthetic fluxes" : "fluxes from \(fluxes.count) file(s)"))
        fflush(nil)  // the header before the progress line on stderr
        let summary = try run.run(directory: out, historyLine: CommandLine.arguments.joined(separator: " ")) { done, total, wall in
            FileHandle.standardError.write(Data(String(format: "\rday %.2f / %.2f, %.1f s   ", done, total, wall).utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        if let first = summary.snapshots.first, let last = summary.snapshots.last {
            print(String(format: "global CO2 %.6f → %.6f PgC, applied source %.6f PgC, budget residual %.1e (worst step %.1e)",
                         first.massPgC, last.massPgC, last.appliedSourcePgC, last.relativeResidual, summary.worstStepResidual))
            print(String(format: "mixing ratio %.3f … %.3f (1e-6 kg/kg); air-mass drift ≤ %.1e; TM5 balancing changed ≤ %.2f%% of the column fluxes",
                         last.minimumMixingRatio, last.maximumMixingRatio, summary.worstAirMassDrift, 100 * summary.largestBalancingCorrection))
        }
        print(String(format: "%d steps, %.2f model days in %.1f s: %.2f model days/s", summary.steps, summary.modelDays,
                     summary.wallSeconds, summary.simulatedDaysPerSecond))
        print("wrote \(summary.outputPath)")
        print("wrote \(summary.budgetPath)")
    }
}
