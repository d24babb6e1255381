extension Module {
    /// Converts every parameter and buffer of this module and its descendants in place to
    /// `dtype` and/or `device`, as PyTorch's `module.to(dtype, device)`; returns `self`.
    ///
    /// Each tensor keeps its identity (the same `Tensor` object, still a leaf that requires
    /// gradients), so references held elsewhere see the converted data. Optimizers keep
    /// per-parameter state of the old dtype: create them after the conversion.
    ///
    /// - Only floating-point and complex tensors change dtype (PyTorch's rule): an int64
    ///   buffer such as `BatchNorm2d`'s `num_batches_tracked` stays int64. `dtype` itself
    ///   must be floating point or complex.
    /// - An existing gradient is converted the same way (dtype and device).
    /// - Nothing changes when any conversion fails (every tensor is converted before any is
    ///   replaced). A CUDA device that libtorch does not see (a CPU-only libtorch, no GPU, an
    ///   ordinal out of range) throws before any work.
    @discardableResult
    public func to(_ dtype: DType? = nil, device: Device? = nil) throws(TorchError) -> Self {
        let operation = "Module.to(\(dtype.map(String.init(describing:)) ?? "nil"), device: \(device.map(String.init(describing:)) ?? "nil"))"
        if let dtype, !(dtype.isFloatingPoint || dtype.isComplex) {
            throw TorchError(operation: operation,
                             message: "a module converts to a floating-point or complex dtype only, not \(dtype)")
        }
        if case .cuda(let index)? = device {
            let available = Device.cudaDeviceCount
            guard index >= 0, index < available else {
                throw TorchError(operation: operation,
                                 message: available == 0
                                     ? "CUDA device \(index) requested, but this libtorch sees no CUDA device (a CPU-only build, or no GPU); set LIBTORCH to a CUDA build"
                                     : "CUDA device \(index) requested, but libtorch sees only \(available) CUDA device(s)")
            }
        }
        var replacements: [(target: Tensor, data: Tensor, grad: Tensor?)] = []
        try Torch.withoutGrad { () throws(TorchError) in
            for (_, tensor) in stateDict() {
                let current = tensor.dtype
                let converts = current.isFloatingPoint || current.isComplex
                let target = converts ? (dtype ?? current) : current
                let data = try tensor.detach().to(target, device: device)
                let grad = try tensor.grad.map { g throws(TorchError) in try g.to(target, device: device) }
                replacements.append((tensor, data, grad))
            }
            for r in replacements {
                try r.target.setData(r.data)
                if let g = r.grad { try r.target.setGrad(g) }
            }
        }
        return self
    }
}
