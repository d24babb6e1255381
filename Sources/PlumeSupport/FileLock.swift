import Foundation

/// Why a `FileLock` was not taken.
public enum FileLockError: Error, Sendable, Equatable {
    /// Another holder has it; `record` is what that holder wrote into the file (maybe empty).
    case held(path: String, record: Data)
    /// The file could not be opened, locked or written.
    case failed(path: String, reason: String)
}

/// An exclusive `flock(2)` on a file, with a record of the holder written into it.
///
/// The kernel releases the lock when the holding process exits in any way (SIGKILL too), so
/// a lock is never stale. Lock files are the one kind of file Plume creates in place rather
/// than through `AtomicFile`/`PendingFile`: their content is advisory and rewritten by every
/// holder.
public final class FileLock: @unchecked Sendable {
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock on `path` (created if missing; its folder must exist) without waiting,
    /// then replaces the file's content with `record` and flushes it.
    public static func acquire(path: String, record: Data) throws(FileLockError) -> FileLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .failed(path: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            close(fd)
            guard reason == EWOULDBLOCK else { throw .failed(path: path, reason: "cannot lock: \(String(cString: strerror(reason)))") }
            throw .held(path: path, record: FileManager.default.contents(atPath: path) ?? Data())
        }
        let written = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard ftruncate(fd, off_t(record.count)) == 0, written == record.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .failed(path: path, reason: "cannot write the holder record: \(reason)")
        }
        return FileLock(path: path, descriptor: fd)
    }

    /// Releases the lock (also done when the object goes away or the process exits). The file
    /// stays, with the last holder's record.
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
