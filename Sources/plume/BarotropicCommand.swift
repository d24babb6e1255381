import ArgumentParser
import Foundation
import PlumeGrids
import PlumePhysics
import PlumeSupport

/// `plume barotropic`: the equivalent-barotropic forecast from a real analysis.
struct BarotropicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barotropic",
        abstract: "Forecast from a real analysis with the shallow-water model (the equivalent-barotropic forecast).",
        discussion: """
            The analysis (netCDF or GRIB) must be on the model's Gaussian grid (plume regrid \
            --to gaussian-n32 puts any grid there). The height of the --level pressure surface \
            (from z, or gh/zg/h) is the fluid depth; the level's u and v are used when present, \
            otherwise winds in linear balance with the height. Writes u, v, h every \
            --output-hours on --output-grid, record 0 the analysis itself (--days 0 writes the \
            analysis alone, on the output grid with its balanced winds: the verifying truth).
            """)

    @Argument(help: "Analysis file on the model's Gaussian grid.")
    var analysis: String

    @Option(help: "Days to forecast (0: the analysis only).")
    var days: Double

    @Option(help: "Output netCDF file.")
    var out: String

    @Option(help: "Model grid (a regular Gaussian grid).")
    var grid: String = "gaussian-n32"

    @Option(help: "Triangular truncation.")
    var truncation: Int = 42

    @Option(name: .customLong("output-grid"), help: "Grid the fields are written on (default: the model grid).")
    var outputGrid: String?

    @Option(help: "Pressure level, hPa.")
    var level: Double = 500

    @Option(name: .customLong("output-hours"), help: "Hours between written records.")
    var outputHours: Double = 6

    func run() throws {
        guard let model = try GridCatalog.grid(grid) as? GaussianGrid, !model.isReduced else {
            throw ValidationError("--grid \(grid): expected a regular Gaussian grid such as gaussian-n32")
        }
        guard days >= 0, days <= 60 else { throw ValidationError("--days \(days): expected 0 to 60") }
        guard truncation >= 1, truncation + 1 <= 2 * model.n else {
            throw ValidationError("--truncation \(truncation): at most \(2 * model.n - 1) on \(grid)")
        }
        var forecast = BarotropicForecast(modelGrid: model, truncation: truncation, outputGrid: try outputGrid.map { try GridCatalog.grid($0) }, days: days)
        forecast.outputHours = outputHours
        forecast.historyLine = PlumeVersion.commandLine
        let transform = try forecast.transform()
        let state = try BarotropicAnalysis.read(path: analysis, levelHPa: level, latitudes: transform.latitudes.map { $0 * 180 / .pi },
                                                nlon: transform.nlon)
        let wind = try forecast.run(state, to: out)
        print("wrote \(out): \(days) days from \(state.source) at \(state.time) (winds \(state.eastwardWind == nil ? "balanced" : "analysed"); maximum wind \(String(format: "%.1f", wind)) m/s)")
    }
}
