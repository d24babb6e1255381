import Foundation

/// A file under construction: created empty under a unique temporary name in its
/// destination's folder, written by the caller (through `temporaryPath`, or `append`), and
/// then either committed — flushed, renamed over the destination, the folder flushed — or
/// discarded. Dropping a pending file that was never committed removes the temporary file.
///
/// Not thread-safe: one writer owns it.
public final class PendingFile {
    /// The final path.
    public let destination: String
    /// Where the content is written until `commit()`: `.NAME.partial-PID-RANDOM` beside
    /// the destination, so the rename never crosses a file system.
    public let temporaryPath: String
    private var descriptor: Int32 = -1
    private var state: State = .open

    private enum State { case open, committed, discarded }

    /// Reserves the temporary file (created empty, exclusive). Fails when the destination's
    /// folder does not exist or is not writable, or a folder has the destination's name.
    public init(destination: String) throws(AtomicWriteError) {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AtomicWriteError(file: destination, reason: "folder '\(folder)' does not exist")
        }
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            throw AtomicWriteError(file: destination, reason: "a folder exists under that name")
        }
        let unique = UInt32.random(in: 0...UInt32.max)
        temporaryPath = folder + "/." + url.lastPathComponent
            + ".partial-\(ProcessInfo.processInfo.processIdentifier)-" + String(unique, radix: 16)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AtomicWriteError(file: destination,
                                   reason: "cannot create a temporary file in '\(folder)': \(Self.lastError())")
        }
    }

    deinit {
        if state == .open { discard() }
    }

    /// Appends `data` to the temporary file.
    public func append(_ data: Data) throws(AtomicWriteError) {
        guard state == .open else { throw AtomicWriteError(file: destination, reason: "append after the file was \(state)") }
        var failure: String?
        data.withUnsafeBytes { raw in
            guard var base = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                let written = Foundation.write(descriptor, base, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = Self.lastError()
                    return
                }
                left -= written
                base += written
            }
        }
        if let failure { throw AtomicWriteError(file: destination, reason: "write to \(temporaryPath) failed: \(failure)") }
    }

    /// Appends raw bytes to the temporary file.
    public func append(_ bytes: [UInt8]) throws(AtomicWriteError) {
        try append(Data(bytes))
    }

    /// Flushes the temporary file (whatever wrote it: this object or a library given
    /// `temporaryPath`), renames it to `destination` and flushes the folder. After a failure
    /// the temporary file is removed.
    public func commit() throws(AtomicWriteError) {
        guard state == .open else { throw AtomicWriteError(file: destination, reason: "commit after the file was \(state)") }
        // A library may have replaced the file under the temporary name (unlink + create):
        // flush what is under the name now, not only the descriptor opened at the start.
        let current = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard current >= 0 else {
            let reason = Self.lastError()
            discard()
            throw AtomicWriteError(file: destination, reason: "temporary file \(temporaryPath) vanished: \(reason)")
        }
        let flushed = fsync(current) == 0 && fsync(descriptor) == 0
        let flushError = Self.lastError()
        close(current)
        guard flushed else {
            discard()
            throw AtomicWriteError(file: destination, reason: "flushing \(temporaryPath) failed: \(flushError)")
        }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, destination) == 0 else {
            let reason = Self.lastError()
            discard()
            throw AtomicWriteError(file: destination, reason: "rename from \(temporaryPath) failed: \(reason)")
        }
        state = .committed
        // Make the rename durable (best effort: not every file system can flush a folder).
        let folder = open(URL(fileURLWithPath: destination).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Removes the temporary file; the destination is untouched. Calling it again does nothing.
    public func discard() {
        guard state == .open else { return }
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
        state = .discarded
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
