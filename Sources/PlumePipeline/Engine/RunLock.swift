import Foundation

/// An exclusive lock on one piece of a run folder (a cycle, or the whole run), held by one
/// process at a time and named by its holder.
///
/// The lock is a `flock(2)` on `FOLDER/.plume/locks/NAME.lock`: the kernel releases it when
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
    private var descriptor: Int32

    private init(path: String, holder: Holder, descriptor: Int32) {
        self.path = path
        self.holder = holder
        self.descriptor = descriptor
    }

    deinit { release() }

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
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .invalidValue(what: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let data = FileManager.default.contents(atPath: path) ?? Data()
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw .invalidValue(what: path, reason: "cannot lock: \(String(cString: strerror(reason)))")
            }
            let holder = try? JSONDecoder().decode(Holder.self, from: data)
            throw .locked(path: path, holder: holder?.description ?? "another process (no holder record yet)")
        }
        let holder = Holder.current()
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let record = try encoder.encode(holder) + Data("\n".utf8)
            guard ftruncate(fd, 0) == 0 else { throw PipelineError.invalidValue(what: path, reason: "cannot truncate") }
            let written = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            guard written == record.count else { throw PipelineError.invalidValue(what: path, reason: "cannot write the holder") }
            fsync(fd)
        } catch {
            close(fd)
            throw .invalidValue(what: path, reason: "\(error)")
        }
        return RunLock(path: path, holder: holder, descriptor: fd)
    }

    /// Releases the lock (also done when the object goes away or the process exits). The
    /// file stays, with the last holder's record.
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
