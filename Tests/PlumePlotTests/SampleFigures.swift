import Foundation
import PlumePlot
import Testing

/// Writes the sample figures and checks each is a PNG of the default size. They go to a
/// scratch folder (removed after), or, for a person to look at, to the folder that
/// PLUME_PLOT_SAMPLES names; the 0.25° map is drawn only then.
@Test("sample figures")
func sampleFigures() throws {
    let requested = ProcessInfo.processInfo.environment["PLUME_PLOT_SAMPLES"]
    let out = try requested.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? makeScratchFolder()
    defer { if requested == nil { try? FileManager.default.removeItem(at: out) } }
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    // A Galewsky-like vorticity field on a 1° grid: a jet at 45°N with a perturbation.
    let latitudes = (0...180).map { -90 + Double($0) }
    let longitudes = (0..<360).map(Double.init)
    let field = latitudes.flatMap { lat in
        longitudes.map { lon in
            let jet = -2e-4 * (lat - 45) / 5 * exp(-pow((lat - 45) / 5, 2))
            let wave = 5e-5 * exp(-pow((lat - 45) / 8, 2)) * sin(6 * lon * .pi / 180)
            return jet + wave
        }
    }
    try MapPlot(
        field: field, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
        title: "Relative vorticity, day 6", units: "s⁻¹", colormap: .blueWhiteRed
    ).write(to: out.appendingPathComponent("vorticity.png"))
    let days = (0...120).map { Double($0) / 20 }
    try LinePlot(
        series: [
            LineSeries(x: days, y: days.map { 1.2e6 * (1 - 0.01 * $0) }, label: "Plume"),
            LineSeries(x: days, y: days.map { 1.2e6 * (1 - 0.012 * $0) }, label: "reference", dash: .dashed),
        ],
        title: "Global kinetic energy", xLabel: "day", yLabel: "KE (J m⁻²)"
    ).write(to: out.appendingPathComponent("kinetic-energy.png"))
    try LinePlot(
        series: [LineSeries(x: days, y: days.map { 1e-3 * exp(1.5 * $0) }, label: "RMSE")],
        title: "Error growth", xLabel: "day", yLabel: "RMSE (m s⁻¹)", logY: true,
        legend: .bottomRight
    ).write(to: out.appendingPathComponent("error-growth.png"))
    // Seven curves that fill every corner: the legend goes to the right of the plot.
    try LinePlot(
        series: (0..<7).map { k in
            LineSeries(x: days, y: days.map { exp(-Double(k) * $0 / 4) }, label: "series \(k) with a long name",
                       dash: k > 4 ? .dashed : .solid)
        },
        title: "R² by lead", xLabel: "lead (days)", yLabel: "R²", legend: .outsideRight
    ).write(to: out.appendingPathComponent("lead-curves.png"))
    for (name, expected) in [("vorticity.png", PlotSize.map), ("kinetic-energy.png", .line), ("error-growth.png", .line),
                             ("lead-curves.png", .line)] {
        let size = try pngSize(of: out.appendingPathComponent(name))
        #expect(size.width == expected.width && size.height == expected.height, "\(name): \(size)")
    }
    // A 0.25° sequential map (CO2-like), timed.
    guard requested != nil else { return }
    let fineLatitudes = (0...720).map { 90 - 0.25 * Double($0) }
    let fineLongitudes = (0..<1440).map { -180 + 0.25 * Double($0) }
    let co2 = fineLatitudes.flatMap { (lat: Double) -> [Double] in
        let meridional: Double = 410 + 8 * sin(lat * Double.pi / 180)
        return fineLongitudes.map { (lon: Double) -> Double in
            meridional + 2 * cos(3 * lon * Double.pi / 180)
        }
    }
    let start = Date()
    try MapPlot(
        field: co2, latitudesDegrees: fineLatitudes, longitudesDegrees: fineLongitudes,
        title: "CO2 column", units: "ppm", colormap: .yellowOrangeRed
    ).write(to: out.appendingPathComponent("co2-quarter-degree.png"))
    print("0.25° map (721 × 1440) took \(Date().timeIntervalSince(start)) s")
    let u = latitudes.map { lat in lat > 20 && lat < 70 ? 80 * exp(-pow((lat - 45) / 8, 2)) : 0 }
    try LinePlot.zonalMeanProfiles(
        latitudesDegrees: latitudes,
        profiles: [(label: "day 0", values: u), (label: "day 6", values: u.map { $0 * 0.9 })],
        valueLabel: "u (m s⁻¹)", title: "Zonal-mean zonal wind"
    ).write(to: out.appendingPathComponent("zonal-wind.png"))
}
