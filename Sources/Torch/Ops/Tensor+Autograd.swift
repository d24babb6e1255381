import CTorch

extension Tensor {
    /// Whether operations on this tensor are recorded for gradients.
    public var requiresGrad: Bool {
        var on: Int32 = 0
        return ct_requires_grad(handle, &on) == 0 && on != 0
    }

    /// Turns gradient recording on or off for a leaf tensor; returns `self`.
    @discardableResult
    public func requiresGrad(_ on: Bool) throws(TorchError) -> Tensor {
        try check(ct_set_requires_grad(handle, on ? 1 : 0), "requiresGrad(\(on))")
        return self
    }

    /// Whether the tensor was created by the user rather than by a recorded operation.
    public var isLeaf: Bool {
        var on: Int32 = 0
        return ct_is_leaf(handle, &on) == 0 && on != 0
    }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. `gradient` is required unless
    /// `self` holds one element. `retainGraph` defaults to `createGraph`, as in PyTorch.
    public func backward(_ gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) throws(TorchError) {
        let retain = retainGraph ?? createGraph
        try check(ct_backward(handle, gradient?.handle, retain ? 1 : 0, createGraph ? 1 : 0), "backward")
    }

    /// The accumulated gradient, or nil before any `backward` reached this tensor.
    public var grad: Tensor? {
        var out: ct_tensor?
        guard ct_grad(handle, &out) == 0, let out else { return nil }
        return Tensor(owning: out)
    }

    /// Replaces (or with nil, clears) the accumulated gradient.
    public func setGrad(_ gradient: Tensor?) throws(TorchError) {
        try check(ct_set_grad(handle, gradient?.handle), "setGrad")
    }

    /// Gradients of `outputs` (weighted by `gradOutputs`) with respect to `inputs`, without
    /// touching `grad` (`torch.autograd.grad`). Unused inputs give nil. `retainGraph`
    /// defaults to `createGraph`, as in PyTorch (needed for higher derivatives).
    public static func gradients(of outputs: [Tensor], withRespectTo inputs: [Tensor], gradOutputs: [Tensor]? = nil,
                                 retainGraph: Bool? = nil, createGraph: Bool = false) throws(TorchError) -> [Tensor?] {
        let retain = retainGraph ?? createGraph
        let outs: [ct_tensor?] = outputs.map(\.handle)
        let ins: [ct_tensor?] = inputs.map(\.handle)
        let gouts: [ct_tensor?]? = gradOutputs?.map(\.handle)
        var results = [ct_tensor?](repeating: nil, count: inputs.count)
        let status = withExtendedLifetime((outputs, inputs, gradOutputs)) {
            ct_autograd_grad(outs, gouts, Int32(outs.count), ins, Int32(ins.count), retain ? 1 : 0,
                             createGraph ? 1 : 0, 1, &results)
        }
        try check(status, "gradients(of:withRespectTo:)")
        return results.map { $0.map { Tensor(owning: $0) } }
    }
}
