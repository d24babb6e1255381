import CTorch

extension Tensor {
    /// Uninitialised values.
    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("empty") { ct_empty(int64s(shape), Int32(shape.count), dtype.rawValue, d.type, d.index, $0) }
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("zeros") { ct_zeros(int64s(shape), Int32(shape.count), dtype.rawValue, d.type, d.index, $0) }
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("ones") { ct_ones(int64s(shape), Int32(shape.count), dtype.rawValue, d.type, d.index, $0) }
    }

    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("full") {
            ct_full(int64s(shape), Int32(shape.count), cScalar(value), dtype.rawValue, d.type, d.index, $0)
        }
    }

    /// `start, start + step, …` below `end`.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32,
                              device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("arange(\(start), \(end), step: \(step))") {
            ct_arange(cScalar(start), cScalar(end), cScalar(step), dtype.rawValue, d.type, d.index, $0)
        }
    }

    /// `steps` values evenly spaced from `start` to `end` inclusive.
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32,
                                device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("linspace") { ct_linspace(start, end, Int64(steps), dtype.rawValue, d.type, d.index, $0) }
    }

    public static func eye(_ n: Int, dtype: DType = .float32, device: Device = .cpu) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("eye") { ct_eye(Int64(n), dtype.rawValue, d.type, d.index, $0) }
    }

    /// Uniform on [0, 1). With a `generator` the values are reproducible.
    public static func rand(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                            generator: Generator? = nil) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("rand") {
            ct_rand(int64s(shape), Int32(shape.count), 0, generator?.handle, dtype.rawValue, d.type, d.index, $0)
        }
    }

    /// Standard normal. With a `generator` the values are reproducible.
    public static func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu,
                             generator: Generator? = nil) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("randn") {
            ct_rand(int64s(shape), Int32(shape.count), 1, generator?.handle, dtype.rawValue, d.type, d.index, $0)
        }
    }

    /// Integers uniform in `low..<high`, int64.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], device: Device = .cpu,
                               generator: Generator? = nil) throws(TorchError) -> Tensor {
        let d = device.code
        return try produce("randint") {
            ct_randint(Int64(low), Int64(high), int64s(shape), Int32(shape.count), generator?.handle, d.type, d.index, $0)
        }
    }

    /// A random permutation of `0..<n`, int64.
    public static func randperm(_ n: Int, generator: Generator? = nil) throws(TorchError) -> Tensor {
        try produce("randperm") { ct_randperm(Int64(n), generator?.handle, $0) }
    }

    /// 0/1 samples with probabilities `self`.
    public func bernoulli(generator: Generator? = nil) throws(TorchError) -> Tensor {
        try produce("bernoulli") { ct_bernoulli(handle, generator?.handle, $0) }
    }

    // MARK: Conversion

    /// A copy converted to `dtype` (and moved to `device`); `self` when nothing changes.
    public func to(_ dtype: DType? = nil, device: Device? = nil) throws(TorchError) -> Tensor {
        let d = (device ?? self.device).code
        let t = (dtype ?? self.dtype).rawValue
        return try produce("to(\(String(describing: dtype)), \(String(describing: device)))") {
            ct_to(handle, t, d.type, d.index, $0)
        }
    }

    public func clone() throws(TorchError) -> Tensor { try produce("clone") { ct_clone(handle, $0) } }

    /// Makes this tensor hold `source`'s data (its dtype, device, shape and storage) while
    /// keeping its identity: every `Tensor` sharing this handle, `requiresGrad` and leaf status
    /// stay (PyTorch's `t.data = source`). For converting module parameters in place.
    func setData(_ source: Tensor) throws(TorchError) {
        try check(ct_set_data(handle, source.handle), "setData(\(source.dtype), \(source.device))")
    }

    /// The same values without autograd history.
    public func detach() throws(TorchError) -> Tensor { try produce("detach") { ct_detach(handle, $0) } }

    public func contiguous() throws(TorchError) -> Tensor { try produce("contiguous") { ct_contiguous(handle, $0) } }
}
