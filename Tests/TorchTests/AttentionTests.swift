import Foundation
import PlumeTestSupport
import Testing
import Torch

/// `Tensor.scaledDotProductAttention` against a PyTorch composition, finite differences and
/// the fully masked case.
@Suite("Scaled dot-product attention")
struct AttentionTests {
    // [batch 2, heads 2, queries 3, dim 4], keys 5, value dim 3; bias [heads, queries, keys].
    static let queryShape = [2, 2, 3, 4], keyShape = [2, 2, 5, 4], valueShape = [2, 2, 5, 3], biasShape = [2, 3, 5]
    /// [batch, 1, queries, keys]: every query may attend to at least one key.
    static let partialMask: [Bool] = [
        true, false, true, true, false,  true, true, true, true, true,  false, false, false, false, true,
        true, true, false, false, false,  false, true, false, true, false,  true, true, true, false, true,
    ]
    /// As `partialMask` with query 1 of batch 0 blocked from every key.
    static var maskWithBlockedRow: [Bool] {
        var m = partialMask
        for k in 5..<10 { m[k] = false }
        return m
    }

    @Test("matches softmax(q·kᵀ·scale + bias, masked with −inf)·v composed in PyTorch")
    func pytorchCrossCheck() throws {
        let dir = NSTemporaryDirectory() + "plume-attention-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try Generator(seed: 1)
        let q = try Tensor.randn(Self.queryShape, generator: g)
        let k = try Tensor.randn(Self.keyShape, generator: g)
        let v = try Tensor.randn(Self.valueShape, generator: g)
        let bias = try Tensor.randn(Self.biasShape, generator: g)
        let mask = try boolTensor(Self.partialMask, shape: [2, 1, 3, 5])
        try SafeTensors.write([("q", q), ("k", k), ("v", v), ("bias", bias), ("mask", mask)], to: dir + "/in.safetensors")
        try PythonRunner.run("""
            import sys, math, torch
            from safetensors.torch import load_file, save_file
            d = load_file(sys.argv[1] + "/in.safetensors")
            q, k, v, bias, mask = d["q"], d["k"], d["v"], d["bias"], d["mask"]
            def attend(scale, bias=None, mask=None):
                logits = q @ k.transpose(-2, -1) * scale
                if bias is not None: logits = logits + bias
                if mask is not None: logits = logits.masked_fill(~mask, float("-inf"))
                return torch.softmax(logits, dim=-1) @ v
            save_file({"plain": attend(1 / math.sqrt(4)),
                       "full": attend(0.7, bias, mask),
                       "masked": attend(1 / math.sqrt(4), mask=mask)}, sys.argv[1] + "/out.safetensors")
            """, arguments: [dir])
        let r = try SafeTensors.read(dir + "/out.safetensors").tensors
        let mine: [(String, Tensor)] = [
            ("plain", try Tensor.scaledDotProductAttention(query: q, key: k, value: v)),
            ("full", try Tensor.scaledDotProductAttention(query: q, key: k, value: v, bias: bias, mask: mask, scale: 0.7)),
            ("masked", try Tensor.scaledDotProductAttention(query: q, key: k, value: v, mask: mask)),
        ]
        for (name, out) in mine {
            let theirs = try #require(r[name], "python wrote no \(name)")
            #expect(out.shape == [2, 2, 3, 3] && theirs.shape == out.shape, "\(name): \(out.shape) vs \(theirs.shape)")
            #expect(try (out.to(.float64) - theirs.to(.float64)).abs().max().item() <= 1e-5, "\(name) differs from PyTorch")
        }
    }

    @Test("float64 gradients with respect to query, key, value and bias match central differences")
    func gradients() throws {
        let mask = try boolTensor(Self.partialMask, shape: [2, 1, 3, 5])
        try gradcheck("attention", [.random(Self.queryShape, seed: 2), .random(Self.keyShape, seed: 3),
                                    .random(Self.valueShape, seed: 4), .random(Self.biasShape, seed: 5)]) { x in
            try Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], bias: x[3], mask: mask, scale: 0.8)
        }
    }

    @Test("a query blocked from every key gives zeros and finite gradients (zero for its bias row)")
    func fullyMaskedRow() throws {
        let mask = try boolTensor(Self.maskWithBlockedRow, shape: [2, 1, 3, 5])
        let inputs: [GradInput] = [.random(Self.queryShape, seed: 6), .random(Self.keyShape, seed: 7),
                                   .random(Self.valueShape, seed: 8), .random(Self.biasShape, seed: 9)]
        let leaves = try inputs.map { try $0.tensor(requiresGrad: true) }
        let out = try Tensor.scaledDotProductAttention(query: leaves[0], key: leaves[1], value: leaves[2], bias: leaves[3], mask: mask)
        // Batch 0, both heads, query 1: zeros. Other rows are ordinary attention outputs.
        let blocked = try out.select(dim: 0, index: 0).select(dim: 1, index: 1)
        #expect(try blocked.toArray(of: Double.self) == [Double](repeating: 0, count: 6))
        #expect(try out.abs().sum().item() > 1)
        try out.square().sum().backward()
        for (i, leaf) in leaves.enumerated() {
            let grad = try #require(leaf.grad, "no gradient for input \(i)")
            #expect(try grad.isFinite().all().item() == 1, "gradient of input \(i) is not finite")
        }
        // Query 1 of batch 0 influences nothing; bias row 1 only matters through batch 1.
        let dq = try #require(leaves[0].grad).select(dim: 0, index: 0).select(dim: 1, index: 1)
        #expect(try dq.toArray(of: Double.self) == [Double](repeating: 0, count: 8))

        // And finite differences agree everywhere, including the blocked row.
        try gradcheck("attention with a blocked row", inputs) { x in
            try Tensor.scaledDotProductAttention(query: x[0], key: x[1], value: x[2], bias: x[3], mask: mask)
        }
    }
}
