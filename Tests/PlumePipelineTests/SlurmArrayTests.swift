import Foundation
import Testing
@testable import PlumePipeline

#if canImport(Glibc)
import Glibc
#endif

/// `plume submit --slurm --now` on a real Slurm: Scripts/slurm-local.sh starts a one-node
/// Slurm (munged, slurmctld, slurmd from Debian's slurm-wlm and munge, which `make test`
/// installs) in a temporary folder, and every test stops it again, passed or failed.
/// Without Slurm installed these tests fail: they do not skip.
@Suite(.serialized) struct SlurmArrayTests {
    static let root = PipelineEngineTests.root
    static let executable = PipelineEngineTests.executable
    static let script = root + "/Scripts/slurm-local.sh"

    /// The programs the local Slurm needs, missing from PATH and /usr/sbin.
    static func missingSlurmPrograms() -> [String] {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        return ["munged", "slurmctld", "slurmd", "sbatch", "sinfo", "squeue", "scontrol"].filter { name in
            !path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }
    }

    /// Runs `executable arguments` with stdout and stderr into a file (no pipe that a
    /// surviving grandchild could hold open); kills it after `timeout` seconds.
    /// - Returns: the exit status (-1 when killed) and the output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    timeout: Double = 300) throws -> (status: Int32, output: String) {
        let log = NSTemporaryDirectory() + "plume-slurm-test-\(getpid())-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        guard let handle = FileHandle(forWritingAtPath: log) else {
            throw PipelineError.io(path: log, reason: "cannot open the test's output file for writing")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(100_000) }
        var killed = false
        if process.isRunning {
            process.terminate()
            killed = true
            process.waitUntilExit()
        }
        try? handle.close()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (killed ? -1 : process.terminationStatus,
                killed ? output + "\n(killed after \(Int(timeout)) s: \(executable) \(arguments.joined(separator: " ")))" : output)
    }

    /// A local Slurm for `body`, stopped afterwards whatever happens; `body` gets the
    /// environment with SLURM_CONF.
    static func withLocalSlurm(_ name: String, _ body: (_ folder: String, _ environment: [String: String]) throws -> Void) throws {
        let missing = missingSlurmPrograms()
        try #require(missing.isEmpty, """
            Slurm is not installed (missing \(missing.joined(separator: ", "))): these tests run a local one-node Slurm \
            from Debian's slurm-wlm and munge; `make deps` (and so `make test`) installs them
            """)
        let folder = PipelineEngineTests.folder(name)
        let slurm = folder + "/slurm"
        let (started, startOutput) = try run(script, ["start", slurm], timeout: 120)
        defer {
            if let (stopped, stopOutput) = try? run(script, ["stop", slurm], timeout: 120) {
                #expect(stopped == 0, "slurm-local.sh stop: \(stopOutput)")
            }
            #expect(!FileManager.default.fileExists(atPath: slurm), "slurm-local.sh stop left \(slurm)")
        }
        try #require(started == 0, "Scripts/slurm-local.sh start \(slurm) failed: \(startOutput)")
        #expect(startOutput.contains("export SLURM_CONF=\(slurm)/slurm.conf"), "\(startOutput)")
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = slurm + "/slurm.conf"
        try body(folder, environment)
    }

    /// The SHA-256 of every file of a run folder outside .plume/ and the report (as
    /// Scripts/shard-check.sh compares them), by relative path.
    static func digests(_ folder: String) throws -> [String: String] {
        var digests: [String: String] = [:]
        for path in PipelineEngineTests.finalFiles(folder).keys { digests[path] = try ContentDigest.file(folder + "/" + path) }
        return digests
    }

    /// The tail of each array task's log, for failure messages.
    static func arrayLogs(_ runFolder: String) -> String {
        let folder = runFolder + "/.plume/slurm"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".out") }.sorted()
        return names.map { name in
            let text = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
            return "--- \(name)\n" + text.split(separator: "\n").suffix(8).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// A real hindcast, made small for a debug build: CarbonBench-mini generated once (3.25
    /// days, T21 weather), then from each of 8 start dates 6 h apart a rollout of the hybrid
    /// emulator and one of the reference transport, and the verification of all of them.
    static func hindcast() -> String {
        """
        pipeline: hindcast-mini
        description: 6-hour CO2 hindcasts from 8 start dates, hybrid emulator and reference model, scored together
        run: runs/default
        cycles:
          calendar: noleap
          from: 2000-01-02T00
          to: 2000-01-03T18
          step: PT6H
        stages:
          carbonbench:
            uses: generate
            when: once
            with: {dataset: carbonbench-mini, days: 3.25, spinup_days: 0, split: "1,0,2.25", seed: 1, threads: 1, truncation: 21}
          hybrid:
            uses: rollout
            with: {checkpoint: "\(root)/Pipelines/checkpoints/unet-hybrid-lowres-co2.safetensors",
                   init: "${carbonbench}/carbonbench-test.nc", days: 0.25, grid: latlon5.625}
          reference:
            uses: transport
            with: {met: "${carbonbench}/carbonbench-test.nc", fluxes: "${carbonbench}/carbonbench-test.nc",
                   init: "${carbonbench}/carbonbench-test.nc", days: 0.25, eddy_diffusion: carbonbench, name: reference}
          evaluation:
            uses: verify
            when: final
            with: {rollouts: ["${hybrid}", "${reference}/transport.nc"], truth: "${carbonbench}/carbonbench-test.nc",
                   leads_days: "0.25"}

        """
    }

    @Test func aHindcastOfEightDatesAsAFourTaskArrayOnALocalSlurmGivesTheBytesOfOneProcess() throws {
        try Self.withLocalSlurm("slurm-hindcast") { folder, environment in
            let pipeline = folder + "/hindcast.yaml"
            PipelineEngineTests.write(Self.hindcast(), pipeline)
            var plain = environment
            for name in ["SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"] { plain[name] = nil }
            let (oneStatus, oneOutput) = try Self.run(Self.executable, ["run", pipeline, "--run-folder", folder + "/one"], environment: plain)
            try #require(oneStatus == 0, "\(oneOutput)")

            let array = folder + "/array"
            let (status, output) = try Self.run(Self.executable, ["submit", pipeline, "--slurm", "--array-size", "4", "--cpus-per-task", "1",
                                                                  "--run-folder", array, "--now"], environment: environment, timeout: 400)
            try #require(status == 0, "plume submit --now: \(output)\n\(Self.arrayLogs(array))")
            let job = try #require(output.firstMatch(of: /submitted array job (\d+) \(4 tasks\)/).map { String($0.1) }, "\(output)")
            #expect(output.contains("array job \(job): all 4 tasks completed"), "\(output)")
            for task in 0..<4 {
                #expect(FileManager.default.fileExists(atPath: "\(array)/.plume/slurm/\(job)_\(task).out"), "no log of array task \(task)")
            }
            let script = try String(contentsOfFile: array + "/.plume/slurm/submit.sbatch", encoding: .utf8)
            #expect(script.contains("--shard \"${SLURM_ARRAY_TASK_ID}/4\" --run-folder '\(array)'"), "\(script)")

            // The same bytes as one process: every output file (18 netCDF, the statistics,
            // the budgets, the scores and figures).
            let one = try Self.digests(folder + "/one"), four = try Self.digests(array)
            #expect(one.count >= 30, "\(one.keys.sorted())")
            #expect(one.keys.filter { $0.hasSuffix("/hybrid.nc") }.count == 8)
            #expect(one.keys.filter { $0.hasSuffix("/reference/transport.nc") }.count == 8)
            #expect(one["evaluation/scores.md"] != nil, "\(one.keys.sorted())")
            #expect(Set(one.keys) == Set(four.keys))
            let differing = one.keys.filter { one[$0] != four[$0] }.sorted()
            #expect(differing.isEmpty, "differ: \(differing)")

            // The same catalog content, and every task ran under the array job, cycle i in
            // array task i mod 4.
            let catalogOne = try RunCatalog(runFolder: folder + "/one"), catalogArray = try RunCatalog(runFolder: array)
            func content(_ catalog: RunCatalog) throws -> [String] {
                try catalog.tasks().map { "\($0.stage) \($0.cycle) \($0.member) \($0.state) \($0.configHash) \($0.inputsHash) \($0.outputHash ?? "")" }
            }
            #expect(try content(catalogOne) == content(catalogArray))
            #expect(try catalogOne.allOutputs().map { "\($0.path) \($0.sha256)" } == catalogArray.allOutputs().map { "\($0.path) \($0.sha256)" })
            let rows = try catalogArray.tasks()
            #expect(rows.count == 1 + 8 * 2 + 1)
            #expect(rows.allSatisfy { $0.state == "done" })
            #expect(try catalogOne.tasks().allSatisfy { $0.slurmJob == nil })
            let cycles = Array(Set(rows.filter { $0.stage == "hybrid" }.map(\.cycle))).sorted()
            #expect(cycles.count == 8)
            for (position, cycle) in cycles.enumerated() {
                for stage in ["hybrid", "reference"] {
                    let row = rows.first { $0.stage == stage && $0.cycle == cycle }
                    #expect(row?.slurmJob == "\(job)_\(position % 4)", "\(stage) \(cycle): \(row?.slurmJob ?? "no Slurm job")")
                }
            }
            #expect(Set(rows.compactMap(\.slurmJob)) == Set((0..<4).map { "\(job)_\($0)" }))
            #expect(Set(rows.filter { $0.stage == "hybrid" }.compactMap(\.pid)).count == 4)

            // plume status shows the array task of each task.
            let (shown, table) = try PipelineEngineTests.plume(["status", array])
            #expect(shown == 0, "\(table)")
            let lines = table.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("host/pid  slurm") == true, "\(table)")
            for (position, cycle) in cycles.enumerated() {
                #expect(lines.contains { $0.hasPrefix("hybrid ") && $0.contains(cycle) && $0.contains(" done ") && $0.contains(" \(job)_\(position % 4)") },
                        "no line for hybrid \(cycle) in array task \(position % 4):\n\(table)")
            }
            #expect(table.contains("18 done"), "\(table)")
            let (_, plainTable) = try PipelineEngineTests.plume(["status", folder + "/one"])
            #expect(!plainTable.contains("slurm"), "\(plainTable)")
            // 16 MB of data: kept only when the outputs differ.
            if differing.isEmpty, Set(one.keys) == Set(four.keys) {
                try? FileManager.default.removeItem(atPath: folder + "/one")
                try? FileManager.default.removeItem(atPath: array)
            }
        }
    }

    @Test func submitNowFailsNamingTheFailedArrayTaskAndItsLog() throws {
        try Self.withLocalSlurm("slurm-failure") { folder, environment in
            // Cycle 2000-01-01 ingests a good netCDF file; 2000-01-02 has no input file.
            let ncgen = Process()
            ncgen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ncgen.arguments = ["ncgen", "-4", "-o", folder + "/in-01.nc", "-"]
            let cdl = Pipe()
            ncgen.standardInput = cdl
            try ncgen.run()
            cdl.fileHandleForWriting.write(Data("""
                netcdf in { dimensions: lat = 2 ; lon = 4 ;
                variables: double lat(lat) ; lat:units = "degrees_north" ; double lon(lon) ; lon:units = "degrees_east" ;
                  float t(lat, lon) ; t:units = "K" ;
                data: lat = -45, 45 ; lon = 0, 90, 180, 270 ; t = 1, 2, 3, 4, 5, 6, 7, 8 ; }

                """.utf8))
            try cdl.fileHandleForWriting.close()
            ncgen.waitUntilExit()
            try #require(ncgen.terminationStatus == 0, "ncgen (netcdf-bin) could not write \(folder)/in-01.nc")
            PipelineEngineTests.write("""
                pipeline: partly-broken
                run: run
                cycles: {from: 2000-01-01, to: 2000-01-02, step: P1D}
                stages:
                  data:
                    uses: ingest
                    with: {input: "in-{cycle:%d}.nc"}
                """, folder + "/p.yaml")
            let (status, output) = try Self.run(Self.executable, ["submit", folder + "/p.yaml", "--slurm", "--array-size", "2",
                                                                  "--cpus-per-task", "1", "--now"], environment: environment, timeout: 300)
            #expect(status == PipelineExit.failed, "\(output)")
            let job = try #require(output.firstMatch(of: /submitted array job (\d+)/).map { String($0.1) }, "\(output)")
            let log = "\(folder)/run/.plume/slurm/\(job)_1.out"
            #expect(output.contains("plume submit: array job \(job) failed"), "\(output)")
            #expect(output.contains("task 1 FAILED (exit 1:0), log \(log)"), "\(output)")
            #expect(!output.contains("task 0 "), "\(output)")
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("input file") && text.contains("in-02.nc"), "\(text)")
            let rows = try RunCatalog(runFolder: folder + "/run").tasks()
            #expect(rows.map(\.state) == ["done", "failed"])
            #expect(rows.map(\.slurmJob) == ["\(job)_0", "\(job)_1"])
        }
    }

    @Test func submitNowWithoutSbatchSaysSo() throws {
        let folder = PipelineEngineTests.folder("slurm-missing")
        PipelineEngineTests.write("""
            pipeline: campaign
            run: run
            cycles: {from: 2000-01-01, to: 2000-01-02, step: P1D}
            stages:
              note:
                uses: text
                with: {text: "note {cycle}"}
            """, folder + "/p.yaml")
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = folder
        let (status, output) = try Self.run(Self.executable, ["submit", folder + "/p.yaml", "--slurm", "--now"], environment: environment)
        #expect(status == PipelineExit.invalid, "\(output)")
        #expect(output.contains("plume submit: --now: sbatch is not on PATH (\(folder))"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: folder + "/run/.plume/slurm/submit.sbatch"))
    }

    @Test func aCatalogFromBeforeTheSlurmColumnOpensAndGainsIt() throws {
        let folder = PipelineEngineTests.folder("slurm-old-catalog")
        try FileManager.default.createDirectory(atPath: folder + "/run/.plume", withIntermediateDirectories: true)
        // The schema and a row as plume wrote them before the slurmJob column.
        PipelineEngineTests.write("""
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1');
            CREATE TABLE "tasks" ("stage" TEXT NOT NULL, "cycle" TEXT NOT NULL, "member" INTEGER NOT NULL, "state" TEXT NOT NULL, \
            "attempts" INTEGER NOT NULL, "started" TEXT, "finished" TEXT, "seconds" DOUBLE, "commandSeconds" DOUBLE, \
            "configHash" TEXT NOT NULL, "inputsHash" TEXT NOT NULL, "inputs" TEXT NOT NULL, "outputHash" TEXT, "error" TEXT, \
            "host" TEXT, "pid" INTEGER, "childPid" INTEGER, PRIMARY KEY ("stage", "cycle", "member"));
            CREATE TABLE "outputs" ("stage" TEXT NOT NULL, "cycle" TEXT NOT NULL, "member" INTEGER NOT NULL, "path" TEXT NOT NULL, \
            "size" INTEGER NOT NULL, "sha256" TEXT NOT NULL, "modified" INTEGER NOT NULL, PRIMARY KEY ("stage", "cycle", "member", "path"));
            CREATE TABLE "file_hashes" ("path" TEXT PRIMARY KEY, "size" INTEGER NOT NULL, "modified" INTEGER NOT NULL, "sha256" TEXT NOT NULL);
            INSERT INTO tasks VALUES ('forecast', '2000-01-01T00:00:00', -1, 'done', 1, NULL, NULL, 2.5, 2.0, 'c', 'i', '{}', 'o', NULL, 'old-host', 42, NULL);

            """, folder + "/old.sql")
        let (created, createOutput) = try Self.run("/usr/bin/env", ["sqlite3", "-bail", folder + "/run/.plume/catalog.sqlite", ".read " + folder + "/old.sql"])
        try #require(created == 0, "sqlite3 (Debian's sqlite3, make deps) could not write the old catalog: \(createOutput)")
        let catalog = try RunCatalog(runFolder: folder + "/run")
        let old = try #require(try catalog.tasks().first)
        #expect(old.host == "old-host" && old.pid == 42 && old.seconds == 2.5)
        #expect(old.slurmJob == nil)
        #expect(!StatusTable.render([old]).contains("slurm"))
        var newer = old
        newer.cycle = "2000-01-02T00:00:00"
        newer.slurmJob = "7_3"
        try catalog.save(newer)
        let rows = try RunCatalog(runFolder: folder + "/run").tasks()
        #expect(rows.map(\.slurmJob) == [nil, "7_3"])
        let table = StatusTable.render(rows).split(separator: "\n").map(String.init)
        #expect(table[0] == "stage     cycle                state  tries  seconds  host/pid     slurm  note", "\(table)")
        #expect(table[3] == "forecast  2000-01-02T00:00:00  done   1      2.5      old-host/42  7_3", "\(table)")
    }

    @Test func theSlurmJobOfAProcessAndTheEndsOfArrayTasks() {
        #expect(SlurmJob.current([:]) == nil)
        #expect(SlurmJob.current(["SLURM_JOB_ID": "12"]) == "12")
        #expect(SlurmJob.current(["SLURM_JOB_ID": "15", "SLURM_ARRAY_JOB_ID": "12", "SLURM_ARRAY_TASK_ID": "3"]) == "12_3")
        #expect(SlurmJob.current(["SLURM_ARRAY_TASK_ID": "3"]) == nil)
        let scontrol = """
            JobId=13 ArrayJobId=12 ArrayTaskId=1 JobName=plume-x UserId=root(0) JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0 RunTime=00:00:01
            JobId=12 ArrayJobId=12 ArrayTaskId=0 JobName=plume-x UserId=root(0) JobState=COMPLETED Reason=None ExitCode=0:0 RunTime=00:00:01

            """
        #expect(SlurmArrayScript.taskEnds(scontrolOutput: scontrol) == [
            .init(task: "1", state: "FAILED", exitCode: "1:0"), .init(task: "0", state: "COMPLETED", exitCode: "0:0")])
        #expect(SlurmArrayScript.logPath(runFolder: "/r", job: "12", task: "1") == "/r/.plume/slurm/12_1.out")
    }
}
