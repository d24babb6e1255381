import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif
import Torch

/// The part this process plays in a command with `--nproc` (`plume train`, `plume osse`).
enum ParallelRole {
    /// One process: no rank variables, `--nproc 1`.
    case single
    /// One rank of a job (started by `--nproc`, torchrun or srun).
    case rank(RankEnvironment)
    /// The `--nproc` launcher, whose ranks have all ended successfully: nothing is left to do.
    case launched

    /// The role from the rank variables and `--nproc`; as the launcher, starts the ranks and
    /// waits for them (throws `ExitCode` when one failed).
    static func resolve(command: String, nproc: Int, collectiveTimeout: Double, failureHint: String) throws -> ParallelRole {
        guard nproc >= 1 else { throw ValidationError("--nproc \(nproc): expected at least 1") }
        guard collectiveTimeout > 0 else { throw ValidationError("--collective-timeout \(collectiveTimeout): expected seconds > 0") }
        if let rank = try RankEnvironment.detect() {
            if nproc > 1, rank.worldSize != nproc {
                throw ValidationError("--nproc \(nproc) but \(rank.source) says a world of \(rank.worldSize)")
            }
            return rank.worldSize > 1 ? .rank(rank) : .single
        }
        guard nproc > 1 else { return .single }
        let status = try LocalLauncher.run(command: command, processes: nproc, collectiveTimeout: collectiveTimeout, failureHint: failureHint,
                                           log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        if status != 0 { throw ExitCode(status) }
        return .launched
    }
}

/// `plume train --nproc N` (and `plume osse weather --nproc N`) on one machine: starts N copies of this command as ranks 0 … N − 1
/// (torchrun's variables, rank 0 serving the rendezvous on a free port of 127.0.0.1) and waits.
/// When a rank fails, the others end on their own once their next collective fails (at once
/// for a closed connection, at the latest after the collective timeout); any still running
/// after that are stopped, and the launcher exits non-zero naming each rank's end.
enum LocalLauncher {
    static func run(command: String, processes: Int, collectiveTimeout: Double, failureHint: String, log: (String) -> Void) throws -> Int32 {
        let port: Int
        do { port = try ProcessGroup.freeLocalPort() } catch { throw ValidationError("--nproc: \(error)") }
        let executable = RunCommand.executablePath()
        let arguments = Array(CommandLine.arguments.dropFirst())
        var ranks: [Process] = []
        for rank in 0..<processes {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["RANK"] = String(rank)
            environment["LOCAL_RANK"] = String(rank)
            environment["WORLD_SIZE"] = String(processes)
            environment["MASTER_ADDR"] = "127.0.0.1"
            environment["MASTER_PORT"] = String(port)
            process.environment = environment
            do { try process.run() } catch {
                for started in ranks { started.terminate() }
                throw ValidationError("--nproc: cannot start rank \(rank) (\(executable)): \(error.localizedDescription)")
            }
            ranks.append(process)
        }
        log("\(command): \(processes) ranks (pids \(ranks.map { String($0.processIdentifier) }.joined(separator: ", "))), rendezvous 127.0.0.1:\(port)")
        var firstFailure: Date?
        let grace = collectiveTimeout + 10
        while ranks.contains(where: \.isRunning) {
            usleep(100_000)
            if firstFailure == nil, ranks.contains(where: { !$0.isRunning && !ended(cleanly: $0) }) { firstFailure = Date() }
            if let firstFailure, Date().timeIntervalSince(firstFailure) > grace {
                for process in ranks where process.isRunning { process.terminate() }
                for process in ranks { process.waitUntilExit() }
            }
        }
        if ranks.allSatisfy({ ended(cleanly: $0) }) { return 0 }
        for (rank, process) in ranks.enumerated() {
            let how = process.terminationReason == .uncaughtSignal
                ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
            log("\(command): rank \(rank) \(how)")
        }
        log("\(command): the job failed (each rank's own message is above); \(failureHint)")
        return 1
    }

    private static func ended(cleanly process: Process) -> Bool {
        process.terminationReason == .exit && process.terminationStatus == 0
    }
}
