import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `plume train --nproc N` (and `plume osse weather --nproc N`) on one machine: starts N copies of this command as ranks 0 … N − 1
/// (torchrun's variables, rank 0 serving the rendezvous on a free port of 127.0.0.1) and waits.
/// When a rank fails, the others end on their own once their next collective fails (at once
/// for a closed connection, at the latest after the collective timeout); any still running
/// after that are stopped, and the launcher exits non-zero naming each rank's end.
enum LocalLauncher {
    static func run(command: String = "plume train", processes: Int, collectiveTimeout: Double,
                    failureHint: String = "where rank 0 wrote a checkpoint, --resume continues from it", log: (String) -> Void) throws -> Int32 {
        let port = try freePort()
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

    /// A TCP port of 127.0.0.1 free at the time of asking (bound to 0, read back, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ValidationError("--nproc: cannot open a socket to find a free port (errno \(errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ValidationError("--nproc: cannot bind a socket on 127.0.0.1 (errno \(errno))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ValidationError("--nproc: getsockname failed (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
