/// Stochastic gradient descent with optional momentum (Nesterov too) and L2 weight decay,
/// with the arithmetic of PyTorch's `torch.optim.SGD`. State: `momentum_buffer.p`.
public final class SGD: Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Double
    public let momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool
    private var buffers: [Tensor?]

    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() throws(TorchError) {
        try Torch.withoutGrad { () throws(TorchError) in
            for (i, (_, p)) in parameters.enumerated() {
                guard let g = p.grad else { continue }
                var d = g
                if weightDecay != 0 {
                    d = try g.clone()
                    try d.addInPlace(p, alpha: weightDecay)
                }
                if momentum != 0 {
                    let buffer: Tensor
                    if let b = buffers[i] {
                        try b.mulInPlace(momentum)
                        try b.addInPlace(d, alpha: 1 - dampening)
                        buffer = b
                    } else {
                        buffer = try d.clone()
                        buffers[i] = buffer
                    }
                    if nesterov {
                        d = try d.clone()
                        try d.addInPlace(buffer, alpha: momentum)
                    } else {
                        d = buffer
                    }
                }
                try p.addInPlace(d, alpha: -learningRate)
            }
        }
    }

    public func stateDict() throws(TorchError) -> [(name: String, tensor: Tensor)] {
        parameters.indices.compactMap { i in buffers[i].map { ("momentum_buffer.\(parameters[i].name)", $0) } }
    }

    public func loadStateDict(_ state: [String: Tensor]) throws(TorchError) {
        for (i, (name, p)) in parameters.enumerated() {
            let key = "momentum_buffer.\(name)"
            buffers[i] = state[key] == nil ? nil : try self.state(state, key, like: p)
        }
    }
}
