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
