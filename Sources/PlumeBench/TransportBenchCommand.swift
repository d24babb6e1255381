import ArgumentParser
import Foundation
import PlumeGrids
import PlumePhysics

/// `plume bench transport`: runs the 3D reference transport model (analytic winds, synthetic
/// surface fluxes, boundary-layer and convective mixing) for N days and reports its
/// invariants after every step — the worst relative budget residual |ΔM − S|/M of each
/// tracer, the minimum mixing ratio, the deviation of the uniform tracer — and its speed in
/// simulated days per wall-clock second (issue 6, acceptance 2 and 4).
struct TransportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "3D reference transport model: budget residual, minimum, uniform field, simulated days per second.")

    @Option(help: "Grid: latlon5.625 (LowRes), latlon2x3 (OrigRes), or any global lat-lon catalogue grid without pole points.")
    var grid: String = "latlon5.625"

    @Option(help: "Layers: l10, l20 (CarbonBench's groupings of the TM5 layers) or tm5-34 (also 10, 20, 34).")
    var levels: String = "l10"

    @Option(help: "Simulated days.")
    var days: Double = 10

    @Option(help: "Time step, s.")
    var dt: Double = 3600

    @Option(help: "Tracers, comma-separated: co2, uniform, fossil, biosphere.")
    var tracers: String = "co2,uniform,fossil,biosphere"

    @Option(help: "Winds: streamfunction (analytic, non-divergent) or balanced (a rotating surface-pressure bump with sheared winds through the file-wind path: TM5 balancing, vertical fluxes from continuity).")
    var winds: String = "streamfunction"

    @Option(help: "markdown or json.")
    var format: String = "markdown"

    @Flag(help: "Print progress every 10 simulated days to stderr.")
    var progress = false

    func validate() throws {
        guard days > 0, days.isFinite else { throw ValidationError("--days must be positive") }
        guard dt > 0, dt.isFinite, dt <= 86_400 else { throw ValidationError("--dt must be in (0, 86400] s") }
        do { _ = try Transport3DGeometry.carbonBenchLevels(named: levels) } catch { throw ValidationError("--\(error)") }
        guard winds == "streamfunction" || winds == "balanced" else { throw ValidationError("--winds must be streamfunction or balanced") }
        guard format == "markdown" || format == "json" else { throw ValidationError("--format must be markdown or json") }
        for t in tracers.split(separator: ",") where Transport3DBenchTracer(rawValue: String(t)) == nil {
            throw ValidationError("unknown tracer '\(t)' (co2, uniform, fossil, biosphere)")
        }
    }

    func run() throws {
        guard let latlon = try GridCatalog.resolve(grid) as? RegularLatLonGrid else {
            throw ValidationError("\(grid) is not a regular lat-lon grid")
        }
        let transportGrid = try TransportGrid(latlon)
        let hybrid = try Transport3DGeometry.carbonBenchLevels(named: levels)
        let chosen = tracers.split(separator: ",").compactMap { Transport3DBenchTracer(rawValue: String($0)) }
        let steps = max(1, Int((days * 86_400 / dt).rounded()))
        let interval = max(1, Int((10 * 86_400 / dt).rounded()))
        var provider: any Transport3DWindProvider = Transport3DAnalyticWinds()
        if winds == "balanced" {
            var source = RotatingSurfacePressureMeteorology(grid: transportGrid, levels: hybrid,
                                                            hours: Int((Double(steps) * dt / 21_600).rounded(.up)) * 6 + 6)
            source.shear = 1.5
            provider = try Transport3DMeteorologyWinds(source: source)
        }
        let result = try Transport3DBenchmark.run(
            grid: transportGrid, gridName: grid + (winds == "balanced" ? " (balanced file-style winds)" : ""), levels: hybrid, steps: steps,
            timeStep: dt, tracers: chosen, winds: provider, progressInterval: progress ? interval : 0
        ) { step, total in
            FileHandle.standardError.write(Data("  step \(step)/\(total) (day \(Double(step) * dt / 86_400))\n".utf8))
        }
        if format == "json" { printJSON(result) } else { printMarkdown(result) }
    }

    private func e(_ x: Double) -> String { String(format: "%.1e", x) }

    private func printMarkdown(_ r: Transport3DRunResult) {
        print("\n### \(r.gridName) (\(r.latitudeCount)×\(r.longitudeCount)), \(r.levelCount) layers (\(r.levelsName)), "
            + "Δt = \(Int(r.timeStep)) s, \(String(format: "%g", r.simulatedDays)) days\n")
        print("| tracer | initial mass (kg) | final mass (kg) | applied source (kg) | clipped uptake (kg) | worst step residual (relative) | worst step residual (kg) | min q (kg/kg) | max q (kg/kg) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for (t, tracer) in r.tracers.enumerated() {
            print("| \(tracer.rawValue) | \(String(format: "%.6e", r.initialMass[t])) | \(String(format: "%.6e", r.finalMass[t])) | "
                + "\(String(format: "%.6e", r.appliedSource[t])) | \(e(r.clippedUptake[t])) | \(e(r.worstRelativeResidual[t])) | "
                + "\(e(r.worstAbsoluteResidual[t])) | \(e(r.minimumMixingRatio[t])) | \(e(r.maximumMixingRatio[t])) |")
        }
        print("")
        print("- steps: \(r.steps) (horizontal sub-steps in all: \(r.substeps)); worst air-mass difference from the expected (relative): \(e(r.worstAirMassDrift))")
        if !r.uniformDeviation.isNaN { print("- uniform tracer: max |q/q₀ − 1| over all cells and steps: \(e(r.uniformDeviation))") }
        print("- land fraction of the mask: \(String(format: "%.3f", r.landFraction))")
        print("- wall clock: \(String(format: "%.2f", r.stepSeconds)) s in the model steps, \(String(format: "%.2f", r.totalSeconds)) s in all; "
            + "**\(String(format: "%.2f", r.simulatedDaysPerSecond)) simulated days per second** (\(r.tracers.count) tracer\(r.tracers.count == 1 ? "" : "s"))")
    }

    private func printJSON(_ r: Transport3DRunResult) {
        func list(_ v: [Double]) -> String { "[" + v.map { "\($0)" }.joined(separator: ",") + "]" }
        let names = "[" + r.tracers.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
        print("{\"grid\":\"\(r.gridName)\",\"nlat\":\(r.latitudeCount),\"nlon\":\(r.longitudeCount),\"levels\":\(r.levelCount),"
            + "\"dt\":\(r.timeStep),\"steps\":\(r.steps),\"days\":\(r.simulatedDays),\"substeps\":\(r.substeps),\"tracers\":\(names),"
            + "\"worst_relative_residual\":\(list(r.worstRelativeResidual)),\"worst_residual_kg\":\(list(r.worstAbsoluteResidual)),"
            + "\"min\":\(list(r.minimumMixingRatio)),\"max\":\(list(r.maximumMixingRatio)),\"uniform_deviation\":\(r.uniformDeviation),"
            + "\"initial_mass\":\(list(r.initialMass)),\"final_mass\":\(list(r.finalMass)),\"applied_source\":\(list(r.appliedSource)),"
            + "\"clipped_uptake\":\(list(r.clippedUptake)),\"air_mass_drift\":\(r.worstAirMassDrift),\"step_s\":\(r.stepSeconds),"
            + "\"total_s\":\(r.totalSeconds),\"days_per_s\":\(r.simulatedDaysPerSecond)}")
    }
}
