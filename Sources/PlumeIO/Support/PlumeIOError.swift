/// Every failure of Plume's readers and writers. Each case names the file and, where it
/// applies, the message or variable, and says what was expected; `description` is the
/// one-line message shown to users.
public enum PlumeIOError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file does not exist or cannot be opened.
    case cannotOpen(file: String, reason: String)
    /// The file is not in a format Plume reads (or not the one its name says).
    case unrecognisedFormat(file: String, expected: String, found: String)
    /// A C library refused a call; `context` says on what (a variable, a message, a group).
    case library(file: String, context: String, library: String, message: String)
    /// A GRIB message is damaged; `index` counts from 1 as `grib_ls` does.
    case corruptMessage(file: String, index: Int, offset: Int, reason: String)
    /// The variable asked for is not in the file.
    case missingVariable(file: String, variable: String, available: [String])
    /// A selection or argument does not fit the variable.
    case invalidRequest(file: String, variable: String, reason: String)
    /// The file holds something Plume does not handle yet.
    case unsupported(file: String, context: String, what: String)
    /// Writing the output failed; nothing is left under the output name.
    case writeFailed(file: String, reason: String)
    /// The file is shorter than its header says: `variable` (the first one cut, in file
    /// order) should end at byte `expectedEnd`, the file has `fileSize` bytes.
    case truncated(file: String, variable: String, expectedEnd: Int64, fileSize: Int64)

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason):
            "\(file): cannot open: \(reason)"
        case .unrecognisedFormat(let file, let expected, let found):
            "\(file): expected \(expected), found \(found)"
        case .library(let file, let context, let library, let message):
            "\(file): \(context): \(library) error: \(message)"
        case .corruptMessage(let file, let index, let offset, let reason):
            "\(file): message \(index) (byte offset \(offset)): \(reason)"
        case .missingVariable(let file, let variable, let available):
            "\(file): no variable '\(variable)'; the file has: \(available.joined(separator: ", "))"
        case .invalidRequest(let file, let variable, let reason):
            "\(file): variable '\(variable)': \(reason)"
        case .unsupported(let file, let context, let what):
            "\(file): \(context): not supported: \(what)"
        case .writeFailed(let file, let reason):
            "\(file): cannot write: \(reason)"
        case .truncated(let file, let variable, let expectedEnd, let fileSize):
            "\(file): the file is truncated: its header puts the end of variable '\(variable)' at byte \(expectedEnd), but the file has only \(fileSize) bytes (\(expectedEnd - fileSize) missing)"
        }
    }
}
