import CTorch

/// In-place updates, for optimisers and running statistics. They modify the storage shared
/// by every view; on tensors that require gradients use them inside `Torch.withoutGrad`.
extension Tensor {
    public func addInPlace(_ other: Tensor, alpha: Double = 1) throws(TorchError) {
        try check(alpha == 1 ? ct_inplace_binary(0, handle, other.handle) : ct_add_scaled_(handle, other.handle, alpha), "add_")
    }
    public func subInPlace(_ other: Tensor) throws(TorchError) { try check(ct_inplace_binary(1, handle, other.handle), "sub_") }
    public func mulInPlace(_ other: Tensor) throws(TorchError) { try check(ct_inplace_binary(2, handle, other.handle), "mul_") }
    public func divInPlace(_ other: Tensor) throws(TorchError) { try check(ct_inplace_binary(3, handle, other.handle), "div_") }
    public func addInPlace(_ value: Double) throws(TorchError) { try check(ct_inplace_binary_scalar(0, handle, cScalar(value)), "add_") }
    public func mulInPlace(_ value: Double) throws(TorchError) { try check(ct_inplace_binary_scalar(2, handle, cScalar(value)), "mul_") }
    public func divInPlace(_ value: Double) throws(TorchError) { try check(ct_inplace_binary_scalar(3, handle, cScalar(value)), "div_") }
    /// `self += value · a · b`.
    public func addcmulInPlace(_ a: Tensor, _ b: Tensor, value: Double = 1) throws(TorchError) {
        try check(ct_addcmul_(handle, a.handle, b.handle, value), "addcmul_")
    }
    /// `self += value · a / b`.
    public func addcdivInPlace(_ a: Tensor, _ b: Tensor, value: Double = 1) throws(TorchError) {
        try check(ct_addcdiv_(handle, a.handle, b.handle, value), "addcdiv_")
    }
    /// `self += weight · (end − self)`.
    public func lerpInPlace(_ end: Tensor, weight: Double) throws(TorchError) {
        try check(ct_lerp_(handle, end.handle, weight), "lerp_")
    }
    /// Copies `source` (broadcast, converted) into this tensor's storage.
    public func copyInPlace(from source: Tensor) throws(TorchError) {
        try check(ct_copy_(handle, source.handle), "copy_(\(shape) ← \(source.shape))")
    }
    public func fillInPlace(_ value: Double) throws(TorchError) { try check(ct_fill_(handle, cScalar(value)), "fill_") }
    public func zeroInPlace() throws(TorchError) { try check(ct_zero_(handle), "zero_") }
    public func clampInPlace(min: Double? = nil, max: Double? = nil) throws(TorchError) {
        try check(ct_clamp_(handle, min == nil ? 0 : 1, min ?? 0, max == nil ? 0 : 1, max ?? 0), "clamp_")
    }
    public func sqrtInPlace() throws(TorchError) { try check(ct_sqrt_(handle), "sqrt_") }
}
