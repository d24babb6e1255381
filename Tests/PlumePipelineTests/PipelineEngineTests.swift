import Foundation
import Synchronization
import PlumeSupport
import Testing
@testable import PlumePipeline

#if canImport(Glibc)
import Glibc
#endif

/// The engine on pipelines of `text` stages (in-process work, so the engine's own behaviour
/// is what is measured), and through the `plume` executable for locks, shards and signals.
@Suite(.serialized) struct PipelineEngineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let executable = root + "/.build/debug/plume"

    static func folder(_ name: String) -> String {
        let folder = NSTemporaryDirectory() + "plume-engine-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func write(_ text: String, _ path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    static func run(_ pipeline: String, _ options: (inout RunOptions) -> Void = { _ in }) throws -> RunSummary {
        let definition = try PipelineFile.load(path: pipeline)
        var runOptions = RunOptions(plumeExecutable: executable, print: { _ in })
        options(&runOptions)
        return try PipelineRunner(definition: definition, options: runOptions).run()
    }

    static let chain = """
        pipeline: chain
        run: run
        cycles: {from: 2000-01-01, to: 2000-01-04, step: P1D}
        stages:
          setup:
            uses: text
            when: once
            with: {text: "setup VALUE"}
          state:
            uses: text
            with: {text: "state {cycle:%Y%m%d}"}
          carry:
            uses: text
            after: [state, setup]
            with: {text: "carry {cycle}"}
          total:
            uses: text
            when: final
            after: [carry]
            with: {text: "total"}

        """

    @Test func completedWorkIsSkippedAndAChangeRerunsWhatDependsOnIt() throws {
        let folder = Self.folder("skip")
        Self.write(Self.chain.replacingOccurrences(of: "VALUE", with: "1"), folder + "/p.yaml")
        let first = try Self.run(folder + "/p.yaml")
        #expect(first.ran == 1 + 4 * 2 + 1)
        #expect(first.exitCode == 0)
        #expect(try String(contentsOfFile: folder + "/run/2000010300/state.txt", encoding: .utf8) == "state 20000103\n")
        let second = try Self.run(folder + "/p.yaml")
        #expect(second.ran == 0)
        #expect(second.upToDate == 10)
        // A config change of the once stage reruns it and what uses it (carry, in every
        // cycle); not `state`, and not `total`, whose inputs (carry's outputs) come out the
        // same bytes.
        Self.write(Self.chain.replacingOccurrences(of: "VALUE", with: "2"), folder + "/p.yaml")
        let third = try Self.run(folder + "/p.yaml")
        #expect(third.ran == 1 + 4)
        #expect(third.upToDate == 4 + 1)
        // A deleted output reruns its task (and what uses it, whose inputs are then the same
        // bytes: it is skipped).
        try FileManager.default.removeItem(atPath: folder + "/run/2000010200/state.txt")
        let fourth = try Self.run(folder + "/p.yaml")
        #expect(fourth.ran == 1)
        // --force reruns a stage; --dry-run writes nothing and says why.
        let dry = try Self.run(folder + "/p.yaml") { $0.dryRun = true; $0.force = ["state"] }
        #expect(dry.plan.filter { $0.hasPrefix("would run   state") }.count == 4)
        #expect(dry.plan.contains { $0.contains("(forced)") })
        let catalog = try RunCatalog(runFolder: folder + "/run")
        let rows = try catalog.tasks()
        #expect(rows.count == 10)
        #expect(rows.allSatisfy { $0.state == "done" })
        let outputs = try catalog.outputs(TaskKey(stage: "state", cycle: "2000-01-03T00:00:00"))
        #expect(outputs.count == 1)
        #expect(outputs[0].sha256 == ContentDigest.text("state 20000103\n"))
        #expect(outputs[0].size == 15)
    }

    @Test func previousCycleReferencesChainTheCycles() throws {
        let folder = Self.folder("chain")
        Self.write("""
            pipeline: roll
            run: run
            cycles: {from: 2000-01-01T00, to: 2000-01-02T00, step: PT12H}
            stages:
              seed:
                uses: text
                when: once
                with: {text: seed}
              leg:
                uses: ingest
                with: {input: {first: "${seed}", then: "${leg[-1]}"}}
            """, folder + "/p.yaml")
        let definition = try PipelineFile.load(path: folder + "/p.yaml")
        let plan = try PipelinePlan(definition: definition, cycles: { if case .points(let s) = definition.cycles { s.points } else { [] } }())
        let first = try plan.resolve(TaskKey(stage: "leg", cycle: "2000-01-01T00:00:00"))
        #expect(first.parameters.path("input") == "seed.txt")
        #expect(first.producers == [TaskKey(stage: "seed", cycle: "once")])
        let third = try plan.resolve(TaskKey(stage: "leg", cycle: "2000-01-02T00:00:00"))
        #expect(third.parameters.path("input") == "2000010112/leg.nc")
        #expect(third.producers == [TaskKey(stage: "leg", cycle: "2000-01-01T12:00:00")])
        #expect(try plan.outputPath(TaskKey(stage: "leg", cycle: "2000-01-02T00:00:00")) == "2000010200/leg.nc")
        #expect(plan.tasks(selected: [0, 1, 2]).map(\.description) == [
            "seed once", "leg 2000-01-01T00:00:00", "leg 2000-01-01T12:00:00", "leg 2000-01-02T00:00:00"])
    }

    /// Starts `plume ARGUMENTS` in the background, output discarded.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `plume ARGUMENTS` and returns (status, stdout + stderr).
    static func plume(_ arguments: [String], in directory: String? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func aSecondRunOnTheSameCycleIsRefusedNamingTheHolder() throws {
        let folder = Self.folder("lock")
        Self.write(Self.chain.replacingOccurrences(of: "VALUE", with: "1"), folder + "/p.yaml")
        let lock = try RunLock.acquire(folder: folder + "/run", name: "once")
        let (status, output) = try Self.plume(["run", folder + "/p.yaml"])
        #expect(status == PipelineExit.invalid)
        #expect(output.contains("is held by pid \(getpid())"), "\(output)")
        lock.release()
        let (again, _) = try Self.plume(["run", folder + "/p.yaml"])
        #expect(again == 0)
    }

    @Test func fourShardsInParallelGiveTheSameOutputsAndCatalogAsOneProcess() throws {
        let folder = Self.folder("shards")
        let text = """
            pipeline: hindcast
            run: RUN
            cycles: {from: 2000-01-01, to: 2000-01-08, step: P1D}
            stages:
              setup:
                uses: text
                when: once
                with: {text: "model"}
              forecast:
                uses: text
                after: [setup]
                with: {text: "forecast from {cycle}"}
              score:
                uses: text
                after: [forecast]
                with: {text: "score {cycle:%j}"}
                out: "scores/{cycle:%Y%m%d}.txt"
              summary:
                uses: text
                when: final
                after: [score]
                with: {text: "8 scores"}
            """
        Self.write(text.replacingOccurrences(of: "RUN", with: "one"), folder + "/one.yaml")
        Self.write(text.replacingOccurrences(of: "RUN", with: "four"), folder + "/four.yaml")
        let (status, output) = try Self.plume(["run", folder + "/one.yaml"])
        #expect(status == 0, "\(output)")
        var processes: [Process] = []
        for shard in 0..<4 {
            let process = try Self.start(["run", folder + "/four.yaml", "--shard", "\(shard)/4"])
            processes.append(process)
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        // The final stage ran in whichever shard finished last; run once more to be sure
        // nothing is left, then compare.
        let (after, afterOutput) = try Self.plume(["run", folder + "/four.yaml"])
        #expect(after == 0)
        #expect(afterOutput.contains("0 ran, 18 up to date"), "\(afterOutput)")
        let one = try RunCatalog(runFolder: folder + "/one"), four = try RunCatalog(runFolder: folder + "/four")
        func content(_ catalog: RunCatalog) throws -> [String] {
            try catalog.tasks().map { "\($0.stage) \($0.cycle) \($0.member) \($0.state) \($0.configHash) \($0.inputsHash) \($0.outputHash ?? "")" }
        }
        #expect(try content(one) == content(four))
        #expect(try one.allOutputs().map { "\($0.path) \($0.sha256)" } == four.allOutputs().map { "\($0.path) \($0.sha256)" })
        #expect(try one.tasks().count == 1 + 8 * 2 + 1)
        // The shards' rows name four different processes.
        #expect(Set(try four.tasks().filter { $0.stage == "forecast" }.compactMap(\.pid)).count == 4)
    }

    @Test func aFailedStageStopsOnlyWhatDependsOnIt() throws {
        let folder = Self.folder("fail")
        Self.write("""
            pipeline: partial
            run: run
            cycles: {at: 2000-01-01}
            stages:
              broken:
                uses: ingest
                retries: 1
                retry_delay: 0
                with: {input: input.txt}
              after-broken:
                uses: text
                after: [broken]
                with: {text: never}
              independent:
                uses: text
                with: {text: fine}
            """, folder + "/p.yaml")
        Self.write("not a netCDF file", folder + "/input.txt")
        let (status, output) = try Self.plume(["run", folder + "/p.yaml"])
        #expect(status == PipelineExit.failed, "\(output)")
        let rows = Dictionary(uniqueKeysWithValues: try RunCatalog(runFolder: folder + "/run").tasks().map { ($0.stage, $0) })
        #expect(rows["broken"]?.state == "failed")
        #expect(rows["broken"]?.attempts == 2)
        #expect(rows["broken"]?.error?.contains("exit status") == true)
        #expect(rows["after-broken"]?.state == "blocked")
        #expect(rows["after-broken"]?.error?.contains("needs broken") == true)
        #expect(rows["independent"]?.state == "done")
        #expect(!FileManager.default.fileExists(atPath: folder + "/run/2000010100/broken.nc"))
        let (_, status2) = try Self.plume(["status", folder + "/run"])
        #expect(status2.contains("blocked") && status2.contains("needs broken"), "\(status2)")
    }

    /// A stage whose command cannot start (here: no executable; under Slurm, one being relinked)
    /// is a failed attempt, retried and then recorded as failed with the reason, never left
    /// "running"; stages that do not need it still run.
    @Test func aCommandThatCannotStartIsRecordedAsFailed() throws {
        let folder = Self.folder("nostart")
        Self.write("""
            pipeline: nostart
            run: run
            cycles: {at: 2000-01-01}
            stages:
              broken:
                uses: ingest
                retries: 1
                retry_delay: 0
                with: {input: input.txt}
              independent:
                uses: text
                with: {text: fine}
            """, folder + "/p.yaml")
        Self.write("anything", folder + "/input.txt")
        let summary = try Self.run(folder + "/p.yaml") { $0.plumeExecutable = folder + "/no-such-plume" }
        let rows = Dictionary(uniqueKeysWithValues: try RunCatalog(runFolder: folder + "/run").tasks().map { ($0.stage, $0) })
        #expect(rows["broken"]?.state == "failed", "\(summary)")
        #expect(rows["broken"]?.attempts == 2)
        #expect(rows["broken"]?.error?.contains("cannot start") == true, "\(rows["broken"]?.error ?? "no error")")
        #expect(rows["independent"]?.state == "done")
    }

    /// Every regular file under `folder` outside .plume/ (and the report), by relative path.
    static func finalFiles(_ folder: String) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let names = FileManager.default.enumerator(atPath: folder) else { return out }
        for case let name as String in names where !name.hasPrefix(".plume") && name != "report.html" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isFolder), !isFolder.boolValue {
                out[name] = FileManager.default.contents(atPath: folder + "/" + name)
            }
        }
        return out
    }

    @Test func aRunKilledAtRandomMomentsResumesToIdenticalOutputs() throws {
        let folder = Self.folder("kill")
        let text = """
            pipeline: crash
            run: RUN
            cycles: {from: 2000-01-01, to: 2000-01-03, step: P1D}
            stages:
              truth:
                uses: generate
                with: {dataset: weather, grid: gaussian-n32, truncation: 21, days: 2, spinup_days: 1, split: "0.5,0.25,0.25",
                       seed: 7, output_grid: latlon5.625}
              store:
                uses: ingest
                with: {input: "${truth}/weather-test.nc"}
              note:
                uses: text
                after: [store]
                with: {text: "stored {cycle}"}
            """
        Self.write(text.replacingOccurrences(of: "RUN", with: "reference"), folder + "/reference.yaml")
        Self.write(text.replacingOccurrences(of: "RUN", with: "killed"), folder + "/killed.yaml")
        let (status, output) = try Self.plume(["run", folder + "/reference.yaml"])
        try #require(status == 0, "\(output)")
        let reference = Self.finalFiles(folder + "/reference")
        #expect(reference.count == 3 * (3 + 1 + 1))
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<8 {
            let process = try Self.start(["run", folder + "/killed.yaml"])
            usleep(UInt32.random(in: 100_000...1_500_000, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            usleep(200_000)
            // Whatever is under a final name is complete: identical to the reference.
            for (path, data) in Self.finalFiles(folder + "/killed") {
                #expect(reference[path] == data, "\(path) differs after a kill")
            }
        }
        let (final, finalOutput) = try Self.plume(["run", folder + "/killed.yaml"])
        #expect(final == 0, "\(finalOutput)")
        #expect(kills >= 1)
        #expect(Self.finalFiles(folder + "/killed") == reference)
        #expect(try RunCatalog(runFolder: folder + "/killed").tasks().allSatisfy { $0.state == "done" })
    }

    @Test func sigtermStopsTheRunWithTheInterruptedStatusAndTheRunContinues() throws {
        let folder = Self.folder("term")
        Self.write("""
            pipeline: term
            run: run
            cycles: {at: 2000-01-01}
            stages:
              truth:
                uses: generate
                with: {dataset: weather, grid: gaussian-n32, truncation: 21, days: 20, spinup_days: 1, split: "0.5,0.25,0.25", output_grid: latlon5.625}
            """, folder + "/p.yaml")
        let process = try Self.start(["run", folder + "/p.yaml"])
        usleep(700_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == PipelineExit.interrupted)
        let row = try RunCatalog(runFolder: folder + "/run").task(TaskKey(stage: "truth", cycle: "2000-01-01T00:00:00"))
        #expect(row?.state == "interrupted")
        #expect(!FileManager.default.fileExists(atPath: folder + "/run/2000010100/truth"))
        let (status, output) = try Self.plume(["run", folder + "/p.yaml"])
        #expect(status == 0, "\(output)")
        #expect(FileManager.default.fileExists(atPath: folder + "/run/2000010100/truth/weather-test.nc"))
    }

    @Test func aSlurmArrayTaskRunsItsShardAndSubmitWritesTheArrayScript() throws {
        let folder = Self.folder("slurm")
        Self.write("""
            pipeline: campaign
            run: run
            cycles: {from: 2000-01-01, to: 2000-01-08, step: P1D}
            stages:
              forecast:
                uses: text
                with: {text: "forecast {cycle}"}
            """, folder + "/p.yaml")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["run", folder + "/p.yaml"]
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_ARRAY_TASK_ID"] = "1"
        environment["SLURM_ARRAY_TASK_COUNT"] = "4"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        // Array task 1 of 4 runs the cycles at positions 1 and 5.
        let cycles = try RunCatalog(runFolder: folder + "/run").tasks().map(\.cycle)
        #expect(cycles == ["2000-01-02T00:00:00", "2000-01-06T00:00:00"])

        let (status, output) = try Self.plume(["submit", folder + "/p.yaml", "--slurm", "--array-size", "4"])
        #expect(status == 0, "\(output)")
        let script = try String(contentsOfFile: folder + "/run/.plume/slurm/submit.sbatch", encoding: .utf8)
        #expect(script.hasPrefix("#!/bin/bash\n#SBATCH --job-name=plume-campaign\n#SBATCH --array=0-3\n"))
        #expect(script.contains("run '\(folder)/p.yaml' --shard \"${SLURM_ARRAY_TASK_ID}/4\""))
        #expect(script.contains("#SBATCH --output=\(folder)/run/.plume/slurm/%A_%a.out"))
    }

    @Test func processesOpeningANewCatalogTogetherAllSucceed() throws {
        for round in 0..<5 {
            let folder = Self.folder("catalog-race-\(round)")
            let failures = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try RunCatalog(runFolder: folder) } catch { failures.withLock { $0 += 1 } }
            }
            #expect(failures.withLock { $0 } == 0)
            #expect(try RunCatalog(runFolder: folder).tasks().isEmpty)
        }
    }

    @Test func membersAndCycleSelection() throws {
        let folder = Self.folder("members")
        Self.write("""
            pipeline: ensemble
            run: run
            cycles: {from: 2000-01-01, to: 2000-01-05, step: P1D}
            stages:
              member:
                uses: text
                members: 3
                with: {text: "member {member} of {cycle:%d}"}
              spread:
                uses: text
                after: [member]
                with: {text: "spread {cycle:%d}"}
            """, folder + "/p.yaml")
        let summary = try Self.run(folder + "/p.yaml") { $0.from = "2000-01-02"; $0.to = "2000-01-03" }
        #expect(summary.ran == 2 * (3 + 1))
        #expect(try String(contentsOfFile: folder + "/run/2000010300/member-2.txt", encoding: .utf8) == "member 2 of 03\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/run/2000010100"))
        let definition = try PipelineFile.load(path: folder + "/p.yaml")
        let plan = try PipelinePlan(definition: definition, cycles: { if case .points(let s) = definition.cycles { s.points } else { [] } }())
        let spread = try plan.resolve(TaskKey(stage: "spread", cycle: "2000-01-04T00:00:00"))
        #expect(spread.producers == (0..<3).map { TaskKey(stage: "member", cycle: "2000-01-04T00:00:00", member: $0) })
        let one = try Self.run(folder + "/p.yaml") { $0.cycle = "2000-01-05" }
        #expect(one.ran == 4)
        #expect(throws: PipelineError.self) { try Self.run(folder + "/p.yaml") { $0.cycle = "2000-02-01" } }
    }
}
