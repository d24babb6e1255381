import PlumeSupport

extension PlumeIOError {
    /// The error of the project's atomic writer (`PlumeSupport.AtomicFile`), in PlumeIO's terms.
    init(_ error: AtomicWriteError) {
        self = .writeFailed(file: error.file, reason: error.reason)
    }
}

/// `PlumeSupport.AtomicFile.write(to:_:)` with its own failures reported as
/// `PlumeIOError.writeFailed`; errors of `body` pass through unchanged.
func writeAtomically(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
    do {
        try AtomicFile.write(to: path, body)
    } catch let error as AtomicWriteError {
        throw PlumeIOError(error)
    }
}
