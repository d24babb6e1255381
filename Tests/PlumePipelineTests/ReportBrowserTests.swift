import Foundation
import PlumeIO
import Testing
@testable import PlumePipeline

/// The HTML report of a run, loaded in a real browser (headless Chromium from Debian, which
/// `make test` installs): the page loads without script errors and every figure decodes.
@Suite(.serialized) struct ReportBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func theReportRendersInHeadlessChromiumWithEveryFigure() throws {
        let folder = PipelineEngineTests.folder("report")
        PipelineEngineTests.write("""
            pipeline: report
            description: a weather set and a note, for the report test
            run: run
            cycles: {at: 2000-01-01}
            stages:
              truth:
                uses: generate
                with: {dataset: weather, grid: gaussian-n32, truncation: 21, days: 2, spinup_days: 1, split: "0.5,0.25,0.25",
                       output_grid: latlon5.625, diagnostics: true}
              note:
                uses: text
                after: [truth]
                with: {text: "made {cycle}"}
            """, folder + "/p.yaml")
        let (status, output) = try PipelineEngineTests.plume(["run", folder + "/p.yaml"])
        try #require(status == 0, "\(output)")
        // The stage's netCDF outputs carry the task's provenance, as the catalog records it.
        let attributes = try NetCDFFile(path: folder + "/run/2000010100/truth/weather-test.nc").dataset.attributes
        let row = try #require(try RunCatalog(runFolder: folder + "/run").task(TaskKey(stage: "truth", cycle: "2000-01-01T00:00:00")))
        #expect(attributes["plume_pipeline"]?.text == "report")
        #expect(attributes["plume_stage"]?.text == "truth")
        #expect(attributes["plume_cycle"]?.text == "2000-01-01T00:00:00")
        #expect(attributes["plume_config_sha256"]?.text == row.configHash)
        #expect(attributes["plume_inputs_sha256"]?.text == row.inputsHash)
        let report = folder + "/run/report.html"
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("<td>truth</td>"))
        #expect(html.contains("data-expected-figures=\"3\""))
        let browser = try #require(Self.chromium, "chromium is not installed (make test installs it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0",
                             "--user-data-dir=" + folder + "/chromium-profile", "--virtual-time-budget=10000", "--dump-dom", "file://" + report]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let body = dom.range(of: "<body[^>]*>", options: .regularExpression).map { String(dom[$0]) } ?? ""
        #expect(body.contains("data-ready=\"yes\""), "\(body)")
        #expect(body.contains("data-errors=\"0\""), "\(body)")
        #expect(body.contains("data-figures=\"3\""), "\(body)")
        #expect(body.contains("data-figures-loaded=\"3\""), "\(body)")
        #expect(!log.contains("Uncaught"), "\(log)")
        #expect(dom.contains("weather-kinetic-energy.png"))
        #expect(dom.contains("a weather set and a note, for the report test"))
        // plume report RUN writes it again from the run folder alone.
        let (again, output2) = try PipelineEngineTests.plume(["report", folder + "/run", "--out", folder + "/again.html"])
        #expect(again == 0, "\(output2)")
        let second = try String(contentsOfFile: folder + "/again.html", encoding: .utf8)
        #expect(second.contains("<svg") && second.contains("data-expected-figures=\"3\""))
    }
}
