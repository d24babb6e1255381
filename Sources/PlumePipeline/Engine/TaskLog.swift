import Foundation
import Logging
import PlumeSupport

/// A swift-log handler that appends to a task's log file, `RUN/.plume/logs/STAGE/CYCLE.log`,
/// which also receives the stage command's output.
struct TaskLogHandler: LogHandler {
    let log: AppendLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let line = "[plume \(formatter.string(from: Date())) \(event.level)] \(event.message)\n"
        log.append(line)
    }
}

/// The log file of a task, opened for appending.
struct TaskLog {
    let path: String
    let file: AppendLog
    let logger: Logger

    var handle: FileHandle { file.fileHandle }

    init(path: String) throws(PipelineError) {
        self.path = path
        do { file = try AppendLog(path: path) } catch { throw .io(path: path, reason: error.reason) }
        let log = file
        logger = Logger(label: "plume.pipeline") { _ in TaskLogHandler(log: log) }
    }

    /// The last `count` lines the command wrote (not the engine's; a progress line's last
    /// state), read from the end of the log only.
    func tail(_ count: Int = 3, bytes: UInt64 = 8192) -> String {
        Self.commandLines(path: path, bytes: bytes).suffix(count).joined(separator: " | ")
    }

    /// The command's non-empty lines in the last `bytes` of the log at `path`.
    static func commandLines(path: String, bytes: UInt64) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = handle.seekToEndOfFile()
        handle.seek(toFileOffset: size > bytes ? size - bytes : 0)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: "\r").last.map(String.init) ?? "" }
            .filter { !$0.isEmpty && !$0.hasPrefix("[plume ") }
    }
}
