import Foundation
import PlumeIO
import PlumeSupport

/// Runs a pipeline: expands it over the selected cycles, skips every task whose config and
/// inputs are unchanged since it completed, runs the rest in dependency order (retrying as
/// the stage says), resumes interrupted work from its staging folder, puts each output under
/// its final name only when complete, and records everything in the run catalog.
public final class PipelineRunner {
    public let definition: PipelineDefinition
    public let options: RunOptions
    let runFolder: String
    /// The catalog's rows and outputs as this run knows them (loaded at the start, reloaded
    /// for a cycle once its lock is held, updated as tasks end).
    var knownRows: [TaskKey: RunCatalog.TaskRecord] = [:]
    var knownOutputs: [TaskKey: [RunCatalog.OutputRecord]] = [:]

    public init(definition: PipelineDefinition, options: RunOptions) {
        self.definition = definition
        self.options = options
        runFolder = definition.runFolder
    }

    /// The cycles known now (an inbox's files) and the plan over them.
    public func makePlan() throws(PipelineError) -> PipelinePlan {
        switch definition.cycles {
        case .points(let sequence):
            return try PipelinePlan(definition: definition, cycles: sequence.points)
        case .inbox(let folder, let pattern, let calendar):
            let found = try InboxScanner.scan(folder: folder, pattern: pattern, calendar: calendar)
            var files: [String: String] = [:]
            for item in found { files[item.date.isoDateTime] = item.file }
            return try PipelinePlan(definition: definition, cycles: found.map(\.date), inboxFiles: files)
        }
    }

    /// The indices of the cycles the options select.
    func selection(_ plan: PipelinePlan) throws(PipelineError) -> [Int] {
        let calendar = plan.calendar
        func date(_ text: String, _ option: String) throws(PipelineError) -> CFDate {
            guard let date = CFDate.parseISO(text, calendar: calendar) else {
                throw .invalidValue(what: "--\(option) '\(text)'", reason: "expected an ISO 8601 date such as 2000-01-10 or 2000-01-10T06:00")
            }
            return date
        }
        var indices = Array(plan.cycles.indices)
        if let text = options.cycle {
            let wanted = try date(text, "cycle")
            indices = indices.filter { plan.cycles[$0] == wanted }
            if indices.isEmpty {
                let known = plan.cycles.prefix(5).map(\.isoDateTime).joined(separator: ", ")
                throw .invalidValue(what: "--cycle \(text)", reason: "not a cycle of \(definition.file) (cycles: \(known)\(plan.cycles.count > 5 ? ", …" : ""))")
            }
        }
        if let text = options.from { let d = try date(text, "from"); indices = indices.filter { plan.cycles[$0] >= d } }
        if let text = options.to { let d = try date(text, "to"); indices = indices.filter { plan.cycles[$0] <= d } }
        if let shard = options.shard {
            guard shard.count >= 1, shard.index >= 0, shard.index < shard.count else {
                throw .invalidValue(what: "--shard \(shard.index)/\(shard.count)", reason: "expected i/N with 0 ≤ i < N")
            }
            indices = indices.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
        }
        return indices
    }

    // MARK: Run

    enum Outcome {
        case upToDate(digest: String)
        case ran(digest: String)
        case wouldRun
        case failed(String)
        case blocked(String)
        case waiting(String)
        case interrupted
    }

