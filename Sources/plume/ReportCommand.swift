import ArgumentParser
import Foundation
import PlumePipeline
import PlumeSupport

/// `plume report`: the HTML page of a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's HTML report: the plan as a graph, the status table, the verification tables and the figures, in one self-contained page.")

    @Argument(help: "Run folder, or the pipeline file of the run.")
    var target: String

    @Option(name: .customLong("run-folder"), help: "With a pipeline file: the run folder (default: the pipeline's run:).")
    var runFolder: String?

    @Option(help: "Output HTML file (default: RUN/report.html).")
    var out: String?

    func run() throws {
        var isFolder: ObjCBool = false
        let definition: PipelineDefinition
        if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue {
            // A run folder: the pipeline as it was run (RUN/.plume/pipeline.yaml).
            let folder = URL(fileURLWithPath: target).standardizedFileURL.path
            guard let text = FileManager.default.contents(atPath: folder + "/.plume/pipeline.yaml") else {
                throw ValidationError("\(folder): not a run folder (no .plume/pipeline.yaml; has plume run run there?)")
            }
            let original = (try? String(contentsOfFile: folder + "/.plume/pipeline-path", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? folder + "/.plume/pipeline.yaml"
            definition = try PipelineFile.parse(String(decoding: text, as: UTF8.self), path: original, runFolder: folder)
        } else {
            definition = try PipelineFile.parse(String(decoding: FileManager.default.contents(atPath: target) ?? Data(), as: UTF8.self),
                                                path: target, runFolder: runFolder)
        }
        guard FileManager.default.fileExists(atPath: definition.runFolder + "/.plume/catalog.sqlite") else {
            throw ValidationError("\(definition.runFolder): no run catalog; run plume run first")
        }
        let catalog = try RunCatalog(runFolder: definition.runFolder)
        let path = out ?? definition.runFolder + "/report.html"
        try RunReport.write(definition, catalog: catalog, to: path)
        print("wrote \(path)")
    }
}

/// `plume submit`: a Slurm array script for a campaign.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Write (and with --now submit) an sbatch array script whose tasks run the shards of a pipeline.")

    @Argument(help: "Pipeline file.")
    var pipeline: String

    @Flag(help: "Write a Slurm script (the only scheduler supported).")
    var slurm = false

    @Option(name: .customLong("array-size"), help: "Array tasks (shards).")
    var arraySize: Int = 4

    @Option(help: "Script path (default: RUN/.plume/slurm/submit.sbatch).")
    var out: String?

    @Flag(help: "Submit with sbatch after writing.")
    var now = false

    func run() throws {
        guard slurm else { throw ValidationError("give --slurm (Slurm is the scheduler plume submit writes for)") }
        guard arraySize >= 1 else { throw ValidationError("--array-size \(arraySize): expected at least 1") }
        let definition: PipelineDefinition
        do { definition = try PipelineFile.load(path: pipeline) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(PipelineExit.invalid)
        }
        let pipelinePath = URL(fileURLWithPath: pipeline).standardizedFileURL.path
        let script = SlurmArrayScript.render(pipeline: pipelinePath, plume: RunCommand.executablePath(), arraySize: arraySize,
                                             name: definition.name, runFolder: definition.runFolder)
        let path = out ?? definition.runFolder + "/.plume/slurm/submit.sbatch"
        try FileManager.default.createDirectory(atPath: definition.runFolder + "/.plume/slurm", withIntermediateDirectories: true)
        try AtomicFile.write(text: script, to: path)
        print("wrote \(path)")
        if now {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sbatch", "--parsable", "--wait", path]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
        }
    }
}

