/// Updates parameters from their accumulated gradients.
///
/// Optimisers keep per-parameter state keyed by the parameter's name (from
/// `Module.namedParameters()`), so their state saves and restores exactly through
/// `stateDict()` / `loadStateDict(_:)` alongside the model's.
public protocol Optimizer: AnyObject {
    /// The parameters updated, with the names their state is keyed by.
    var parameters: [(name: String, tensor: Tensor)] { get }
    /// Learning rate of the next `step()`; schedules set it before each step.
    var learningRate: Double { get set }
    /// Applies one update to every parameter that has a gradient (without autograd history).
    func step() throws(TorchError)
    /// The optimiser's state as named tensors (step counts as 0-d int64 tensors).
    func stateDict() throws(TorchError) -> [(name: String, tensor: Tensor)]
    /// Restores a state returned by `stateDict()`; continuing then is bit-identical to not
    /// having stopped.
    func loadStateDict(_ state: [String: Tensor]) throws(TorchError)
}

extension Optimizer {
    /// Clears every parameter's gradient (as `zero_grad(set_to_none=True)`).
    public func zeroGrad() throws(TorchError) {
        for (_, p) in parameters { try p.setGrad(nil) }
    }

    func state(_ state: [String: Tensor], _ key: String, like parameter: Tensor) throws(TorchError) -> Tensor {
        guard let t = state[key] else {
            throw TorchError(operation: "loadStateDict", message: "optimizer state has no entry '\(key)'")
        }
        guard t.shape == parameter.shape else {
            throw TorchError(operation: "loadStateDict", message: "'\(key)' has shape \(t.shape), the parameter has \(parameter.shape)")
        }
        return try t.to(parameter.dtype, device: parameter.device).clone()
    }

    func stepCount(_ state: [String: Tensor], _ key: String) throws(TorchError) -> Int {
        guard let t = state[key] else {
            throw TorchError(operation: "loadStateDict", message: "optimizer state has no entry '\(key)'")
        }
        return Int(try t.item())
    }
}
