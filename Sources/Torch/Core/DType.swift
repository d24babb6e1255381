import CTorch

/// Element type of a tensor. Raw values are libtorch's `c10::ScalarType` codes.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0
    case int8 = 1
    case int16 = 2
    case int32 = 3
    case int64 = 4
    case float16 = 5
    case float32 = 6
    case float64 = 7
    case complex64 = 9
    case complex128 = 10
    case bool = 11
    case bfloat16 = 15

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .int16, .float16, .bfloat16: 2
        case .int32, .float32: 4
        case .int64, .float64, .complex64: 8
        case .complex128: 16
        }
    }

    public var isFloatingPoint: Bool { [.float16, .float32, .float64, .bfloat16].contains(self) }
    public var isComplex: Bool { self == .complex64 || self == .complex128 }

    public var description: String {
        switch self {
        case .uint8: "uint8"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .bool: "bool"
        case .bfloat16: "bfloat16"
        }
    }
}

/// Swift element types that map one-to-one onto a tensor dtype (same size and layout).
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension Int16: TensorElement { public static var dtype: DType { .int16 } }
extension Int8: TensorElement { public static var dtype: DType { .int8 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
extension Int: TensorElement { public static var dtype: DType { .int64 } }
