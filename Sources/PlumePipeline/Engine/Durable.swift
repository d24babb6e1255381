import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// fsync of files and folders, and the rename that puts a complete output under its final
/// name.
enum Durable {
    /// fsync of `path` (a file or a folder).
    static func sync(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// fsync of every file and folder under `path` (and `path`).
    static func syncTree(_ path: String) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
        if isFolder.boolValue, let names = FileManager.default.enumerator(atPath: path) {
            for case let name as String in names { sync(path + "/" + name) }
        }
        sync(path)
    }

    /// Removes what killed writers left in an output folder: the temporary files of
    /// `AtomicFile` / `PendingFile` (`.NAME.partial-PID-RANDOM`), never part of an output.
    static func removeLeftovers(in path: String) {
        guard let names = FileManager.default.enumerator(atPath: path) else { return }
        for case let name as String in names where (name as NSString).lastPathComponent.hasPrefix(".") && name.contains(".partial-") {
            try? FileManager.default.removeItem(atPath: path + "/" + name)
        }
    }

    /// Moves the complete `staging` output to `final` (replacing what was there) with
    /// rename(2), then syncs the folder: `final` holds the old output or the new one, never
    /// a part.
    static func promote(_ staging: String, to final: String, trash: String) throws(PipelineError) {
        let fm = FileManager.default
        let parent = (final as NSString).deletingLastPathComponent
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            syncTree(staging)
            var old: String?
            if fm.fileExists(atPath: final) {
                try fm.createDirectory(atPath: trash, withIntermediateDirectories: true)
                let moved = trash + "/" + UUID().uuidString
                guard rename(final, moved) == 0 else { throw PipelineError.io(path: final, reason: "cannot move the old output aside: \(String(cString: strerror(errno)))") }
                old = moved
            }
            guard rename(staging, final) == 0 else {
                throw PipelineError.io(path: final, reason: "cannot rename \(staging) into place: \(String(cString: strerror(errno)))")
            }
            sync(parent)
            if let old { try? fm.removeItem(atPath: old) }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw .io(path: final, reason: "\(error)")
        }
    }
}
