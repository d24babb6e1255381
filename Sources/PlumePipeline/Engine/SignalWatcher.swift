import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM while a run is in progress: the first one is recorded and passed on
/// to the stage's child process (which checkpoints where it can and stops); the engine
/// then records the task as interrupted and exits with `PipelineExit.interrupted`.
final class SignalWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var child: Int32?
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        Glibc.signal(SIGINT, SIG_DFL)
        Glibc.signal(SIGTERM, SIG_DFL)
    }

    private func handle(_ number: Int32) {
        lock.lock()
        received = received ?? number
        let pid = child
        lock.unlock()
        if let pid { kill(pid, SIGTERM) }
    }

    /// The first signal received, if any.
    var receivedSignal: Int32? {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    /// The child process that signals are passed to (nil: none running).
    func setChild(_ pid: Int32?) {
        lock.lock()
        child = pid
        let pending = received
        lock.unlock()
        if let pid, pending != nil { kill(pid, SIGTERM) }
    }
}

/// Exit codes of `plume run`.
public enum PipelineExit {
    /// Every selected task is done or up to date (or waits for a later cycle or another shard).
    public static let success: Int32 = 0
    /// A task failed (after its retries) or was blocked by a failure.
    public static let failed: Int32 = 1
    /// The pipeline file is invalid, or the run folder is locked by another run.
    public static let invalid: Int32 = 2
    /// Stopped by SIGINT or SIGTERM; `plume run` again continues.
    public static let interrupted: Int32 = 75
}
