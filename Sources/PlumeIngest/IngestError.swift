/// Failures reading model inputs (meteorology, surface fluxes) from files or preparing them
/// on the model grid: which file or input, which variable, what was expected.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The grid cannot carry the input (not global, pole points, another grid than the model's…).
    case invalidGrid(reason: String)
    /// An array has the wrong number of values.
    case shapeMismatch(name: String, expected: Int, actual: Int)
    /// A value, variable or file is unusable: `name` says which, `reason` what was expected.
    case invalidValue(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidGrid(let reason): "transport grid: \(reason)"
        case .shapeMismatch(let name, let expected, let actual):
            "\(name): expected \(expected) values, got \(actual)"
        case .invalidValue(let name, let reason): "\(name): \(reason)"
        }
    }
}
