import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter), step for step the arithmetic
/// of PyTorch's `torch.optim.AdamW` (single-tensor path), so the two agree to rounding.
///
/// State per parameter `p`: `exp_avg.p`, `exp_avg_sq.p` (same shape as p) and `step.p`.
public final class AdamW: Optimizer {
    public let parameters: [(name: String, tensor: Tensor)]
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    private var steps: [Int]
    private var expAvg: [Tensor?]
    private var expAvgSq: [Tensor?]

    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 1e-2) {
        self.parameters = parameters
        self.learningRate = learningRate
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        steps = Array(repeating: 0, count: parameters.count)
        expAvg = Array(repeating: nil, count: parameters.count)
        expAvgSq = Array(repeating: nil, count: parameters.count)
    }

    public func step() throws(TorchError) {
        try Torch.withoutGrad { () throws(TorchError) in
            for (i, (_, p)) in parameters.enumerated() {
                guard let g = p.grad else { continue }
                let m: Tensor, v: Tensor
                if let a = expAvg[i], let b = expAvgSq[i] {
                    (m, v) = (a, b)
                } else {
                    m = try Tensor.zeros(p.shape, dtype: p.dtype, device: p.device)
                    v = try Tensor.zeros(p.shape, dtype: p.dtype, device: p.device)
                    expAvg[i] = m
                    expAvgSq[i] = v
                }
                steps[i] += 1
                let t = Double(steps[i])
                try p.mulInPlace(1 - learningRate * weightDecay)
                try m.mulInPlace(beta1)
                try m.addInPlace(g, alpha: 1 - beta1)
                try v.mulInPlace(beta2)
                try v.addcmulInPlace(g, g, value: 1 - beta2)
                let biasCorrection1 = 1 - pow(beta1, t)
                let biasCorrection2 = 1 - pow(beta2, t)
                let stepSize = learningRate / biasCorrection1
                let denominator = try v.sqrt() / biasCorrection2.squareRoot()
                try denominator.addInPlace(eps)
                try p.addcdivInPlace(m, denominator, value: -stepSize)
            }
        }
    }

    public func stateDict() throws(TorchError) -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        for (i, (name, _)) in parameters.enumerated() {
            guard let m = expAvg[i], let v = expAvgSq[i] else { continue }
            out.append(("step.\(name)", try Tensor(scalar: Int64(steps[i]))))
            out.append(("exp_avg.\(name)", m))
            out.append(("exp_avg_sq.\(name)", v))
        }
        return out
    }

    public func loadStateDict(_ state: [String: Tensor]) throws(TorchError) {
        for (i, (name, p)) in parameters.enumerated() {
            guard state["step.\(name)"] != nil else {
                steps[i] = 0
                expAvg[i] = nil
                expAvgSq[i] = nil
                continue
            }
            steps[i] = try stepCount(state, "step.\(name)")
            expAvg[i] = try self.state(state, "exp_avg.\(name)", like: p)
            expAvgSq[i] = try self.state(state, "exp_avg_sq.\(name)", like: p)
        }
    }
}
