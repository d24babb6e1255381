import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An append-only log file (a pipeline task's log): the other kind of file, beside lock
/// files, that is written in place — a log is read while it grows and is never an output.
/// Opened with `O_APPEND`, so the engine's lines and a child process's output interleave
/// without overwriting each other.
public final class AppendLog: @unchecked Sendable {
    public let path: String
    /// The open file, for a child process's stdout and stderr.
    public let fileHandle: FileHandle

    /// Opens `path` for appending, creating it (and its folder) when missing.
    public init(path: String) throws(AtomicWriteError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw AtomicWriteError(file: path, reason: "\(error)")
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicWriteError(file: path, reason: String(cString: strerror(errno))) }
        fileHandle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Appends `text`.
    public func append(_ text: String) {
        fileHandle.write(Data(text.utf8))
    }
}
