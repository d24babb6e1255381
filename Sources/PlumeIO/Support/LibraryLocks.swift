import CHDF5
import Foundation

/// A lock serialising calls into a C library that is not thread-safe.
package final class LibraryLock: @unchecked Sendable {
    private let lock = NSLock()
    private let onAcquire: (@Sendable () -> Void)?

    /// A lock; `onAcquire` runs each time it is taken, before the body.
    package init(onAcquire: (@Sendable () -> Void)? = nil) {
        self.onAcquire = onAcquire
    }

    /// Runs `body` while holding the lock. Not re-entrant.
    package func withLock<T>(_ body: (()) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        onAcquire?()
        return try body(())
    }
}

/// netCDF-C and the HDF5 library under it are not thread-safe: every call into either
/// goes through this lock. HDF5 prints its error stack to standard error by default, also
/// for the failed probes netCDF-C makes on purpose; Plume reports errors itself. HDF5 keeps
/// that switch per thread (Debian builds it thread-safe), so each holder turns printing off
/// for its own thread first.
package let netCDFAndHDF5Lock = LibraryLock(onAcquire: { plume_h5_silence_errors() })

/// ecCodes keeps global state (its context, definition caches): calls go through this lock.
package let ecCodesLock = LibraryLock()
