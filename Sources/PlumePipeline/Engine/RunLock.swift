import Foundation
import PlumeSupport

/// An exclusive lock on one piece of a run folder (a cycle, or the whole run), held by one
/// process at a time and named by its holder.
///
/// The lock is a `FileLock` (`flock(2)`) on `FOLDER/.plume/locks/NAME.lock`: the kernel releases it when
/// the holder exits in any way, SIGKILL included, so a lock is never stale; the next process
/// takes it over and rewrites the holder record. The file holds the holder (host, pid,
/// start time, command) so that a refused process can say who has it. Works across the
/// processes of one machine and, where the file system supports `flock` (local disks, NFS
/// v4, Lustre with `flock` mounts), across machines.
public final class RunLock: @unchecked Sendable {
    /// Who holds a lock.
    public struct Holder: Codable, Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var pid: Int32
        /// UTC, ISO 8601.
        public var started: String
        public var command: String

        public var description: String { "pid \(pid) on \(host), since \(started) (\(command))" }

        /// This process, now.
        public static func current() -> Holder {
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            return Holder(host: ProcessInfo.processInfo.hostName, pid: getpid(), started: formatter.string(from: Date()),
                          command: CommandLine.arguments.joined(separator: " "))
        }
    }

    /// The lock file.
    public let path: String
    public let holder: Holder
    private let lock: FileLock

    private init(path: String, holder: Holder, lock: FileLock) {
        self.path = path
        self.holder = holder
        self.lock = lock
    }

    /// Takes the lock `name` (letters, digits, `-`, `_`, `.`) of run folder `folder`, creating
    /// the folders it needs.
    /// - Throws: `PipelineError.locked` naming the holder when another process (or another
    ///   lock object of this one) has it; `invalidValue` when the file cannot be made.
    public static func acquire(folder: String, name: String) throws(PipelineError) -> RunLock {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }), name != ".", name != ".." else {
            throw .invalidValue(what: "lock name '\(name)'", reason: "expected letters, digits, '-', '_' or '.'")
        }
        let directory = folder + "/.plume/locks"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .invalidValue(what: "run folder \(folder)", reason: "cannot create \(directory): \(error)")
        }
        let path = directory + "/" + name + ".lock"
        let holder = Holder.current()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let record = ((try? encoder.encode(holder)) ?? Data()) + Data("\n".utf8)
        do {
            return RunLock(path: path, holder: holder, lock: try FileLock.acquire(path: path, record: record))
        } catch {
            switch error {
            case .held(_, let data):
                let other = try? JSONDecoder().decode(Holder.self, from: data)
                throw .locked(path: path, holder: other?.description ?? "another process (no holder record yet)")
            case .failed(_, let reason):
                throw .invalidValue(what: path, reason: reason)
            }
        }
    }

    /// Takes the lock `name`, waiting while another process holds it: polls every
    /// `pollSeconds` until it is free, `timeoutSeconds` have passed (then throws `.locked`,
    /// naming the holder) or `stop()` says to give up (then returns nil).
    public static func acquire(folder: String, name: String, waitingUpTo timeoutSeconds: Double, pollSeconds: Double = 0.1,
                               stop: () -> Bool = { false }) throws(PipelineError) -> RunLock? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            do {
                return try acquire(folder: folder, name: name)
            } catch {
                guard case .locked = error, Date() < deadline else { throw error }
                if stop() { return nil }
                usleep(UInt32(pollSeconds * 1_000_000))
            }
        }
    }

    /// Releases the lock (also done when the object goes away or the process exits). The
    /// file stays, with the last holder's record.
    public func release() { lock.release() }
}
