/// Why a figure could not be written. Every case names the output file.
public enum PlotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data or the figure's settings cannot be drawn (empty series, mismatched shapes, …).
    case invalidInput(path: String, reason: String)
    /// The output file (or its temporary sibling) could not be created, written or renamed.
    case cannotWrite(path: String, reason: String)
    /// PLplot reported an error while drawing, or produced no PNG.
    case renderingFailed(path: String, message: String)

    /// The output path the failed figure was meant for.
    public var path: String {
        switch self {
        case .invalidInput(let path, _), .cannotWrite(let path, _), .renderingFailed(let path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .invalidInput(let path, let reason):
            return "cannot plot \(path): \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write plot \(path): \(reason); check that the folder exists and is writable"
        case .renderingFailed(let path, let message):
            return "PLplot failed while drawing \(path): \(message)"
        }
    }
}
