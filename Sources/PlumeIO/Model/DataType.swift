/// The element type of a variable as stored in a file.
public enum DataType: String, Sendable, Codable, CaseIterable {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float32, float64
    case char, string

    /// Whether values of this type can be read as numbers.
    public var isNumeric: Bool { self != .char && self != .string }

    /// Size of one element in bytes (strings count as a pointer).
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .char: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .string: 8
        }
    }
}
