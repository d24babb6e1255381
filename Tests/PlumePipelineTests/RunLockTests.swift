import Foundation
import Testing
@testable import PlumePipeline

/// The run-folder lock: a second holder is refused with a message naming the first; a lock
/// whose holder was killed with SIGKILL is free again; names cannot escape the lock folder.
@Suite(.serialized) struct RunLockTests {
    static func folder() throws -> String {
        let folder = NSTemporaryDirectory() + "plume-lock-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a second holder is refused, naming the first; another name is free; after release it is taken")
    func exclusive() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try RunLock.acquire(folder: folder, name: "cycle-2004010100")
        #expect(first.holder.pid == getpid())
        do {
            _ = try RunLock.acquire(folder: folder, name: "cycle-2004010100")
            Issue.record("a second holder got the lock")
        } catch {
            let text = "\(error)"
            #expect(text.contains("cycle-2004010100.lock is held by pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"), "\(text)")
        }
        let other = try RunLock.acquire(folder: folder, name: "cycle-2004010106")
        other.release()
        first.release()
        let second = try RunLock.acquire(folder: folder, name: "cycle-2004010100")
        let record = try JSONDecoder().decode(RunLock.Holder.self, from: try Data(contentsOf: URL(fileURLWithPath: second.path)))
        #expect(record == second.holder)
    }

    @Test("a lock whose holder is killed with SIGKILL is taken over")
    func killedHolder() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Make the file, then let another process (util-linux flock) hold it.
        try RunLock.acquire(folder: folder, name: "run").release()
        let path = folder + "/.plume/locks/run.lock"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // -o: flock itself holds the lock (the command does not inherit it), so killing flock frees it.
        holder.arguments = ["-o", path, "sleep", "3"]
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        // Wait until it holds the lock.
        var refused = false
        for _ in 0..<100 {
            do {
                try RunLock.acquire(folder: folder, name: "run").release()
                usleep(20_000)
            } catch {
                #expect("\(error)".contains("is held by"))
                refused = true
                break
            }
        }
        #expect(refused, "the other process never held the lock")
        kill(holder.processIdentifier, SIGKILL)
        // The kernel frees the lock when the killed process is gone (its orphaned `sleep`
        // does not hold it); poll for that rather than wait for the child's exit status.
        var taken: RunLock?
        for _ in 0..<200 where taken == nil {
            taken = try? RunLock.acquire(folder: folder, name: "run")
            if taken == nil { usleep(10_000) }
        }
        #expect(taken?.holder.pid == getpid(), "the lock of a killed holder was not freed within 2 s")
    }

    @Test("lock names are plain names")
    func names() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for bad in ["", "..", "a/b", "../x", "cycle 1"] {
            #expect(throws: PipelineError.self, "\(bad)") { try RunLock.acquire(folder: folder, name: bad) }
        }
    }
}
