import ArgumentParser
import Foundation
import PlumeIO
import PlumePlot

/// `plume plot`: figures of Plume's outputs.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw figures (PNG) of Plume's outputs.",
        subcommands: [PlotCarbonBenchCommand.self, PlotTransportCommand.self])
}

/// `plume plot carbonbench DIR`: the surface CO2 field and the global CO2 mass time series of
/// a CarbonBench-mini folder (carbonbench-train/val/test.nc).
struct PlotCarbonBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carbonbench",
        abstract: "Surface CO2 map (last snapshot) and global CO2 mass (PgC) over all splits of a CarbonBench-mini folder.")

    @Argument(help: "Folder written by `plume generate carbonbench-mini`.")
    var folder: String

    @Option(help: "Output folder for the PNGs (default: the input folder).")
    var out: String?

    func run() throws {
        let files = ["train", "val", "test"].map { "\(folder)/carbonbench-\($0).nc" }
            .filter { FileManager.default.fileExists(atPath: $0) }
        guard !files.isEmpty else {
            throw ValidationError("\(folder) holds no carbonbench-{train,val,test}.nc")
        }
        try CO2Figures.draw(files: files, prefix: "carbonbench", title: "CarbonBench-mini", target: URL(fileURLWithPath: out ?? folder))
    }
}

/// `plume plot transport DIR`: the same figures for a `plume transport` run (transport.nc).
struct PlotTransportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Surface CO2 map (last output) and global CO2 mass (PgC) of a `plume transport` run.")

    @Argument(help: "Folder written by `plume transport`.")
    var folder: String

    @Option(help: "Output folder for the PNGs (default: the input folder).")
    var out: String?

    func run() throws {
        let path = "\(folder)/transport.nc"
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(folder) holds no transport.nc") }
        try CO2Figures.draw(files: [path], prefix: "transport", title: "Reference transport", target: URL(fileURLWithPath: out ?? folder))
    }
}

/// The surface CO2 map (last time) and the global CO2 mass series of files with
/// `co2massmix` (1e-6 kg kg⁻¹) and `airmass` (Pg), `[time, level, lat, lon]`, `time` in hours.
enum CO2Figures {
    static func draw(files: [String], prefix: String, title: String, target: URL) throws {
        var days: [Double] = [], mass: [Double] = []
        var lastSurface: [Double] = [], latitudes: [Double] = [], longitudes: [Double] = []
        var lastTime = 0.0
        for path in files {
            let file = try NetCDFFile(path: path)
            let q = try file.variable("co2massmix"), m = try file.variable("airmass")
            guard q.shape.count == 4, q.shape == m.shape else {
                throw ValidationError("\(path): 'co2massmix' and 'airmass' must be [time, level, lat, lon], got \(q.shape) and \(m.shape)")
            }
            let (nt, nl, ny, nx) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
            let hours = try file.read("time")
            latitudes = try file.read("lat")
            longitudes = try file.read("lon")
            for t in 0..<nt {
                let slab = Hyperslab(start: [t, 0, 0, 0], count: [1, nl, ny, nx])
                let qt = try file.read("co2massmix", slab), mt = try file.read("airmass", slab)
                // q in 1e-6 kg/kg × m in Pg = 1e6 kg CO2; → PgC.
                let total = zip(qt, mt).reduce(0.0) { $0 + $1.0 * $1.1 } * 1e-6 / 3.664
                days.append(hours[t] / 24)
                mass.append(total)
                if hours[t] >= lastTime {
                    lastTime = hours[t]
                    lastSurface = Array(qt[0..<(ny * nx)]).map { $0 * 28.9652 / 44.009 }  // ppm by volume
                }
            }
        }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let series = LinePlot(series: [LineSeries(x: days, y: mass, label: "global CO2 mass")],
                              title: "\(title): global CO2 mass", xLabel: "model day", yLabel: "PgC")
        try series.write(to: target.appendingPathComponent("\(prefix)-global-mass.png"))
        let map = MapPlot(field: lastSurface, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
                          title: String(format: "Surface CO2, day %.2f", lastTime / 24), units: "ppm",
                          colormap: .yellowOrangeRed)
        try map.write(to: target.appendingPathComponent("\(prefix)-surface-co2.png"))
        print("wrote \(target.path)/\(prefix)-global-mass.png and \(prefix)-surface-co2.png (\(days.count) snapshots, "
              + String(format: "mass %.3f → %.3f PgC)", mass.first ?? 0, mass.last ?? 0))
    }
}