    /// Runs the selected work.
    public func run() throws(PipelineError) -> RunSummary {
        let plan = try makePlan()
        let selected = try selection(plan)
        var summary = RunSummary()
        let catalog: RunCatalog? = options.dryRun && !FileManager.default.fileExists(atPath: runFolder + "/.plume/catalog.sqlite")
            ? nil : try RunCatalog(runFolder: runFolder)
        let signals = options.dryRun ? nil : SignalWatcher()
        var outcomes: [TaskKey: Outcome] = [:]
        let sharded = options.shard.map { $0.count > 1 } ?? false

        if let catalog { (knownRows, knownOutputs) = try catalog.snapshot() }

        func phase(_ lockName: String, _ tasks: [TaskKey], wait: Bool) throws(PipelineError) -> Bool {
            guard !tasks.isEmpty else { return true }
            // Work that is all up to date needs no lock (and no write).
            if !options.dryRun {
                var check = RunSummary()
                var provisional = outcomes
                var allCurrent = true
                for key in tasks {
                    let outcome = try decide(key, plan: plan, catalog: catalog, outcomes: provisional, summary: &check)
                    guard case .upToDate = outcome else { allCurrent = false; break }
                    provisional[key] = outcome
                }
                if allCurrent {
                    outcomes = provisional
                    summary.upToDate += tasks.count
                    return true
                }
            }
            var lock: RunLock?
            if !options.dryRun {
                // Shards wait for the once / final work another shard is doing; a second
                // run on the same cycle is refused at once.
                lock = try RunLock.acquire(folder: runFolder, name: lockName, waitingUpTo: wait ? .infinity : 0, pollSeconds: 0.2,
                                           stop: { signals?.receivedSignal != nil })
                if lock == nil { summary.interrupted = true; return false }
            }
            defer { lock?.release() }
            if lock != nil, let catalog, let cycle = tasks.first?.cycle {
                let fresh = try catalog.snapshot(cycle: cycle)
                for key in tasks { knownRows[key] = fresh.rows[key]; knownOutputs[key] = fresh.outputs[key] }
            }
            for key in tasks {
                let outcome = try process(key, plan: plan, catalog: catalog, outcomes: outcomes, signals: signals, summary: &summary)
                outcomes[key] = outcome
                switch outcome {
                case .upToDate: summary.upToDate += 1
                case .ran: summary.ran += 1
                case .wouldRun: break
                case .failed: summary.failed += 1
                case .blocked: summary.blocked += 1
                case .waiting: summary.waiting += 1
                case .interrupted:
                    summary.interrupted = true
                    return false
                }
            }
            return true
        }

        let onceTasks = plan.tasks(selected: [], includeOnce: true, includeFinal: false)
        guard try phase("once", onceTasks, wait: sharded) else { return summary }
        for i in selected {
            let tasks = plan.tasks(selected: [i], includeOnce: false, includeFinal: false)
            let name = "cycle-" + plan.cycles[i].isoDateTime.filter { $0 != "-" && $0 != ":" }
            guard try phase(name, tasks, wait: false) else { return summary }
        }
        // After all cycles — when there are cycles (an empty inbox has none yet).
        let finalTasks = plan.cycles.isEmpty ? [] : plan.tasks(selected: [], includeOnce: false, includeFinal: true)
        if plan.cycles.isEmpty { options.print("no cycles yet: \(definition.cycles.isInbox ? "the inbox holds no analysis" : "the range is empty")") }
        guard try phase("final", finalTasks, wait: sharded) else { return summary }
        return summary
    }

    /// Decides about one task and runs it when needed.
    func process(_ key: TaskKey, plan: PipelinePlan, catalog: RunCatalog?, outcomes: [TaskKey: Outcome], signals: SignalWatcher?,
                 summary: inout RunSummary) throws(PipelineError) -> Outcome {
        try evaluate(key, plan: plan, catalog: catalog, outcomes: outcomes, signals: signals, summary: &summary, checkOnly: false)
    }

    /// Whether a task is up to date (nothing recorded, nothing run).
    func decide(_ key: TaskKey, plan: PipelinePlan, catalog: RunCatalog?, outcomes: [TaskKey: Outcome],
                summary: inout RunSummary) throws(PipelineError) -> Outcome {
        try evaluate(key, plan: plan, catalog: catalog, outcomes: outcomes, signals: nil, summary: &summary, checkOnly: true)
    }

