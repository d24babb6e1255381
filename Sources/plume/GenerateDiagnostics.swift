import Foundation
import PlumeSupport
import PlumeIO
import PlumePhysics
import PlumePlot
import Torch

/// The diagnostics files of `plume generate weather --diagnostics`, in the output folder:
/// - `weather-diagnostics.csv` and `weather-diagnostics.nc`: daily global kinetic energy
///   (m² s⁻²), total volume (m³) and maximum wind (m s⁻¹), spin-up included (days ≤ 0), and
///   the time-mean zonal-mean u of the recorded period (m s⁻¹ per latitude);
/// - `weather-kinetic-energy.png`: the kinetic-energy time series;
/// - `weather-zonal-mean-u.png`: the time-mean zonal-mean u profile (with the equilibrium jets);
/// - `weather-vorticity-final.png`: a map of the relative vorticity at the end of the run.
enum GenerateDiagnostics {
    /// Writes the files and returns their paths.
    static func write(summary: WeatherGenerator.Summary, generator: WeatherGenerator, to directory: String) throws -> [String] {
        let d = summary.diagnostics
        let prefix = generator.filePrefix
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent("\(prefix)-\(name)") }
        var written: [String] = []

        let csv = path("diagnostics.csv")
        try AtomicFile.write(text: d.csv, to: csv)
        written.append(csv)

        let nc = path("diagnostics.nc")
        try NetCDFWriter(historyLine: generator.historyLine).write(d.dataset(attributes: generator.globalAttributes(output: nil)), to: nc)
        written.append(nc)

        let ke = path("kinetic-energy.png")
        let plot = LinePlot(series: [LineSeries(x: d.days, y: d.kineticEnergy, label: "global mean KE")],
                            title: "Kinetic energy, T\(generator.configuration.truncation) forced-dissipative shallow water (spin-up: day ≤ 0)",
                            xLabel: "model day", yLabel: "KE per unit mass (m² s⁻²)", legend: .bottomRight)
        try plot.write(to: URL(fileURLWithPath: ke))
        written.append(ke)

        if !d.zonalMeanWind.isEmpty {
            let profile = path("zonal-mean-u.png")
            let equilibrium = ZonalJetEquilibrium(generator.configuration)
            let target = d.latitudes.map { equilibrium.wind(latitude: $0 * .pi / 180) }
            let days = String(format: "%g", generator.days)
            let zonal = LinePlot.zonalMeanProfiles(
                latitudesDegrees: d.latitudes,
                profiles: [(label: "time mean, \(days) days", values: d.zonalMeanWind), (label: "relaxation jets", values: target)],
                valueLabel: "zonal-mean u (m s⁻¹)", title: "Zonal-mean zonal wind")
            try zonal.write(to: URL(fileURLWithPath: profile))
            written.append(profile)
        }

        let map = path("vorticity-final.png")
        let model = summary.model
        let vorticity = try model.model.gridFields(summary.finalState).vorticity.contiguous().toArray(of: Double.self)
        let limit = (vorticity.map { abs($0) }.max() ?? 1) * 0.8
        let plotMap = MapPlot(field: vorticity.map { $0 * 1e5 }, latitudesDegrees: model.latitudesDegrees,
                              longitudesDegrees: model.longitudesDegrees,
                              title: String(format: "Relative vorticity, day %g", generator.days), units: "10⁻⁵ s⁻¹",
                              colormap: .blueWhiteRed, valueRange: (-limit * 1e5)...(limit * 1e5))
        try plotMap.write(to: URL(fileURLWithPath: map))
        written.append(map)
        return written
    }
}
