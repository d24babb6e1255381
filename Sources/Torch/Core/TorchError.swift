import CTorch

/// A failed libtorch call. `message` is libtorch's own text (for example
/// "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"); `operation` names the
/// Plume call that failed.
public struct TorchError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }

    /// The thread's last libtorch error, attributed to `operation`.
    static func last(_ operation: String) -> TorchError {
        TorchError(operation: operation, message: String(cString: ct_last_error()))
    }
}

/// Throws the thread's last libtorch error when `status` is not zero.
@inline(__always)
func check(_ status: Int32, _ operation: @autoclosure () -> String) throws(TorchError) {
    if status != 0 { throw TorchError.last(operation()) }
}

/// Runs a C call that writes one new tensor handle and wraps it (owning).
@inline(__always)
func produce(_ operation: @autoclosure () -> String, _ body: (UnsafeMutablePointer<ct_tensor?>) -> Int32) throws(TorchError) -> Tensor {
    var out: ct_tensor?
    let status = body(&out)
    guard status == 0, let out else { throw TorchError.last(operation()) }
    return Tensor(owning: out)
}

/// Runs a C call that writes two new tensor handles (values and indices, for instance).
@inline(__always)
func produce2(
    _ operation: @autoclosure () -> String,
    _ body: (UnsafeMutablePointer<ct_tensor?>, UnsafeMutablePointer<ct_tensor?>) -> Int32
) throws(TorchError) -> (Tensor, Tensor) {
    var a: ct_tensor?
    var b: ct_tensor?
    let status = body(&a, &b)
    guard status == 0, let a, let b else { throw TorchError.last(operation()) }
    return (Tensor(owning: a), Tensor(owning: b))
}

/// Runs a C call that writes a malloc'ed array of new tensor handles.
func produceList(
    _ operation: @autoclosure () -> String,
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<ct_tensor?>?>, UnsafeMutablePointer<Int32>) -> Int32
) throws(TorchError) -> [Tensor] {
    var array: UnsafeMutablePointer<ct_tensor?>?
    var count: Int32 = 0
    let status = body(&array, &count)
    guard status == 0, let array else { throw TorchError.last(operation()) }
    defer { ct_free_array(array) }
    return (0..<Int(count)).compactMap { array[$0].map { Tensor(owning: $0) } }
}
