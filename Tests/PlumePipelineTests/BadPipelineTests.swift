import Foundation
import PlumeEmulators
import Testing
@testable import PlumePipeline

/// Malformed pipeline files: each gives a clear message naming the file and the line, and
/// nothing is run or written.
@Suite struct BadPipelineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A folder with models/demo.yaml (a copy of the demo CO2 model) and a checkpoint
    /// header for another grid, for pipelines written into it.
    static let folder: String = {
        let folder = NSTemporaryDirectory() + "plume-bad-pipelines-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        let model = root + "/Pipelines/models/demo-unet-co2.yaml"
        try? FileManager.default.removeItem(atPath: folder + "/models/demo.yaml")
        try? FileManager.default.copyItem(atPath: model, toPath: folder + "/models/demo.yaml")
        // A checkpoint (header only) of the same model on latlon2.8125.
        if var definition = try? ModelFile.load(path: model).definition {
            definition.grid = "latlon2.8125"
            let info = EmulatorCheckpointInfo(
                definition: definition, statistics: NormalisationStatistics(variables: [:], deltas: [:], records: 0),
                grid: EmulatorGrid.regular(rows: 64, columns: 128), levels: ["co2massmix": 10],
                trainingData: TrainingDataDescription(trainFile: "x", validationFile: nil, records: 0, firstTime: "", lastTime: "", source: nil),
                plumeVersion: "test")
            let infoText = String(decoding: (try? JSONEncoder().encode(info)) ?? Data(), as: UTF8.self)
            let header = (try? JSONSerialization.data(withJSONObject: ["__metadata__": ["plume": infoText]])) ?? Data()
            var length = UInt64(header.count).littleEndian
            let data = Data(bytes: &length, count: 8) + header
            _ = FileManager.default.createFile(atPath: folder + "/models/midres.safetensors", contents: data)
        }
        _ = FileManager.default.createFile(atPath: folder + "/init.nc", contents: Data("not used".utf8))
        return folder
    }()

    static let good = """
        pipeline: bad
        run: run
        cycles: {from: 2000-01-01, to: 2000-01-03, step: P1D}
        stages:
          data:
            uses: generate
            when: once
            with: {dataset: carbonbench-mini, days: 12}
          train:
            uses: train
            when: once
            with: {model: models/demo.yaml, data: "${data}"}
          rollout:
            uses: rollout
            with: {checkpoint: "${train}/best.safetensors", init: "${data}/carbonbench-test.nc", days: 2}

        """

    /// Writes `text` as a pipeline file and loads it; returns the issues.
    static func issues(_ text: String, name: String) -> [PipelineIssue] {
        let path = folder + "/\(name).yaml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        do {
            _ = try PipelineFile.load(path: path)
            return []
        } catch {
            if case .invalidPipeline(let issues) = error { return issues }
            return [PipelineIssue(file: path, line: nil, message: "unexpected error \(error)")]
        }
    }

    /// `good` with `old` replaced by `new`.
    static func variant(_ old: String, _ new: String) -> String {
        precondition(good.contains(old), "no '\(old)' in the good pipeline")
        return good.replacingOccurrences(of: old, with: new)
    }

    @Test func theGoodPipelineLoads() throws {
        #expect(Self.issues(Self.good, name: "good").isEmpty)
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var text: String
        var line: Int?
        var message: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown-stage-kind", text: variant("uses: train", "uses: trian"), line: 10,
             message: "unknown stage kind 'trian' (did you mean 'train'?); expected one of generate, ingest, regrid, train"),
        Case(name: "wrong-type", text: variant("days: 2}", "days: two}"), line: 15, message: "with.days: expected a number, found 'two'"),
        Case(name: "missing-input-file", text: variant("models/demo.yaml", "models/missing.yaml"), line: 12,
             message: "with.model: input file \(folder)/models/missing.yaml does not exist"),
        Case(name: "reversed-range", text: variant("from: 2000-01-01, to: 2000-01-03", "from: 2000-01-03, to: 2000-01-01"), line: 3,
             message: "cycles: "),
        Case(name: "unknown-grid", text: variant("days: 12}", "days: 12, grid: latlon7}"), line: 8, message: "unknown grid 'latlon7'"),
        Case(name: "checkpoint-for-another-grid",
             text: variant("checkpoint: \"${train}/best.safetensors\"", "checkpoint: models/midres.safetensors"), line: 15,
             message: "the initial state is on latlon5.625, the checkpoint is for latlon2.8125"),
        Case(name: "model-for-another-grid", text: variant("days: 12}", "days: 12, grid: latlon2.8125}"), line: 12,
             message: "the model \(folder)/models/demo.yaml is on latlon5.625, its data on latlon2.8125"),
        Case(name: "template-escapes-run-folder", text: variant("days: 2}", "days: 2}\n    out: \"../../{cycle:%Y}/x.nc\""), line: 13,
             message: "leaves the run folder"),
        Case(name: "dependency-cycle", text: variant("data: \"${data}\"}", "data: \"${rollout}\"}").replacingOccurrences(of: "    when: once\n    with: {model", with: "    with: {model"),
             line: nil, message: "dependency cycle"),
        Case(name: "unknown-top-level-key", text: variant("stages:", "stagse:"), line: 4, message: "unknown key 'stagse' (did you mean 'stages'?)"),
        Case(name: "unknown-parameter", text: variant("days: 2}", "dayz: 2}"), line: 15, message: "unknown parameter 'dayz' (did you mean 'days'?)"),
        Case(name: "unknown-stage-reference", text: variant("\"${train}/best", "\"${trian}/best"), line: 15,
             message: "unknown stage 'trian' (did you mean 'train'?)"),
        Case(name: "cycle-before-the-first", text: variant("init: \"${data}/carbonbench-test.nc\"", "init: \"${rollout[-1]}\""), line: 13,
             message: "names a cycle before the first one"),
        Case(name: "yaml-syntax", text: variant("with: {dataset: carbonbench-mini, days: 12}", "with: {dataset: carbonbench-mini, days: 12"), line: nil,
             message: "not valid YAML"),
        Case(name: "bad-step", text: variant("step: P1D", "step: 1D"), line: 3, message: "cycles.step: expected an ISO 8601 period"),
        Case(name: "bad-date", text: variant("from: 2000-01-01", "from: 2000-13-01"), line: 3, message: "cycles.from: expected an ISO 8601 date"),
        Case(name: "member-without-members", text: variant("days: 2}", "days: 2}\n    out: \"r-{member}.nc\""), line: 13, message: "uses {member}, but has no members"),
        Case(name: "once-uses-each", text: variant("data: \"${data}\"}", "data: \"${rollout}\"}"), line: 12,
             message: "a stage that runs once before the cycles cannot use 'rollout', which runs in each cycle"),
        Case(name: "bad-choice", text: variant("dataset: carbonbench-mini", "dataset: era5"), line: 8,
             message: "with.dataset: expected one of carbonbench-mini, weather, found 'era5'"),
        Case(name: "missing-parameter", text: variant("checkpoint: \"${train}/best.safetensors\", ", ""), line: 15, message: "missing parameter 'checkpoint'"),
        Case(name: "leg-without-days", text: variant("cycles: {from: 2000-01-01, to: 2000-01-03, step: P1D}", "cycles: {at: 2000-01-01}").replacingOccurrences(of: ", days: 2}", with: "}"),
             line: 13, message: "needed: the cycles have no next point to run to"),
        Case(name: "same-output", text: variant("days: 2}", "days: 2}\n    out: \"{cycle:%Y%m%d%H}/x.nc\"") + "  other:\n    uses: text\n    with: {text: hi}\n    out: \"{cycle:%Y%m%d%H}/x.nc\"\n",
             line: nil, message: "is also the output of stage"),
    ]

    @Test(arguments: cases) func eachGivesOneClearMessage(_ c: Case) throws {
        let found = Self.issues(c.text, name: c.name)
        try #require(found.count == 1, "\(c.name): \(found)")
        let issue = found[0]
        #expect(issue.file == Self.folder + "/\(c.name).yaml")
        #expect(issue.message.contains(c.message), "\(c.name): \(issue.message)")
        if let line = c.line { #expect(issue.line == line, "\(c.name): line \(String(describing: issue.line)) for \(issue.message)") }
        #expect(issue.description.hasPrefix(Self.folder + "/\(c.name).yaml:"))
    }

    @Test func everyProblemIsReportedAtOnce() {
        let text = Self.variant("uses: train", "uses: trian")
            .replacingOccurrences(of: "days: 2}", with: "dayz: 2}")
            .replacingOccurrences(of: "stages:", with: "stages:\n  x:\n    uses: text\n    with: {text: 3, colour: red}")
        let found = Self.issues(text, name: "many")
        #expect(found.count == 3, "\(found)")
        #expect(found.contains { $0.message.contains("trian") })
        #expect(found.contains { $0.message.contains("dayz") })
        #expect(found.contains { $0.message.contains("colour") })
    }

    /// Through the command line: exit status 2, the message with file and line, and a run
    /// folder whose catalog is left byte for byte as it was.
    @Test func aBadPipelineLeavesTheCatalogUntouched() throws {
        let folder = Self.folder + "/cli"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let good = "pipeline: cli\nrun: run\ncycles: {at: 2000-01-01}\nstages:\n  note:\n    uses: text\n    with: {text: hello}\n"
        _ = FileManager.default.createFile(atPath: folder + "/p.yaml", contents: Data(good.utf8))
        let (ok, okOutput) = try PipelineEngineTests.plume(["run", folder + "/p.yaml"])
        try #require(ok == 0, "\(okOutput)")
        let catalog = folder + "/run/.plume/catalog.sqlite"
        func bytes() -> [Data?] { ["", "-wal", "-shm"].map { FileManager.default.contents(atPath: catalog + $0) } }
        let before = bytes()
        let bad = good.replacingOccurrences(of: "uses: text", with: "uses: txet")
        _ = FileManager.default.createFile(atPath: folder + "/p.yaml", contents: Data(bad.utf8))
        let (status, output) = try PipelineEngineTests.plume(["run", folder + "/p.yaml"])
        #expect(status == PipelineExit.invalid)
        #expect(output.contains(folder + "/p.yaml:6: error: stage 'note': unknown stage kind 'txet' (did you mean 'text'?)"), "\(output)")
        #expect(bytes() == before)
    }
}
