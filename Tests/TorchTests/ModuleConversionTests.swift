import Testing
import Torch

/// `Module.to(_:device:)` and dtype checks of `loadStateDict`.
@Suite("Module conversion")
struct ModuleConversionTests {
    /// Conv2d → BatchNorm2d → [b, h, w, c] → LayerNorm → Linear: every kind of parameter and
    /// an int64 buffer (`num_batches_tracked`).
    final class Small: Module {
        let conv: Conv2d
        let bn: BatchNorm2d
        let ln: LayerNorm
        let head: Linear

        init(seed: UInt64) throws {
            let g = try Generator(seed: seed)
            conv = try Conv2d(2, 3, kernelSize: [3], padding: [1], generator: g)
            bn = try BatchNorm2d(3)
            ln = try LayerNorm([3])
            head = try Linear(3, 2, generator: g)
            // Non-trivial affine parameters of the norms, so their gradients are not symmetric.
            try Torch.withoutGrad { () throws in
                for p in [bn.weight, bn.bias, ln.weight, ln.bias].compactMap({ $0 }) {
                    try p.copyInPlace(from: Tensor.rand(p.shape, generator: g) + 0.5)
                }
            }
        }

        /// [batch, 2, h, w] → [batch, h, w, 2]
        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try head(ln(bn(conv(x)).permute([0, 2, 3, 1])))
        }
    }

    static func loss(_ y: Tensor, _ weight: Tensor) throws -> Tensor { try (y * weight).sum() }

    @Test("to(.float64) converts parameters and floating buffers in place, keeps identity and int64 buffers")
    func identityAndDTypes() throws {
        let model = try Small(seed: 1)
        let x = try Tensor.randn([2, 2, 3, 4], generator: Generator(seed: 2))
        let before = try model(x)
        try before.square().sum().backward()  // float32 gradients exist before the conversion
        let weight = model.conv.weight
        let names = model.stateDict().map(\.name)
        let old = try model.stateDict().map { try $0.tensor.toArray(of: Double.self) }

        try model.to(.float64)

        #expect(model.conv.weight === weight, "the parameter object was replaced")
        #expect(weight.dtype == .float64 && weight.requiresGrad && weight.isLeaf)
        for (name, tensor) in model.namedParameters() {
            #expect(tensor.dtype == .float64, "\(name) is \(tensor.dtype)")
            #expect(tensor.requiresGrad && tensor.isLeaf, "\(name) lost its leaf status")
            #expect(tensor.grad?.dtype == .float64, "gradient of \(name) is \(String(describing: tensor.grad?.dtype))")
        }
        let buffers = Dictionary(uniqueKeysWithValues: model.namedBuffers().map { ($0.name, $0.tensor.dtype) })
        #expect(buffers == ["bn.running_mean": .float64, "bn.running_var": .float64, "bn.num_batches_tracked": .int64])
        // Values survive the widening exactly.
        for (i, (name, tensor)) in model.stateDict().enumerated() {
            #expect(name == names[i])
            #expect(try tensor.toArray(of: Double.self) == old[i], "\(name) changed value")
        }
        let after = try model(x.to(.float64))
        #expect(after.dtype == .float64)
        #expect(try (after - before.to(.float64)).abs().max().item() < 1e-5, "float64 output differs from float32 output")

        // Back to float32: the same objects again.
        try model.to(.float32)
        #expect(model.conv.weight === weight && weight.dtype == .float32)
        #expect(model.bn.batchesTracked.dtype == .int64)
        #expect(throws: TorchError.self) { try model.to(.int32) }
    }

    @Test("a float64 model's gradients (input and every parameter) match central differences")
    func float64GradCheck() throws {
        let model = try Small(seed: 3).to(.float64)
        let input = GradInput.random([2, 2, 3, 4], seed: 4)
        // With respect to the input, through every layer.
        try gradcheck("Small model (input)", [input]) { x in try model(x[0]) }

        // With respect to every parameter element.
        let x = try input.tensor(requiresGrad: false)
        var rng = GradCheckRNG(seed: 5)
        let outShape = try Torch.withoutGrad { () throws in try model(x).shape }
        let r = try Tensor((0..<outShape.reduce(1, *)).map { _ in rng.uniform(-1, 1) }, shape: outShape)
        try model.zeroGrad()
        try Self.loss(model(x), r).backward()
        let eps = 1e-6
        for (name, p) in model.namedParameters() {
            let analytic = try #require(p.grad, "no gradient for \(name)").toArray(of: Double.self)
            let values = try p.toArray(of: Double.self)
            var numeric = [Double](repeating: 0, count: values.count)
            try Torch.withoutGrad { () throws in
                for j in values.indices {
                    var v = values
                    v[j] = values[j] + eps
                    try p.copyInPlace(from: Tensor(v, shape: p.shape))
                    let plus = try Self.loss(model(x), r).item()
                    v[j] = values[j] - eps
                    try p.copyInPlace(from: Tensor(v, shape: p.shape))
                    let minus = try Self.loss(model(x), r).item()
                    numeric[j] = (plus - minus) / (2 * eps)
                }
                try p.copyInPlace(from: Tensor(values, shape: p.shape))
            }
            let bad = values.indices.filter { !(Swift.abs(analytic[$0] - numeric[$0]) <= 1e-6 + 1e-5 * Swift.abs(numeric[$0])) }
            #expect(bad.isEmpty, "\(name): analytic and numeric gradients differ at \(bad.count) elements, e.g. \(bad.first.map { "[\($0)] \(analytic[$0]) vs \(numeric[$0])" } ?? "")")
            if name == "conv.bias" {
                // Batch norm in training mode subtracts each channel's batch mean: the
                // convolution's bias cannot change the output.
                #expect(analytic.allSatisfy { Swift.abs($0) < 1e-10 }, "conv.bias gradient \(analytic), expected 0")
            } else {
                #expect(numeric.contains { Swift.abs($0) > 1e-3 }, "\(name): gradient is (nearly) zero, the check proves nothing")
            }
        }
    }

    @Test("AdamW created after to(.float64) updates the float64 parameters (first step: p(1 − lr·wd) − lr·g/(|g| + ε))")
    func optimiserAfterConversion() throws {
        let model = try Small(seed: 6).to(.float64)
        let x = try Tensor.randn([2, 2, 3, 4], dtype: .float64, generator: Generator(seed: 7))
        let optimizer = AdamW(model.namedParameters(), learningRate: 0.01, weightDecay: 0.1)
        try Self.loss(model(x), Tensor.ones([2, 3, 4, 2], dtype: .float64)).backward()
        let before = try model.parameters().map { try $0.toArray(of: Double.self) }
        let grads = try model.parameters().map { try #require($0.grad).toArray(of: Double.self) }
        try optimizer.step()
        for (i, (name, p)) in model.namedParameters().enumerated() {
            #expect(p.dtype == .float64)
            let after = try p.toArray(of: Double.self)
            #expect(after != before[i], "\(name) did not move")
            for j in after.indices {
                let g = grads[i][j]
                let expected = before[i][j] * (1 - 0.01 * 0.1) - 0.01 * g / (Swift.abs(g) + 1e-8)
                #expect(Swift.abs(after[j] - expected) < 1e-12, "\(name)[\(j)]: \(after[j]), expected \(expected)")
            }
        }
    }

    @Test("to(device: .cuda(0)) throws a clear error without CUDA and changes nothing")
    func cudaWithoutCUDA() throws {
        let model = try Small(seed: 8)
        if Device.isCUDAAvailable {
            try model.to(.float64, device: .cuda(0))
            #expect(model.namedParameters().allSatisfy { $0.tensor.device == .cuda(0) && $0.tensor.dtype == .float64 })
            #expect(model.bn.batchesTracked.device == .cuda(0) && model.bn.batchesTracked.dtype == .int64)
            return
        }
        do {
            try model.to(.float64, device: .cuda(0))
            Issue.record("to(device: .cuda(0)) succeeded with a CPU-only libtorch")
        } catch {
            #expect(error.message.contains("CUDA"), "unclear message: \(error)")
        }
        #expect(model.stateDict().allSatisfy { $0.tensor.device == .cpu })
        #expect(model.namedParameters().allSatisfy { $0.tensor.dtype == .float32 })
    }

    @Test("loadStateDict rejects a dtype mismatch naming the entry and both dtypes, converts on request")
    func loadStateDictDTypes() throws {
        let model = try Small(seed: 9)
        let source = try Small(seed: 10).to(.float64)
        _ = try source(Tensor.randn([2, 2, 3, 4], dtype: .float64))  // running statistics and count move
        let state = Dictionary(uniqueKeysWithValues: source.stateDict().map { ($0.name, $0.tensor) })
        let original = try model.conv.weight.toArray(of: Float.self)
        do {
            try model.loadStateDict(state)
            Issue.record("a float64 state dict loaded into a float32 model without error")
        } catch {
            #expect(error.message.contains("'conv.weight'") && error.message.contains("float64") && error.message.contains("float32"),
                    "message: \(error.message)")
        }
        #expect(try model.conv.weight.toArray(of: Float.self) == original, "a failed load changed the model")

        try model.loadStateDict(state, convertingDTypes: true)
        #expect(model.conv.weight.dtype == .float32)
        let expected = try source.conv.weight.toArray(of: Double.self).map { Float($0) }
        #expect(try model.conv.weight.toArray(of: Float.self) == expected)
        #expect(try model.bn.batchesTracked.item() == 1)
        #expect(try model.bn.runningMean.toArray(of: Float.self) == source.bn.runningMean.toArray(of: Double.self).map { Float($0) })

        // Matching dtypes load without the flag (the float64 model from the float64 state).
        let wide = try Small(seed: 11).to(.float64)
        try wide.loadStateDict(state)
        #expect(try wide.head.weight.toArray(of: Double.self) == source.head.weight.toArray(of: Double.self))
        // An integer buffer of another integer dtype is a mismatch too.
        var badCount = state
        badCount["bn.num_batches_tracked"] = try Tensor(scalar: Int32(3))
        #expect(throws: TorchError.self) { try wide.loadStateDict(badCount) }
    }
}
