import Foundation
import PlumePlot
import PlumeSupport

/// The files of one `plume evaluate` run, each written under a temporary name and renamed
/// into place only once all are complete: after an error nothing is left under the output
/// names (a failure of the final renames themselves removes the files already renamed).
final class EvaluationOutputs {
    let folder: String
    private var pending: [PendingFile] = []
    private let createdFolder: Bool

    init(folder: String) throws {
        self.folder = folder
        var isDirectory: ObjCBool = false
        createdFolder = !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory)
        if !createdFolder && !isDirectory.boolValue { throw AtomicWriteError(file: folder, reason: "exists and is not a folder") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Writes `text` as `name` (pending).
    func text(_ name: String, _ text: String) throws {
        let file = try PendingFile(destination: folder + "/" + name)
        pending.append(file)
        try file.append(Data(text.utf8))
    }

    /// Draws a plot into `name` (pending).
    func plot(_ name: String, _ draw: (URL) throws -> Void) throws {
        let file = try PendingFile(destination: folder + "/" + name)
        pending.append(file)
        try draw(URL(fileURLWithPath: file.temporaryPath))
    }

    var names: [String] { pending.map { URL(fileURLWithPath: $0.destination).lastPathComponent } }

    /// Renames every file into place.
    func commit() throws {
        var done: [String] = []
        do {
            for file in pending {
                try file.commit()
                done.append(file.destination)
            }
        } catch {
            for path in done { try? FileManager.default.removeItem(atPath: path) }
            discard()
            throw error
        }
    }

    /// Removes every temporary file (and the folder when this run created it and it is empty).
    func discard() {
        for file in pending { file.discard() }
        if createdFolder, let left = try? FileManager.default.contentsOfDirectory(atPath: folder), left.isEmpty {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}

/// Formatting and plotting shared by the CO2 and weather reports.
enum EvaluationReport {
    static func format(_ x: Double?, _ digits: Int = 4) -> String {
        guard let x, x.isFinite else { return "—" }
        if x != 0 && (abs(x) < 1e-3 || abs(x) >= 1e5) { return String(format: "%.\(digits - 1)e", x) }
        return String(format: "%.\(digits)f", x)
    }

    static func days(_ x: Double) -> String {
        x == x.rounded() ? String(format: "%.0f", x) : String(format: "%g", x)
    }

    /// A line plot of curves against lead (days), skipping curves with no finite value.
    static func leadPlot(_ curves: [(label: String, leadDays: [Double], values: [Double])], title: String, yLabel: String,
                         to url: URL) throws {
        let baselines: Set<String> = ["persistence", "fluxes only", "climatology"]
        let series = curves.filter { $0.values.contains { $0.isFinite } }.map { c in
            LineSeries(x: c.leadDays, y: c.values, label: c.label, dash: baselines.contains(c.label) ? .dashed : .solid)
        }
        guard !series.isEmpty else {
            throw PlotError.invalidInput(path: url.path, reason: "no finite value to plot for \(title)")
        }
        try LinePlot(series: series, title: title, xLabel: "lead (days)", yLabel: yLabel, legend: .outsideRight).write(to: url)
    }

    /// Truth, prediction and difference maps of one field with a shared colour range.
    static func maps(outputs: EvaluationOutputs, prefix: String, truth: [Double], predicted: [Double], latitudes: [Double],
                     longitudes: [Double], what: String, units: String) throws {
        let finite = (truth + predicted).filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        let range: ClosedRange<Double>? = low < high ? low...high : nil
        for (suffix, field, label) in [("truth", truth, "truth"), ("rollout", predicted, "rollout")] {
            try outputs.plot("\(prefix)-\(suffix).png") { url in
                try MapPlot(field: field, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
                            title: "\(what), \(label)", units: units, colormap: .viridis, valueRange: range).write(to: url)
            }
        }
        try outputs.plot("\(prefix)-difference.png") { url in
            try MapPlot(field: zip(predicted, truth).map { $0 - $1 }, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
                        title: "\(what), rollout − truth", units: units, colormap: .blueWhiteRed).write(to: url)
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
