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
        abstract: "Write (and with --now submit) an sbatch array script whose tasks run the shards of a pipeline.",
        discussion: """
            Array task i runs `plume run PIPELINE --shard i/N --run-folder RUN`; its log is \
            RUN/.plume/slurm/JOB_i.out. With --now, plume submits the script with \
            `sbatch --wait` and returns when every task has ended: exit status 0 when all \
            completed, 1 when a task failed (its log is named), 2 when sbatch is missing or \
            refused the job. `plume status RUN` shows which array task ran each task. \
            Scripts/slurm-local.sh starts a one-node Slurm on this machine to try it.
            """)

    @Argument(help: "Pipeline file.")
    var pipeline: String

    @Flag(help: "Write a Slurm script (the only scheduler supported).")
    var slurm = false

    @Option(name: .customLong("array-size"), help: "Array tasks (shards).")
    var arraySize: Int = 4

    @Option(name: .customLong("cpus-per-task"), help: "CPUs Slurm gives each array task.")
    var cpusPerTask: Int = 2

    @Option(name: .customLong("run-folder"), help: "Run folder (default: the pipeline's run:).")
    var runFolder: String?

    @Option(help: "Script path (default: RUN/.plume/slurm/submit.sbatch).")
    var out: String?

    @Flag(help: "Submit with sbatch after writing, and wait until every array task has ended.")
    var now = false

    func run() throws {
        guard slurm else { throw ValidationError("give --slurm (Slurm is the scheduler plume submit writes for)") }
        guard arraySize >= 1 else { throw ValidationError("--array-size \(arraySize): expected at least 1") }
        guard cpusPerTask >= 1 else { throw ValidationError("--cpus-per-task \(cpusPerTask): expected at least 1") }
        let definition: PipelineDefinition
        do { definition = try PipelineFile.load(path: pipeline, runFolder: runFolder) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(PipelineExit.invalid)
        }
        let pipelinePath = URL(fileURLWithPath: pipeline).standardizedFileURL.path
        let script = SlurmArrayScript.render(pipeline: pipelinePath, plume: RunCommand.executablePath(), arraySize: arraySize,
                                             name: definition.name, runFolder: definition.runFolder, cpusPerTask: cpusPerTask)
        let path = out ?? definition.runFolder + "/.plume/slurm/submit.sbatch"
        // The array tasks' logs go there: Slurm does not make the folder.
        try FileManager.default.createDirectory(atPath: definition.runFolder + "/.plume/slurm", withIntermediateDirectories: true)
        try AtomicFile.write(text: script, to: path)
        Self.say("wrote \(path)")
        if now { try submit(path, runFolder: definition.runFolder) }
    }

    /// `sbatch --parsable --wait SCRIPT`, then which tasks failed.
    func submit(_ path: String, runFolder: String) throws {
        func fail(_ message: String, _ status: Int32) -> ExitCode {
            FileHandle.standardError.write(Data("plume submit: \(message)\n".utf8))
            return ExitCode(status)
        }
        guard let sbatch = Self.onPath("sbatch") else {
            throw fail("--now: sbatch is not on PATH (\(ProcessInfo.processInfo.environment["PATH"] ?? "")); install Slurm's "
                       + "client commands (Debian: slurm-client) or run the script yourself; Scripts/slurm-local.sh start gives "
                       + "a one-node Slurm on this machine", PipelineExit.invalid)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sbatch)
        process.arguments = ["--parsable", "--wait", path]
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch {
            throw fail("could not start \(sbatch): \(error)", PipelineExit.invalid)
        }
        // --parsable prints `JOB` (or `JOB;CLUSTER`) once submitted; --wait then holds until
        // every array task has ended.
        var text = ""
        var job: String?
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if job == nil, let line = text.split(whereSeparator: \.isNewline).first,
               let id = line.split(separator: ";").first.map(String.init), !id.isEmpty, id.allSatisfy(\.isNumber) {
                job = id
                Self.say("submitted array job \(id) (\(arraySize) tasks); waiting for it to end; logs \(runFolder)/.plume/slurm/\(id)_*.out")
            }
        }
        process.waitUntilExit()
        let status = process.terminationStatus
        guard let job else {
            throw fail("sbatch refused \(path) (exit status \(status)\(text.isEmpty ? "" : ": " + text.trimmingCharacters(in: .whitespacesAndNewlines)))",
                       PipelineExit.invalid)
        }
        if status == 0 {
            Self.say("array job \(job): all \(arraySize) tasks completed; plume status \(runFolder) shows them")
            return
        }
        // Name the tasks that did not complete, with their logs.
        let ends = Self.scontrol(["-o", "show", "job", job]).map(SlurmArrayScript.taskEnds) ?? []
        let failed = ends.filter { $0.state != "COMPLETED" }
        let described: [String]
        if failed.isEmpty {
            // Slurm no longer knows the job (MinJobAge passed): name every log of it.
            let folder = runFolder + "/.plume/slurm"
            let logs = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasPrefix(job + "_") && $0.hasSuffix(".out") }.sorted().map { folder + "/" + $0 }
            described = ["the tasks' logs: " + (logs.isEmpty ? "(none written under \(folder))" : logs.joined(separator: ", "))]
        } else {
            described = failed.map {
                "task \($0.task) \($0.state) (exit \($0.exitCode)), log \(SlurmArrayScript.logPath(runFolder: runFolder, job: job, task: $0.task))"
            }
        }
        throw fail("array job \(job) failed (sbatch --wait exit status \(status)): " + described.joined(separator: "; "), PipelineExit.failed)
    }

    /// A line on stdout at once (unbuffered, so that it shows while sbatch waits).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `scontrol ARGUMENTS`' output, or nil when it cannot run or fails.
    static func scontrol(_ arguments: [String]) -> String? {
        guard let scontrol = onPath("scontrol") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: scontrol)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// The executable `name` in PATH.
    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { String($0) + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
