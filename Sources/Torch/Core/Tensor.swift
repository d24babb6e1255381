import CTorch

/// An n-dimensional array in libtorch, with autograd.
///
/// A `Tensor` owns one libtorch handle and frees it when the last Swift reference goes.
/// Several `Tensor`s may share storage (views such as `reshape`, `transpose`, `narrow`),
/// exactly as in PyTorch. Operations that can fail (shapes, dtypes, devices) throw
/// `TorchError` with libtorch's message.
public final class Tensor {
    let handle: ct_tensor

    init(owning handle: ct_tensor) {
        self.handle = handle
    }

    deinit { ct_free(handle) }

    // MARK: Creation from Swift values

    /// A tensor of `shape` holding `values` in row-major order.
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]) throws(TorchError) {
        let count = shape.reduce(1, *)
        guard count == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TorchError(operation: "Tensor(_:shape:)", message: "\(values.count) values cannot fill shape \(shape)")
        }
        let dims = shape.map(Int64.init)
        var out: ct_tensor?
        let status = values.withUnsafeBytes { raw in
            ct_from_data(raw.baseAddress, dims, Int32(dims.count), T.dtype.rawValue, &out)
        }
        guard status == 0, let out else { throw TorchError.last("Tensor(_:shape:)") }
        self.init(owning: out)
    }

    /// A tensor of `shape` on `device` holding `values` (row-major). For a CUDA device the
    /// values go through page-locked (pinned) host memory and an asynchronous host-to-device
    /// copy, which overlaps the GPU's work (PyTorch's `pin_memory` + `non_blocking=True`); for
    /// the CPU it is `Tensor(values, shape:)`.
    public static func uploaded<T: TensorElement>(_ values: [T], shape: [Int], to device: Device) throws(TorchError) -> Tensor {
        let count = shape.reduce(1, *)
        guard count == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TorchError(operation: "Tensor.uploaded", message: "\(values.count) values cannot fill shape \(shape)")
        }
        let dims = shape.map(Int64.init)
        let code = device.code
        var out: ct_tensor?
        let status = values.withUnsafeBytes { raw in
            ct_upload(raw.baseAddress, dims, Int32(dims.count), T.dtype.rawValue, code.type, code.index, &out)
        }
        guard status == 0, let out else { throw TorchError.last("Tensor.uploaded(to: \(device))") }
        return Tensor(owning: out)
    }

    /// A one-dimensional tensor of `values`.
    public convenience init<T: TensorElement>(_ values: [T]) throws(TorchError) {
        try self.init(values, shape: [values.count])
    }

    /// A zero-dimensional tensor holding `value`.
    public convenience init<T: TensorElement>(scalar value: T) throws(TorchError) {
        try self.init([value], shape: [])
    }

    /// A tensor of `shape` and `dtype` from raw little-endian bytes in row-major order
    /// (the layout of safetensors and of `numpy.tobytes()`).
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws(TorchError) {
        let count = shape.reduce(1, *)
        guard count * dtype.byteCount == bytes.count else {
            throw TorchError(operation: "Tensor(bytes:shape:dtype:)",
                             message: "\(bytes.count) bytes cannot hold shape \(shape) of \(dtype)")
        }
        let dims = shape.map(Int64.init)
        var out: ct_tensor?
        guard ct_from_data(bytes.baseAddress, dims, Int32(dims.count), dtype.rawValue, &out) == 0, let out else {
            throw TorchError.last("Tensor(bytes:shape:dtype:)")
        }
        self.init(owning: out)
    }

    // MARK: Metadata

    /// Sizes of every dimension, outermost first.
    public var shape: [Int] {
        var n: Int32 = 0
        guard ct_ndim(handle, &n) == 0, n > 0 else { return [] }
        var dims = [Int64](repeating: 0, count: Int(n))
        guard ct_shape(handle, &dims, n) == 0 else { return [] }
        return dims.map(Int.init)
    }

    /// Number of dimensions.
    public var rank: Int {
        var n: Int32 = 0
        return ct_ndim(handle, &n) == 0 ? Int(n) : 0
    }

    /// Number of elements.
    public var count: Int {
        var n: Int64 = 0
        return ct_numel(handle, &n) == 0 ? Int(n) : 0
    }

    public var dtype: DType {
        var code: Int32 = 0
        _ = ct_dtype(handle, &code)
        return DType(rawValue: code) ?? .float32
    }

    public var device: Device {
        var type: Int32 = 0
        var index: Int32 = 0
        _ = ct_device(handle, &type, &index)
        return type == 1 ? .cuda(Int(index)) : .cpu
    }

    public var isContiguous: Bool {
        var on: Int32 = 0
        return ct_is_contiguous(handle, &on) == 0 && on != 0
    }

    // MARK: Copying out

    /// All elements in row-major order, converted to `T` (and copied to the CPU).
    public func toArray<T: TensorElement>(of type: T.Type = T.self) throws(TorchError) -> [T] {
        let n = count
        var status: Int32 = 0
        let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            status = ct_copy_to(handle, T.dtype.rawValue, buffer.baseAddress, n * MemoryLayout<T>.stride)
            initialized = status == 0 ? n : 0
        }
        if status != 0 { throw TorchError.last("toArray(of: \(T.self))") }
        return values
    }

    /// The raw bytes of all elements in row-major order, in the tensor's own dtype.
    public func bytes() throws(TorchError) -> [UInt8] {
        let n = count * dtype.byteCount
        var status: Int32 = 0
        let code = dtype.rawValue
        let values = [UInt8](unsafeUninitializedCapacity: n) { buffer, initialized in
            status = ct_copy_to(handle, code, buffer.baseAddress, n)
            initialized = status == 0 ? n : 0
        }
        if status != 0 { throw TorchError.last("bytes()") }
        return values
    }

    /// The value of a one-element tensor as a Double.
    public func item() throws(TorchError) -> Double {
        var value = 0.0
        try check(ct_item(handle, &value), "item()")
        return value
    }

    /// A new `Tensor` object sharing this one's storage and autograd identity.
    public func alias() throws(TorchError) -> Tensor {
        try produce("alias") { ct_shallow_clone(handle, $0) }
    }
}

extension Tensor: CustomStringConvertible {
    /// libtorch's printout of the values with dtype and shape.
    public var description: String {
        var needed = 0
        guard ct_description(handle, nil, 0, &needed) == 0 else { return "Tensor(<unprintable>)" }
        var buffer = [CChar](repeating: 0, count: needed)
        guard ct_description(handle, &buffer, needed, &needed) == 0 else { return "Tensor(<unprintable>)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
