/// Failures computing a metric: which input, what was expected.
public enum VerifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two arrays that must match have different lengths.
    case shapeMismatch(name: String, expected: Int, actual: Int)
    /// The metric is undefined for these values (no weight, constant reference…).
    case undefined(metric: String, reason: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let name, let expected, let actual): "\(name): expected \(expected) values, got \(actual)"
        case .undefined(let metric, let reason): "\(metric) is undefined: \(reason)"
        }
    }
}
