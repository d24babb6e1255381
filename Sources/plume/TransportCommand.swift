import ArgumentParser
import Foundation
import PlumeSupport
import Synchronization
import PlumeGrids
import PlumePhysics
import PlumeIngest
import PlumeIO
import PlumeCarbonBench

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
            and the vertical fluxes follow from continuity (TM5). A file in CarbonBench's layout \
            (layer-mean u and v with their interface pressures p_bottom and p_top, as plume generate \
            carbonbench-mini writes) is read as layers instead. CO2 starts uniform (--initial-ppm) \
            or from co2massmix of an --init file at --start, and receives the synthetic \
            land/ocean/anthropogenic fluxes, or those of --fluxes files (co2flux_land/ocean/anthro). \
            Writes DIR/transport.nc and DIR/transport-budget.json; transport.nc can be scored by \
            plume evaluate like an emulator rollout (the reference model as a baseline).
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

    @Option(name: .customLong("init"), help: "File with the initial CO2 (co2massmix, [time, level, lat, lon] on --grid and --levels) at --start.")
    var initialFile: String?

    @Option(help: "Start date, ISO 8601 (2004-01-01 or 2004-01-01T06:00), within the meteorology's records (default: the first record).")
    var start: String?

    @Option(name: .customLong("eddy-diffusion"), help: "Horizontal eddy mixing: none, or carbonbench (CarbonBench-mini's: 1e6 m2/s in the tropics, 3e5 m2/s beyond).")
    var eddyDiffusion: String = "none"

    @Option(help: "Name of the run in the output's plume_model attribute (how plume evaluate labels it).")
    var name: String?

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
        let diffusion: HorizontalEddyDiffusion?
        switch eddyDiffusion {
        case "none": diffusion = nil
        case "carbonbench": diffusion = CarbonBenchGenerator.defaultHorizontalDiffusion
        default: throw ValidationError("--eddy-diffusion '\(eddyDiffusion)': expected none or carbonbench")
        }
        let source: any TransportMeteorologySource
        if met.count == 1, LayerMeanMeteorologyFile.holdsLayerMeans(met[0]) {
            source = try LayerMeanMeteorologyFile(path: met[0], grid: transportGrid, levels: hybrid)
        } else {
            source = try TransportMeteorologyFiles(paths: met, grid: transportGrid, levels: hybrid, surfacePressureWhenAbsent: surfacePressure)
        }
        let clock = CFTimeUnits(secondsPerUnit: 1, reference: CFDate(year: source.startYear, month: 1, day: 1), calendar: source.calendar)
        var startTime: Double?
        var startDate = clock.date(source.recordTimes.first ?? 0)
        if let start {
            do { startDate = try CFTimeUnits(units: "hours since \(start)").reference } catch {
                throw ValidationError("--start '\(start)': expected an ISO 8601 date such as 2004-01-01 or 2004-01-01T06:00 (\(error))")
            }
            let time = clock.value(of: startDate)
            guard let first = source.recordTimes.first, let last = source.recordTimes.last, time >= first, time <= last else {
                let range = source.recordTimes.isEmpty ? "none" : "\(clock.date(source.recordTimes[0])) … \(clock.date(source.recordTimes[source.recordTimes.count - 1]))"
                throw ValidationError("--start \(startDate): outside the meteorology's records (\(range))")
            }
            startTime = time
        }
        let winds = try Transport3DMeteorologyWinds(source: source)
        let geometry = try Transport3DGeometry(grid: transportGrid, levels: hybrid)
        var surface: any SurfaceFluxProvider = try SyntheticSurfaceFluxes(grid: transportGrid)
        if !fluxes.isEmpty {
            let loaded = try SurfaceFluxFile.load(paths: fluxes, grid: transportGrid)
            guard loaded.year == source.startYear, TimedFile.compatible(loaded.calendar, source.calendar) else {
                throw ValidationError("--fluxes: model time starts on 1 January \(loaded.year) (\(loaded.calendar.rawValue)) for the fluxes but on 1 January "
                    + "\(source.startYear) (\(source.calendar.rawValue)) for the meteorology (expected files whose first records fall in the same year and calendar)")
            }
            surface = loaded.fluxes
        }
        var model = try Transport3DModel(geometry: geometry, winds: winds, surfaceFluxes: surface)
        model.horizontalDiffusion = diffusion
        var run = MeteorologyTransportRun(model: model, winds: winds)
        run.timeStep = timeStep
        run.outputIntervalSeconds = outputIntervalHours * 3600
        run.initialPPM = initialPPM
        run.duration = hours.map { $0 * 3600 }
        run.startTime = startTime
        run.label = name ?? "reference transport \(grid)"
        if let initialFile {
            let degrees = 180 / Double.pi
            run.initialMixingRatio = try TransportInitialState.read(
                path: initialFile, date: startDate,
                latitudes: (0..<transportGrid.latitudeCount).map { transportGrid.centreLatitude(row: $0) * degrees },
                longitudes: (0..<transportGrid.longitudeCount).map { transportGrid.centreLongitude(column: $0) * degrees },
                levels: hybrid.count)
        }
        let records = source.recordTimes
        print("transport: \(records.count) meteorology records, \(String(format: "%.1f", ((records.last ?? 0) - (records.first ?? 0)) / 3600)) h, "
              + "on \(grid) (\(transportGrid.latitudeCount)×\(transportGrid.longitudeCount)), \(hybrid.count) layers, Δt = \(timeStep) s, "
              + (fluxes.isEmpty ? "synthetic fluxes" : "fluxes from \(fluxes.count) file(s)"))
        fflush(nil)  // the header before the progress line on stderr
        // A line rewritten in place on a terminal; every tenth of the run otherwise (logs).
        let interactive = isatty(STDERR_FILENO) != 0
        let lastTenth = Mutex(-1)
        let summary = try run.run(directory: out, historyLine: PlumeVersion.commandLine) { done, total, wall in
            let text = String(format: "day %.2f / %.2f, %.1f s", done, total, wall)
            if interactive {
                FileHandle.standardError.write(Data("\r\(text)   ".utf8))
            } else {
                let tenth = Int((10 * done / max(total, 1e-9)).rounded(.down))
                let isNew = lastTenth.withLock { last in
                    defer { last = max(last, tenth) }
                    return tenth > last
                }
                if isNew { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            }
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
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
