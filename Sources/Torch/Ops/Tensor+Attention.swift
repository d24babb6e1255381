extension Tensor {
    /// Scaled dot-product attention, the one attention kernel every architecture uses:
    ///
    ///     softmax(scale · Q·Kᵀ + bias, over keys, masked) · V
    ///
    /// - Parameters:
    ///   - query: `[…, queries, dim]` (leading dimensions such as `[batch, heads]` are batch).
    ///   - key: `[…, keys, dim]`.
    ///   - value: `[…, keys, valueDim]`.
    ///   - bias: added to the logits, broadcastable to `[…, queries, keys]` (a relative-position
    ///     bias `[heads, queries, keys]`, an additive shift-window mask).
    ///   - mask: boolean, broadcastable to `[…, queries, keys]`; `true` where a query may
    ///     attend to a key (PyTorch's convention). A query with no allowed key gets zeros.
    ///   - scale: multiplies Q·Kᵀ; default `1/√dim`. Scaled-cosine attention passes normalised
    ///     Q, K with the learned logit scale folded into Q and `scale: 1`.
    /// - Returns: `[…, queries, valueDim]`.
    public static func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, bias: Tensor? = nil,
                                                 mask: Tensor? = nil, scale: Double? = nil) throws(TorchError) -> Tensor {
        let dim = query.shape.last ?? 0
        guard query.rank >= 2, key.rank == query.rank, value.rank == query.rank, key.shape.last == dim, dim > 0 else {
            throw TorchError(operation: "scaledDotProductAttention",
                             message: "query \(query.shape), key \(key.shape), value \(value.shape): expected […, tokens, dim] with equal dim of query and key")
        }
        let factor = scale ?? 1 / Double(dim).squareRoot()
        var logits = try query.matmul(key.transpose(-2, -1)) * factor
        if let bias { logits = try logits + bias }
        guard let mask else { return try logits.softmax(dim: -1).matmul(value) }
        let blocked = try mask.logicalNot()
        let weights = try logits.maskedFill(blocked, -Double.infinity).softmax(dim: -1)
        // Rows with every key blocked are NaN after the softmax: they attend to nothing.
        return try weights.maskedFill(weights.isNaN(), 0).matmul(value)
    }
}
