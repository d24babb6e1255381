/// Why a `MeshGNN` cannot be built or applied: the configuration key, grid or tensor and
/// what was expected.
public enum MeshGNNError: Error, CustomStringConvertible, Sendable {
    /// A configuration value out of range (`key` as spelled in the model file).
    case invalidConfiguration(key: String, reason: String)
    /// The grid cannot carry the graphs.
    case invalidGrid(reason: String)
    /// An input tensor of the wrong shape.
    case invalidInput(expected: String, got: [Int])

    public var description: String {
        switch self {
        case let .invalidConfiguration(key, reason): "MeshGNN configuration '\(key)': \(reason)"
        case let .invalidGrid(reason): "MeshGNN grid: \(reason)"
        case let .invalidInput(expected, got): "MeshGNN input: expected \(expected), got shape \(got)"
        }
    }
}
