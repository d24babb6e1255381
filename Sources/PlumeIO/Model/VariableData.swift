/// Values held in memory for a variable, in row-major order of its dimensions.
public enum VariableData: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])

    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        }
    }

    /// The type these values are stored as in a file.
    public var dataType: DataType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .int32: .int32
        case .int64: .int64
        }
    }

    /// The values converted to `Double`.
    public var doubles: [Double] {
        switch self {
        case .float32(let v): v.map(Double.init)
        case .float64(let v): v
        case .int32(let v): v.map(Double.init)
        case .int64(let v): v.map(Double.init)
        }
    }
}
