import ArgumentParser
import Foundation
import PlumePipeline
import PlumeSupport

/// `plume run`: the staged pipeline engine.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline: the stages of its cycles that are not up to date.",
        discussion: """
            Work whose config and inputs are unchanged since it completed is skipped; an \
            interrupted rollout or training continues from its last checkpoint; every output \
            appears under its final name only when complete. The run catalog is \
            RUN/.plume/catalog.sqlite and the logs RUN/.plume/logs/STAGE/CYCLE.log. \
            Exit status: 0 done (or waiting for later cycles or other shards), 1 a stage \
            failed, 2 invalid pipeline or a run folder held by another run, 75 interrupted \
            by SIGINT/SIGTERM (run again to continue). Under a Slurm array, \
            SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT give the shard.
            """)

    @Argument(help: "Pipeline file (YAML).")
    var pipeline: String

    @Option(help: "Only this cycle (ISO 8601 date).")
    var cycle: String?

    @Option(help: "Only cycles from this date (inclusive).")
    var from: String?

    @Option(help: "Only cycles up to this date (inclusive).")
    var to: String?

    @Option(help: "Shard i/N of the cycles (i from 0): the cycles whose position modulo N is i.")
    var shard: String?

    @Option(parsing: .upToNextOption, help: "Stages to run again even when up to date.")
    var force: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print the plan (what would run and why, what is up to date); run and write nothing.")
    var dryRun = false

    @Option(name: .customLong("run-folder"), help: "Run folder (default: the pipeline's run:).")
    var runFolder: String?

    func run() throws {
        let definition: PipelineDefinition
        do {
            definition = try PipelineFile.load(path: pipeline, runFolder: runFolder)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(PipelineExit.invalid)
        }
        var options = RunOptions(plumeExecutable: Self.executablePath())
        options.cycle = cycle
        options.from = from
        options.to = to
        options.force = force
        options.dryRun = dryRun
        if let unknown = force.first(where: { definition.stage(named: $0) == nil }) {
            throw ValidationError("--force \(unknown): no such stage (stages: \(definition.stages.map(\.name).joined(separator: ", ")))")
        }
        if let text = shard ?? Self.slurmShard() {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index >= 0, index < count else {
                throw ValidationError("--shard '\(text)': expected i/N with 0 ≤ i < N, such as 0/4")
            }
            options.shard = (index, count)
        }
        if isatty(STDERR_FILENO) != 0 {
            options.progress = { line in
                FileHandle.standardError.write(Data("\r\(line.prefix(110))\u{1B}[K".utf8))
            }
        }
        options.print = { line in
            if isatty(STDERR_FILENO) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        if !dryRun {
            // The pipeline as run, for plume report RUN.
            try? FileManager.default.createDirectory(atPath: definition.runFolder + "/.plume", withIntermediateDirectories: true)
            try? AtomicFile.write(Data(contentsOf: URL(fileURLWithPath: pipeline)), to: definition.runFolder + "/.plume/pipeline.yaml")
            try? AtomicFile.write(text: URL(fileURLWithPath: pipeline).standardizedFileURL.path + "\n", to: definition.runFolder + "/.plume/pipeline-path")
        }
        let summary: RunSummary
        do {
            summary = try PipelineRunner(definition: definition, options: options).run()
        } catch {
            FileHandle.standardError.write(Data("plume run: \(error)\n".utf8))
            if case .locked = error { throw ExitCode(PipelineExit.invalid) }
            throw ExitCode(PipelineExit.failed)
        }
        if dryRun {
            for line in summary.plan { Swift.print(line) }
        } else if let catalog = try? RunCatalog(runFolder: definition.runFolder) {
            let report = definition.runFolder + "/report.html"
            do { try RunReport.write(definition, catalog: catalog, to: report) } catch {
                FileHandle.standardError.write(Data("plume run: the report: \(error)\n".utf8))
            }
            Swift.print(RunOverview.render(definition, catalog: catalog, report: report))
        }
        Swift.print("\(definition.name): \(summary.ran) ran, \(summary.upToDate) up to date, \(summary.failed) failed, \(summary.blocked) blocked, \(summary.waiting) waiting\(summary.interrupted ? ", interrupted" : "") (run folder \(definition.runFolder))")
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    /// This executable (the stages run it).
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// `i/N` from a Slurm array task's variables, when set.
    static func slurmShard() -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard let id = environment["SLURM_ARRAY_TASK_ID"], let count = environment["SLURM_ARRAY_TASK_COUNT"] else { return nil }
        let minimum = Int(environment["SLURM_ARRAY_TASK_MIN"] ?? "0") ?? 0
        guard let index = Int(id) else { return nil }
        return "\(index - minimum)/\(count)"
    }
}
