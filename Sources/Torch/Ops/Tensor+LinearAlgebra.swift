import CTorch

extension Tensor {
    /// Matrix product with NumPy broadcasting rules (`torch.matmul`).
    public func matmul(_ other: Tensor) throws(TorchError) -> Tensor {
        try produce("matmul(\(shape), \(other.shape))") { ct_matmul(handle, other.handle, $0) }
    }

    /// Batched matrix product: [b, n, m] × [b, m, p] → [b, n, p].
    public func bmm(_ other: Tensor) throws(TorchError) -> Tensor {
        try produce("bmm(\(shape), \(other.shape))") { ct_bmm(handle, other.handle, $0) }
    }

    /// `self · weightᵀ + bias`; weight [out, in], bias [out].
    public func linear(weight: Tensor, bias: Tensor? = nil) throws(TorchError) -> Tensor {
        try produce("linear(\(shape), weight: \(weight.shape))") { ct_linear(handle, weight.handle, bias?.handle, $0) }
    }

    public func outer(_ other: Tensor) throws(TorchError) -> Tensor {
        try produce("outer") { ct_outer(handle, other.handle, $0) }
    }

    /// Einstein summation, e.g. `Tensor.einsum("bij,bjk->bik", a, b)`.
    public static func einsum(_ equation: String, _ operands: Tensor...) throws(TorchError) -> Tensor {
        try einsum(equation, operands)
    }

    public static func einsum(_ equation: String, _ operands: [Tensor]) throws(TorchError) -> Tensor {
        let handles: [ct_tensor?] = operands.map(\.handle)
        return try withExtendedLifetime(operands) { () throws(TorchError) -> Tensor in
            try produce("einsum(\"\(equation)\")") { ct_einsum(equation, handles, Int32(handles.count), $0) }
        }
    }
}
