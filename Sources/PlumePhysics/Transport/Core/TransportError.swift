import PlumeGrids
import PlumeIngest

/// Failures of the tracer transport model: which input, what was expected.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The grid cannot carry the transport model (not global, pole points, odd longitude count…).
    case invalidGrid(reason: String)
    /// An array has the wrong number of values.
    case shapeMismatch(name: String, expected: Int, actual: Int)
    /// A value is out of range (non-positive air mass, NaN, negative time step…).
    case invalidValue(name: String, reason: String)
    /// The step could not be made stable even with `substeps` sub-steps.
    case unstable(substeps: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidGrid(let reason): "transport grid: \(reason)"
        case .shapeMismatch(let name, let expected, let actual):
            "\(name): expected \(expected) values, got \(actual)"
        case .invalidValue(let name, let reason): "\(name): \(reason)"
        case .unstable(let substeps, let reason):
            "advection unstable even with \(substeps) sub-steps: \(reason)"
        }
    }
}

extension TransportError {
    /// A failure of the model's inputs, as a transport failure of the same kind.
    public init(_ error: IngestError) {
        switch error {
        case .invalidGrid(let reason): self = .invalidGrid(reason: reason)
        case .shapeMismatch(let name, let expected, let actual): self = .shapeMismatch(name: name, expected: expected, actual: actual)
        case .invalidValue(let name, let reason): self = .invalidValue(name: name, reason: reason)
        }
    }

    /// A grid that cannot carry the transport model.
    public init(_ error: GridError) {
        switch error {
        case .invalidGeometry(let reason): self = .invalidGrid(reason: reason)
        default: self = .invalidGrid(reason: error.description)
        }
    }
}
