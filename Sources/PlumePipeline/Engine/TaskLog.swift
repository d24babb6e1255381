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

    /// The last `count` non-empty lines of the log (for error messages).
    func tail(_ count: Int = 3) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let lines = String(decoding: data.suffix(8192), as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: "\r").last.map(String.init) ?? "" }
            .filter { !$0.isEmpty && !$0.hasPrefix("[plume ") }
        return lines.suffix(count).joined(separator: " | ")
    }
}
