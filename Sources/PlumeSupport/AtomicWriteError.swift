/// A file could not be written: the destination and why.
public struct AtomicWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The destination path the caller asked for.
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