    func evaluate(_ key: TaskKey, plan: PipelinePlan, catalog: RunCatalog?, outcomes: [TaskKey: Outcome], signals: SignalWatcher?,
                  summary: inout RunSummary, checkOnly: Bool) throws(PipelineError) -> Outcome {
        let say = options.print
        guard let stage = definition.stage(named: key.stage), let kind = StageKinds.named(stage.kind) else {
            return .failed("no stage \(key.stage)")
        }
        let resolved: PipelinePlan.Resolved
        let output: String
        do {
            resolved = try plan.resolve(key)
            output = try plan.outputPath(key)
        } catch {
            if checkOnly { return .wouldRun }
            return record(key, catalog, state: "failed", error: "\(error)", summary: &summary)
        }
        if checkOnly, !resolved.waitingFor.isEmpty { return .wouldRun }
        if !resolved.waitingFor.isEmpty {
            return record(key, catalog, state: "waiting", error: "waits for " + resolved.waitingFor.joined(separator: ", "), summary: &summary)
        }
        // Inputs: the digests of the producing tasks' outputs and of the input files.
        var inputs: [String: String] = [:]
        var pendingInput = false
        for producer in resolved.producers {
            switch outcomes[producer] {
            case .upToDate(let digest)?, .ran(let digest)?: inputs[producer.description] = digest
            case .wouldRun?: pendingInput = true
            case .failed?, .blocked?, .interrupted?:
                if checkOnly { return .wouldRun }
                return record(key, catalog, state: "blocked", error: "needs \(producer), which did not complete", summary: &summary)
            case .waiting?:
                if checkOnly { return .wouldRun }
                return record(key, catalog, state: "waiting", error: "needs \(producer), which is waiting", summary: &summary)
            case nil:
                var row = knownRows[producer]
                if row?.state != "done", let catalog { row = try catalog.task(producer) }
                if let row, row.state == "done", let digest = row.outputHash {
                    inputs[producer.description] = digest
                } else if options.dryRun {
                    pendingInput = true
                } else {
                    if checkOnly { return .wouldRun }
                    return record(key, catalog, state: "waiting", error: "needs \(producer) (another cycle or shard; not done yet)", summary: &summary)
                }
            }
        }
        for file in resolved.inputFiles {
            guard FileManager.default.fileExists(atPath: file) else {
                if checkOnly { return .wouldRun }
                return record(key, catalog, state: "failed", error: "input file \(file) does not exist", summary: &summary)
            }
            let relative = file.hasPrefix(definition.baseFolder + "/") ? String(file.dropFirst(definition.baseFolder.count + 1)) : file
            if let catalog {
                inputs["file " + relative] = try catalog.fileHash(file)
            } else {
                inputs["file " + relative] = try ContentDigest.input(file)
            }
        }
        let inputsJSON = Self.canonicalJSON(inputs)
        let inputsHash = ContentDigest.text(inputsJSON)
        var config: [String: String] = ["kind": stage.kind, "output": output, "plume": PlumeVersion.current]
        for (name, value) in resolved.parameters.values {
            switch value {
            case .string(let s): config["with." + name] = s
            case .paths(let p): config["with." + name] = p.map { $0.hasPrefix(definition.baseFolder + "/") ? String($0.dropFirst(definition.baseFolder.count + 1)) : $0 }.joined(separator: "\n")
            }
        }
        let configHash = ContentDigest.text(Self.canonicalJSON(config))
        let existing = knownRows[key]
        let forced = options.force.contains(key.stage)
        if !forced, !pendingInput, let existing, existing.state == "done", existing.configHash == configHash, existing.inputsHash == inputsHash,
           let digest = existing.outputHash, try outputsIntact(key) {
            if options.dryRun { summary.plan.append("up to date  \(key)") }
            return .upToDate(digest: digest)
        }
        if checkOnly { return .wouldRun }
        if options.dryRun {
            let why: String
            if forced { why = "forced" } else if let existing {
                if existing.state != "done" { why = "state \(existing.state)" }
                else if pendingInput || existing.inputsHash != inputsHash { why = "inputs changed" }
                else if existing.configHash != configHash { why = "config changed" }
                else { why = "outputs missing or changed" }
            } else { why = "never ran" }
            summary.plan.append("would run   \(key) → \(output) (\(why))")
            return .wouldRun
        }
        guard let catalog, let signals else { return .wouldRun }
        return try execute(key, stage: stage, kind: kind, resolved: resolved, output: output, configHash: configHash,
                           inputsHash: inputsHash, inputsJSON: inputsJSON, existing: existing, catalog: catalog, signals: signals, say: say)
    }

