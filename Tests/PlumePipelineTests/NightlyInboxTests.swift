import Foundation
import Testing
@testable import PlumePipeline

/// Pipelines/nightly-forecast.yaml on real analyses: three ERA5 500 hPa analyses of the
/// sample file (GRIB, 3° grid, 12 hours apart) dropped into the inbox one after another.
/// Each run forecasts only from the new analysis, and the verification gains the leads the
/// new analysis verifies.
@Suite(.serialized) struct NightlyInboxTests {
    static let sample = PipelineEngineTests.root + "/.cache/sample-data/era5-levels-members.grib"

    /// The forecast rows of the verification table: (variable, lead) → rollouts verified.
    static func verifiedCounts(_ folder: String) throws -> [String: Int] {
        let text = try String(contentsOfFile: folder + "/verification/scores.md", encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| shallow-water-barotropic |") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            counts[cells[1] + "@" + cells[2]] = Int(cells[cells.count - 1])
        }
        return counts
    }

    @Test func eachRunForecastsFromTheNewAnalysisAndVerificationGrowsAsAnalysesArrive() throws {
        try #require(FileManager.default.fileExists(atPath: Self.sample), "make samples fetches the ERA5 sample")
        let folder = PipelineEngineTests.folder("nightly")
        let inbox = folder + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        var text = try String(contentsOfFile: PipelineEngineTests.root + "/Pipelines/nightly-forecast.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "inbox: ../inbox/analyses", with: "inbox: inbox")
            .replacingOccurrences(of: "run: ../out/nightly-forecast", with: "run: run")
            .replacingOccurrences(of: "days: 5,", with: "days: 1,")
        PipelineEngineTests.write(text, folder + "/nightly.yaml")

        // Three analyses (member 0) as separate GRIB files, with ecCodes' grib_copy.
        let times = [("20170101", "0"), ("20170101", "1200"), ("20170102", "0")]
        func drop(_ i: Int) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/grib_copy")
            process.arguments = ["-w", "dataDate=\(times[i].0),dataTime=\(times[i].1),number=0", Self.sample, inbox + "/analysis-\(i).grib"]
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0)
        }
        func run() throws -> String {
            let (status, output) = try PipelineEngineTests.plume(["run", folder + "/nightly.yaml"])
            try #require(status == 0, "\(output)")
            return output
        }

        // An empty inbox: nothing to do, and no error.
        let empty = try run()
        #expect(empty.contains("no cycles yet: the inbox holds no analysis"), "\(empty)")

        try drop(0)
        let first = try run()
        #expect(first.contains("done     forecast 2017-01-01T00:00:00"))
        var counts = try Self.verifiedCounts(folder + "/run")
        #expect(counts["h@0.5"] == 0)

        try drop(1)
        let second = try run()
        #expect(!second.contains("forecast 2017-01-01T00:00:00 ("), "the first forecast ran again: \(second)")
        #expect(second.contains("done     forecast 2017-01-01T12:00:00"))
        counts = try Self.verifiedCounts(folder + "/run")
        #expect(counts["h@0.5"] == 1)
        #expect(counts["h@1"] == 0)

        try drop(2)
        _ = try run()
        counts = try Self.verifiedCounts(folder + "/run")
        #expect(counts["h@0.5"] == 2)
        #expect(counts["h@1"] == 1)
        #expect(counts["u@1"] == 1)

        // Nothing new: nothing runs.
        let idle = try run()
        #expect(idle.contains("0 ran"), "\(idle)")
        let catalog = try RunCatalog(runFolder: folder + "/run")
        let forecasts = try catalog.tasks().filter { $0.stage == "forecast" }
        #expect(forecasts.map(\.cycle) == ["2017-01-01T00:00:00", "2017-01-01T12:00:00", "2017-01-02T00:00:00"])
        #expect(forecasts.allSatisfy { $0.attempts == 1 && $0.state == "done" })
        // The forecast is CF netCDF on latlon5.625 from the analysis time.
        let header = try String(contentsOfFile: folder + "/run/2017010112/forecast.nc", encoding: .isoLatin1)
        #expect(header.contains("hours since 2017-01-01 12:00:00"))
    }
}
