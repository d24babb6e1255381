/// Scales all gradients together so that their global 2-norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`. Returns the global norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Double) throws(TorchError) -> Double {
    try Torch.withoutGrad { () throws(TorchError) -> Double in
        let grads = parameters.compactMap(\.grad)
        guard !grads.isEmpty else { return 0 }
        var norms: [Tensor] = []
        for g in grads { norms.append(try g.norm()) }
        let total = try Tensor.stack(norms).norm()
        let coefficient = try (try total + 1e-6).reciprocal() * maxNorm
        let clamped = try coefficient.clamp(max: 1)
        for g in grads { try g.mulInPlace(clamped) }
        return try total.item()
    }
}
