import CTorch

/// Operation codes of `ct_binary` (see ctorch.h).
enum BinaryOp: Int32 {
    case add = 0, sub, mul, div, pow, remainder, maximum, minimum, atan2
    case eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, floorDivide
}

extension Tensor {
    func binary(_ op: BinaryOp, _ other: Tensor) throws(TorchError) -> Tensor {
        try produce("\(op)(\(shape), \(other.shape))") { ct_binary(op.rawValue, handle, other.handle, $0) }
    }

    func binary(_ op: BinaryOp, _ value: ct_scalar) throws(TorchError) -> Tensor {
        try produce("\(op)(\(shape), scalar)") { ct_binary_scalar(op.rawValue, handle, value, $0) }
    }

    func binary(_ value: ct_scalar, _ op: BinaryOp) throws(TorchError) -> Tensor {
        try produce("\(op)(scalar, \(shape))") { ct_scalar_binary(op.rawValue, value, handle, $0) }
    }

    // MARK: Operators (broadcasting, PyTorch type promotion)

    public static func + (a: Tensor, b: Tensor) throws(TorchError) -> Tensor { try a.binary(.add, b) }
    public static func - (a: Tensor, b: Tensor) throws(TorchError) -> Tensor { try a.binary(.sub, b) }
    public static func * (a: Tensor, b: Tensor) throws(TorchError) -> Tensor { try a.binary(.mul, b) }
    public static func / (a: Tensor, b: Tensor) throws(TorchError) -> Tensor { try a.binary(.div, b) }

    public static func + (a: Tensor, b: Double) throws(TorchError) -> Tensor { try a.binary(.add, cScalar(b)) }
    public static func - (a: Tensor, b: Double) throws(TorchError) -> Tensor { try a.binary(.sub, cScalar(b)) }
    public static func * (a: Tensor, b: Double) throws(TorchError) -> Tensor { try a.binary(.mul, cScalar(b)) }
    public static func / (a: Tensor, b: Double) throws(TorchError) -> Tensor { try a.binary(.div, cScalar(b)) }
    public static func + (a: Double, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .add) }
    public static func - (a: Double, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .sub) }
    public static func * (a: Double, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .mul) }
    public static func / (a: Double, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .div) }

    public static func + (a: Tensor, b: Int) throws(TorchError) -> Tensor { try a.binary(.add, cScalar(b)) }
    public static func - (a: Tensor, b: Int) throws(TorchError) -> Tensor { try a.binary(.sub, cScalar(b)) }
    public static func * (a: Tensor, b: Int) throws(TorchError) -> Tensor { try a.binary(.mul, cScalar(b)) }
    public static func / (a: Tensor, b: Int) throws(TorchError) -> Tensor { try a.binary(.div, cScalar(b)) }
    public static func + (a: Int, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .add) }
    public static func - (a: Int, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .sub) }
    public static func * (a: Int, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .mul) }
    public static func / (a: Int, b: Tensor) throws(TorchError) -> Tensor { try b.binary(cScalar(a), .div) }

    public static prefix func - (a: Tensor) throws(TorchError) -> Tensor { try a.unary(.neg) }

    public func pow(_ exponent: Tensor) throws(TorchError) -> Tensor { try binary(.pow, exponent) }
    public func pow(_ exponent: Double) throws(TorchError) -> Tensor { try binary(.pow, cScalar(exponent)) }
    public func remainder(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.remainder, other) }
    public func remainder(_ other: Double) throws(TorchError) -> Tensor { try binary(.remainder, cScalar(other)) }
    public func floorDivide(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.floorDivide, other) }
    public func maximum(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.maximum, other) }
    public func minimum(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.minimum, other) }
    public func atan2(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.atan2, other) }

    // MARK: Comparison (bool tensors)

    public func eq(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.eq, other) }
    public func ne(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.ne, other) }
    public func lt(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.lt, other) }
    public func le(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.le, other) }
    public func gt(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.gt, other) }
    public func ge(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.ge, other) }
    public func eq(_ value: Double) throws(TorchError) -> Tensor { try binary(.eq, cScalar(value)) }
    public func ne(_ value: Double) throws(TorchError) -> Tensor { try binary(.ne, cScalar(value)) }
    public func lt(_ value: Double) throws(TorchError) -> Tensor { try binary(.lt, cScalar(value)) }
    public func le(_ value: Double) throws(TorchError) -> Tensor { try binary(.le, cScalar(value)) }
    public func gt(_ value: Double) throws(TorchError) -> Tensor { try binary(.gt, cScalar(value)) }
    public func ge(_ value: Double) throws(TorchError) -> Tensor { try binary(.ge, cScalar(value)) }
    public func logicalAnd(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.logicalAnd, other) }
    public func logicalOr(_ other: Tensor) throws(TorchError) -> Tensor { try binary(.logicalOr, other) }

    /// Whether both tensors have the same shape and all values within `rtol·|b| + atol`.
    public func allClose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) throws(TorchError) -> Bool {
        var on: Int32 = 0
        try check(ct_allclose(handle, other.handle, rtol, atol, &on), "allClose")
        return on != 0
    }

    /// Same shape and exactly the same values.
    public func equal(_ other: Tensor) throws(TorchError) -> Bool {
        var on: Int32 = 0
        try check(ct_equal(handle, other.handle, &on), "equal")
        return on != 0
    }

    // MARK: Selection

    /// `condition ? self : other`, elementwise with broadcasting.
    public func `where`(_ condition: Tensor, else other: Tensor) throws(TorchError) -> Tensor {
        try produce("where") { ct_where(condition.handle, handle, other.handle, $0) }
    }

    /// Elementwise `min(max(x, min), max)`; either bound may be omitted.
    public func clamp(min: Double? = nil, max: Double? = nil) throws(TorchError) -> Tensor {
        try produce("clamp") { ct_clamp(handle, min == nil ? 0 : 1, min ?? 0, max == nil ? 0 : 1, max ?? 0, $0) }
    }

    public func maskedFill(_ mask: Tensor, _ value: Double) throws(TorchError) -> Tensor {
        try produce("maskedFill") { ct_masked_fill(handle, mask.handle, cScalar(value), $0) }
    }

    /// `self + weight · (end − self)`.
    public func lerp(_ end: Tensor, weight: Double) throws(TorchError) -> Tensor {
        try produce("lerp") { ct_lerp(handle, end.handle, weight, $0) }
    }
}
