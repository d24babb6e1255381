import Testing
import Torch

@Suite("Modules")
struct ModuleTests {
    final class Attention: Module {
        let qkv: Linear
        let proj: Linear
        init() throws {
            qkv = try Linear(8, 24)
            proj = try Linear(8, 8, bias: false)
        }
    }

    final class Block: Module {
        let norm: LayerNorm
        let attn: Attention
        init() throws {
            norm = try LayerNorm([8])
            attn = try Attention()
        }
    }

    final class Encoder: Module {
        let blocks: [Block]
        let bn: BatchNorm2d
        let head: MLP
        init() throws {
            blocks = try (0..<4).map { _ in try Block() }
            bn = try BatchNorm2d(3)
            head = try MLP([8, 16, 2], dropout: 0.1)
        }
    }

    final class Model: Module {
        let encoder: Encoder
        let extra: Linear?
        init() throws {
            encoder = try Encoder()
            extra = nil
        }
    }

    @Test("nested parameter names, buffers, counts")
    func names() throws {
        let model = try Model()
        let names = model.namedParameters().map(\.name)
        #expect(names.contains("encoder.blocks.3.attn.qkv.weight"))
        #expect(names.contains("encoder.blocks.0.norm.bias"))
        #expect(!names.contains("encoder.blocks.0.attn.proj.bias"))
        #expect(names.contains("encoder.head.layers.1.weight"))
        #expect(names.first == "encoder.blocks.0.norm.weight")
        // 4 blocks × (norm 2 + qkv 2 + proj 1) + bn 2 + head 4
        #expect(names.count == 26)
        #expect(Set(names).count == names.count)
        let buffers = model.namedBuffers().map(\.name)
        #expect(buffers == ["encoder.bn.running_mean", "encoder.bn.running_var", "encoder.bn.num_batches_tracked"])
        let count = model.parameters().reduce(0) { $0 + $1.count }
        #expect(count == 4 * (16 + 8 * 24 + 24 + 64) + 6 + (8 * 16 + 16 + 16 * 2 + 2))
        #expect(model.parameters().allSatisfy { $0.requiresGrad })
    }

    @Test("train/eval mode reaches dropout and batch norm")
    func modes() throws {
        let model = try Model()
        model.eval()
        #expect(model.encoder.bn.isTraining == false)
        #expect(model.encoder.head.isTraining == false)
        let x = try Tensor.randn([5, 8], generator: Generator(seed: 1))
        let a = try model.encoder.head(x)
        let b = try model.encoder.head(x)
        #expect(try a.equal(b))
        model.train()
        #expect(model.encoder.bn.isTraining)
    }

    @Test("loadStateDict copies values and rejects wrong names and shapes")
    func loading() throws {
        let a = try Linear(3, 2, generator: Generator(seed: 1))
        let b = try Linear(3, 2, generator: Generator(seed: 2))
        #expect(try !a.weight.equal(b.weight))
        try b.loadStateDict(Dictionary(uniqueKeysWithValues: a.stateDict().map { ($0.name, $0.tensor) }))
        #expect(try a.weight.equal(b.weight))
        #expect(try a.bias!.equal(b.bias!))
        #expect(b.weight.requiresGrad && b.weight.isLeaf)
        #expect(throws: TorchError.self) { try b.loadStateDict(["weight": try Tensor.zeros([3, 2]), "bias": try Tensor.zeros([2])]) }
        #expect(throws: TorchError.self) { try b.loadStateDict(["weight": try Tensor.zeros([2, 3])]) }
        #expect(throws: TorchError.self) {
            try b.loadStateDict(["weight": try Tensor.zeros([2, 3]), "bias": try Tensor.zeros([2]), "gamma": try Tensor.zeros([1])])
        }
    }

    @Test("batch norm updates running statistics like PyTorch (momentum 0.1, unbiased variance)")
    func batchNormRunningStats() throws {
        let bn = try BatchNorm2d(1)
        let x = try Tensor([1, 2, 3, 4] as [Float], shape: [4, 1, 1, 1])
        _ = try bn(x)
        // mean 2.5, unbiased variance 5/3
        #expect(try bn.runningMean.toArray(of: Float.self)[0] == 0.25)
        #expect(abs(try bn.runningVar.toArray(of: Float.self)[0] - (0.9 + 0.1 * 5 / 3)) < 1e-6)
        #expect(try bn.batchesTracked.item() == 1)
    }

    @Test("learning-rate schedule: linear warm-up, cosine decay")
    func schedule() {
        let s = WarmupCosineSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, minimum: 0.1)
        #expect(s.learningRate(at: 0) == 0.1)
        #expect(s.learningRate(at: 9) == 1)
        #expect(abs(s.learningRate(at: 60) - 0.55) < 1e-12)
        #expect(abs(s.learningRate(at: 110) - 0.1) < 1e-12)
        #expect(abs(s.learningRate(at: 500) - 0.1) < 1e-12)
    }

    @Test("gradient clipping scales to the global norm")
    func clipping() throws {
        let a = try Tensor([3.0, 0.0] as [Double]).requiresGrad(true)
        let b = try Tensor([0.0, 4.0] as [Double]).requiresGrad(true)
        try a.sum().backward()  // grad [1, 1]
        try (b * b).sum().backward()  // grad 2b = [0, 8]
        let norm = try clipGradientNorm([a, b], maxNorm: 1)
        #expect(abs(norm - 66.0.squareRoot()) < 1e-12)  // grads [1, 1] and [0, 8]
        let total = try Tensor.cat([a.grad!, b.grad!]).norm().item()
        #expect(abs(total - 1) < 1e-6)
    }
}
