import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of files and folders, streamed in 1 MiB blocks.
public enum ContentDigest {
    /// One file of an output, relative to the run folder.
    public struct Entry: Sendable, Equatable, Codable {
        public var path: String
        public var size: Int64
        public var sha256: String
        /// Modification time, ns since 1970 (to skip re-hashing unchanged files).
        public var modified: Int64
    }

    /// The hex SHA-256 of a file's bytes.
    public static func file(_ path: String) throws(PipelineError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io(path: path, reason: "cannot be read for hashing") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let block: Data
            do { block = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw .io(path: path, reason: "read failed: \(error)") }
            if block.isEmpty { break }
            hasher.update(data: block)
        }
        return hex(hasher.finalize())
    }

    /// The digest of an input: a file's SHA-256, or a folder's `combined` digest of its files.
    public static func input(_ path: String) throws(PipelineError) -> String {
        if fileInfo(path) != nil { return try file(path) }
        return combined(try entries(of: path, relativeTo: path), base: path)
    }

    /// The hex SHA-256 of `text`.
    public static func text(_ text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Size and modification time (ns), or nil when `path` is not a regular file.
    static func fileInfo(_ path: String) -> (size: Int64, modified: Int64)? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int64(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// Every regular file of `path` (itself when a file; a folder's files, sorted by path),
    /// hashed. `relativeTo` is removed from the front of the paths recorded.
    public static func entries(of path: String, relativeTo root: String) throws(PipelineError) -> [Entry] {
        var files: [String] = []
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .io(path: path, reason: "missing") }
        if isFolder.boolValue {
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { throw .io(path: path, reason: "cannot list") }
            for case let name as String in enumerator where fileInfo(path + "/" + name) != nil { files.append(path + "/" + name) }
            files.sort()
        } else {
            files = [path]
        }
        var out: [Entry] = []
        for file in files {
            guard let info = fileInfo(file) else { continue }
            let relative = file.hasPrefix(root + "/") ? String(file.dropFirst(root.count + 1)) : file
            out.append(Entry(path: relative, size: info.size, sha256: try self.file(file), modified: info.modified))
        }
        return out
    }

    /// The digest of a set of entries: SHA-256 of `path size sha256` lines, with paths taken
    /// relative to `base` (so an output's digest does not depend on where it lies).
    public static func combined(_ entries: [Entry], base: String) -> String {
        text(entries.map { entry in
            let relative = entry.path == base ? "." : (entry.path.hasPrefix(base + "/") ? String(entry.path.dropFirst(base.count + 1)) : entry.path)
            return "\(relative) \(entry.size) \(entry.sha256)\n"
        }.joined())
    }
}
