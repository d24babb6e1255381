import Foundation

/// Writes go to a temporary name beside the destination and are renamed into place only
/// when complete, so a failed or interrupted write never leaves a partial file under the
/// destination name.
enum AtomicFile {
    /// Runs `write` with a temporary path in the destination's folder, then renames it to
    /// `destination`. On any error the temporary file is removed and the error rethrown.
    static func write(to destination: String, _ write: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PlumeIOError.writeFailed(file: destination, reason: "folder '\(folder)' does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw PlumeIOError.writeFailed(file: destination, reason: "folder '\(folder)' is not writable")
        }
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            throw PlumeIOError.writeFailed(file: destination, reason: "a folder exists under that name")
        }
        let temporary = folder + "/." + url.lastPathComponent + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try write(temporary)
            if rename(temporary, destination) != 0 {
                let reason = String(cString: strerror(errno))
                throw PlumeIOError.writeFailed(file: destination, reason: "rename from temporary file failed: \(reason)")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