    /// Records a task that did not run (blocked, waiting, failed before starting).
    func record(_ key: TaskKey, _ catalog: RunCatalog?, state: String, error: String, summary: inout RunSummary) -> Outcome {
        if options.dryRun {
            summary.plan.append("\(state.padding(toLength: 11, withPad: " ", startingAt: 0)) \(key): \(error)")
        } else {
            options.print("\(state.padding(toLength: 8, withPad: " ", startingAt: 0)) \(key): \(error)")
            let row = RunCatalog.TaskRecord(stage: key.stage, cycle: key.cycle, member: key.member, state: state, attempts: knownRows[key]?.attempts ?? 0,
                                            started: nil, finished: nil, seconds: nil, commandSeconds: nil, configHash: "", inputsHash: "", inputs: "{}",
                                            outputHash: nil, error: error, host: nil, pid: nil, childPid: nil, slurmJob: SlurmJob.current())
            try? catalog?.save(row)
            knownRows[key] = row
        }
        switch state {
        case "waiting": return .waiting(error)
        case "blocked": return .blocked(error)
        default: return .failed(error)
        }
    }

    /// True when every output file recorded for `key` is present with its size (re-hashed
    /// when its modification time changed).
    func outputsIntact(_ key: TaskKey) throws(PipelineError) -> Bool {
        let outputs = knownOutputs[key] ?? []
        guard !outputs.isEmpty else { return false }
        for output in outputs {
            guard let info = ContentDigest.fileInfo(runFolder + "/" + output.path), info.size == output.size else { return false }
            if info.modified != output.modified, try ContentDigest.file(runFolder + "/" + output.path) != output.sha256 { return false }
        }
        return true
    }

