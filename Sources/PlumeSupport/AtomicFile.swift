import Foundation

/// The one way Plume writes a file: under a temporary name in the destination's folder,
/// flushed to disk (`fsync`), renamed over the destination, and the folder flushed too.
/// A failed or interrupted write never leaves a partial file under the destination name,
/// and a reader never sees one.
///
/// ```swift
/// try AtomicFile.write(jsonData, to: "out/statistics.json")
/// try AtomicFile.write(to: "out/field.nc") { temporary in try writeNetCDF(at: temporary) }
/// ```
///
/// Writers that hold a file open across calls (streams, GRIB writers) use `PendingFile`.
public enum AtomicFile {
    /// Runs `body` with the path of a fresh, empty temporary file beside `destination`, then
    /// commits it (flush, rename, flush of the folder). When `body` or the commit throws, the
    /// temporary file is removed and the error rethrown; `destination` is left as it was.
    public static func write(to destination: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        let pending = try PendingFile(destination: destination)
        do {
            try body(pending.temporaryPath)
            try pending.commit()
        } catch {
            pending.discard()
            throw error
        }
    }

    /// Writes `data` to `destination` atomically.
    public static func write(_ data: Data, to destination: String) throws(AtomicWriteError) {
        let pending = try PendingFile(destination: destination)
        do throws(AtomicWriteError) {
            try pending.append(data)
            try pending.commit()
        } catch {
            pending.discard()
            throw error
        }
    }

    /// Writes `text` as UTF-8 to `destination` atomically.
    public static func write(text: String, to destination: String) throws(AtomicWriteError) {
        try write(Data(text.utf8), to: destination)
    }
}
