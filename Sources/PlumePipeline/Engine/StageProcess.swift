import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stage command run as a child `plume` process in the run folder: arguments straight to
/// the executable (no shell), stdout and stderr appended to the task's log, signals passed
/// on, and the child tied to the engine's life (PLUME_PIPELINE_PARENT).
struct StageProcess {
    let executable: String
    let arguments: [String]
    let workingFolder: String
    let log: TaskLog
    /// `key=value` lines for PLUME_PROVENANCE (the `plume_*` attributes of its netCDF outputs).
    var provenance: [(String, String)] = []

    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Runs to the end. `started` receives the child's pid; `progress` (when set) receives
    /// the log's last line about twice a second.
    func run(signals: SignalWatcher, started: (Int32) -> Void, progress: (@Sendable (String) -> Void)?) throws(PipelineError) -> Ending {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingFolder)
        var environment = ProcessInfo.processInfo.environment
        environment["PLUME_PIPELINE_PARENT"] = String(getpid())
        environment["PLUME_PROVENANCE"] = provenance.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
        process.environment = environment
        process.standardOutput = log.handle
        process.standardError = log.handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .io(path: executable, reason: "cannot start: \(error)")
        }
        signals.setChild(process.processIdentifier)
        started(process.processIdentifier)
        var timer: (any DispatchSourceTimer)?
        if let progress {
            let source = DispatchSource.makeTimerSource(queue: .global())
            let path = log.path
            source.schedule(deadline: .now() + 0.5, repeating: 0.5)
            source.setEventHandler {
                if let last = TaskLog.commandLines(path: path, bytes: 400).last { progress(last) }
            }
            source.resume()
            timer = source
        }
        process.waitUntilExit()
        timer?.cancel()
        signals.setChild(nil)
        switch process.terminationReason {
        case .exit: return .exited(process.terminationStatus)
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }
}
