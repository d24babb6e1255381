import Foundation

/// A lock serialising calls into a C library that is not thread-safe.
final class LibraryLock: @unchecked Sendable {
    private let lock = NSLock()

    /// Runs `body` while holding the lock. Not re-entrant.
    func withLock<T>(_ body: (()) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(())
    }
}

/// netCDF-C and the HDF5 library under it are not thread-safe: every call into either
/// goes through this lock.
let netCDFAndHDF5Lock = LibraryLock()

/// ecCodes keeps global state (its context, definition caches): calls go through this lock.
let ecCodesLock = LibraryLock()

import CHDF5

/// HDF5 prints its error stack to standard error by default, also for the failed probes
/// netCDF-C makes on purpose. Plume reports errors itself, so printing is turned off once.
let hdf5ErrorPrintingOff: Void = netCDFAndHDF5Lock.withLock { _ in plume_h5_silence_errors() }