    static func canonicalJSON(_ values: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(values)) ?? Data(), as: UTF8.self)
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    // MARK: Execution

    func execute(_ key: TaskKey, stage: StageDefinition, kind: any StageKind, resolved: PipelinePlan.Resolved, output: String,
                 configHash: String, inputsHash: String, inputsJSON: String, existing: RunCatalog.TaskRecord?, catalog: RunCatalog,
                 signals: SignalWatcher, say: @Sendable (String) -> Void) throws(PipelineError) -> Outcome {
        let fm = FileManager.default
        let stagingFolder = ".plume/staging/" + key.folderName
        let stagingOutput = stagingFolder + "/" + (output as NSString).lastPathComponent
        let log = try TaskLog(path: runFolder + "/.plume/logs/" + key.folderName + ".log")
        // A child of a killed engine may still be finishing: wait for it before touching its files.
        if let child = existing?.childPid, child > 0 {
            var waited = 0
            while kill(pid_t(child), 0) == 0, waited < 100 { usleep(100_000); waited += 1 }
        }
        let sameWork = existing.map { $0.configHash == configHash && $0.inputsHash == inputsHash && $0.state != "done" } ?? false
        let resumable = kind.resumes && sameWork && fm.fileExists(atPath: runFolder + "/" + stagingFolder)
        if !resumable { try? fm.removeItem(atPath: runFolder + "/" + stagingFolder) }
        do {
            try fm.createDirectory(atPath: runFolder + "/" + stagingFolder, withIntermediateDirectories: true)
        } catch {
            throw .io(path: runFolder + "/" + stagingFolder, reason: "\(error)")
        }
        var row = RunCatalog.TaskRecord(stage: key.stage, cycle: key.cycle, member: key.member, state: "running",
                                        attempts: sameWork ? (existing?.attempts ?? 0) : 0, started: Self.now(), finished: nil, seconds: nil, commandSeconds: 0,
                                        configHash: configHash, inputsHash: inputsHash, inputs: inputsJSON, outputHash: nil, error: nil,
                                        host: ProcessInfo.processInfo.hostName, pid: Int(getpid()), childPid: nil,
                                        slurmJob: SlurmJob.current())
        let began = Date()
        var lastError = ""
        for attempt in 0...stage.retries {
            row.attempts += 1
            row.state = "running"
            row.error = nil
            try catalog.save(row)
            if attempt > 0, !kind.resumes {
                try? fm.removeItem(atPath: runFolder + "/" + stagingOutput)
            }
            let resuming = resumable || (attempt > 0 && kind.resumes)
            let command = try kind.command(resolved.parameters, context: StageContext(output: stagingOutput, runFolder: runFolder, resuming: resuming))
            log.logger.info("\(key): attempt \(row.attempts)\(resuming ? " (resuming)" : ""), output \(output)")
            say("run      \(key)\(row.attempts > 1 ? " (attempt \(row.attempts))" : "")")
            var succeeded = false
            let commandBegan = Date()
            switch command {
            case .write(let bytes):
                do {
                    try AtomicFile.write(Data(bytes), to: runFolder + "/" + stagingOutput)
                    succeeded = true
                } catch {
                    lastError = "\(error)"
                }
            case .plume(let arguments):
                log.logger.info("plume \(arguments.joined(separator: " "))")
                var process = StageProcess(executable: options.plumeExecutable, arguments: arguments, workingFolder: runFolder, log: log)
                process.provenance = [("pipeline", definition.name), ("stage", key.stage), ("cycle", key.cycle)]
                    + (key.member >= 0 ? [("member", String(key.member))] : [])
                    + [("config_sha256", configHash), ("inputs_sha256", inputsHash)]
                var childRow = row
                // A command that cannot start (the executable being relinked: "text file busy")
                // is a failed attempt, recorded and retried like any other, not a task left "running".
                do {
                    let ending = try process.run(signals: signals, started: { pid in
                        childRow.childPid = Int(pid)
                        try? catalog.save(childRow)
                    }, progress: options.progress.map { show in { @Sendable line in show("\(key): \(line)") } })
                    switch ending {
                    case .exited(0): succeeded = true
                    case .exited(let status): lastError = "exit status \(status): \(log.tail())"
                    case .signalled(let number): lastError = "killed by signal \(number): \(log.tail())"
                    }
                } catch {
                    lastError = "\(error)"
                }
            }
            row.commandSeconds = (row.commandSeconds ?? 0) + Date().timeIntervalSince(commandBegan)
            if signals.receivedSignal != nil {
                row.state = "interrupted"
                row.error = "interrupted by signal \(signals.receivedSignal ?? 0); plume run continues it"
                row.finished = Self.now()
                row.childPid = nil
                try catalog.save(row)
                log.logger.notice("interrupted")
                say("stopped  \(key): interrupted; run the same command to continue")
                return .interrupted
            }
            if succeeded {
                guard fm.fileExists(atPath: runFolder + "/" + stagingOutput) else {
                    lastError = "the command succeeded but wrote no output at \(stagingOutput)"
                    break
                }
                Durable.removeLeftovers(in: runFolder + "/" + stagingOutput)
                try Durable.promote(runFolder + "/" + stagingOutput, to: runFolder + "/" + output, trash: runFolder + "/.plume/trash")
                try? fm.removeItem(atPath: runFolder + "/" + stagingFolder)
                let entries = try ContentDigest.entries(of: runFolder + "/" + output, relativeTo: runFolder)
                let digest = ContentDigest.combined(entries, base: output)
                row.state = "done"
                row.finished = Self.now()
                row.seconds = Date().timeIntervalSince(began)
                row.outputHash = digest
                row.childPid = nil
                let records = entries.map {
                    RunCatalog.OutputRecord(stage: key.stage, cycle: key.cycle, member: key.member, path: $0.path, size: $0.size, sha256: $0.sha256, modified: $0.modified)
                }
                try catalog.complete(row, outputs: records)
                knownRows[key] = row
                knownOutputs[key] = records
                log.logger.info("done in \(String(format: "%.1f", row.seconds ?? 0)) s: \(entries.count) file(s), digest \(digest)")
                say("done     \(key) (\(String(format: "%.1f", row.seconds ?? 0)) s)")
                return .ran(digest: digest)
            }
            log.logger.error("attempt \(row.attempts) failed: \(lastError)")
            if attempt < stage.retries {
                say("retry    \(key): \(lastError) (next attempt in \(stage.retryDelaySeconds) s)")
                row.state = "retrying"
                row.error = lastError
                try catalog.save(row)
                var slept = 0.0
                while slept < stage.retryDelaySeconds, signals.receivedSignal == nil { usleep(100_000); slept += 0.1 }
            }
        }
        row.state = "failed"
        row.error = lastError
        row.finished = Self.now()
        row.seconds = Date().timeIntervalSince(began)
        row.childPid = nil
        try catalog.save(row)
        knownRows[key] = row
        say("failed   \(key): \(lastError) (log: \(log.path))")
        return .failed(lastError)
    }
}
