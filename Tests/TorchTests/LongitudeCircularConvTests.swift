import Foundation
import PlumeTestSupport
import Testing
import Torch

/// `Conv2d(paddingMode: .longitudeCircular)`: longitude (width) wraps, latitude (height)
/// is padded with zeros.
@Suite("Conv2d longitude-circular padding")
struct LongitudeCircularConvTests {
    /// 2 → 3 channels, kernel [3, 5] (height, width), padding [1, 2]: ph = 1, p = 2.
    static func layer(seed: UInt64, stride: [Int] = [1, 1]) throws -> Conv2d {
        try Conv2d(2, 3, kernelSize: [3, 5], stride: stride, padding: [1, 2], paddingMode: .longitudeCircular,
                   generator: Generator(seed: seed))
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
        try (a.to(.float64) - b.to(.float64)).abs().max().item()
    }

    @Test("equals circular pad of width then conv2d with height padding; wraps like .circular inside, rolls with longitude")
    func matchesExplicitPadding() throws {
        let conv = try Self.layer(seed: 1)
        let x = try Tensor.randn([2, 2, 5, 7], generator: Generator(seed: 2))
        let y = try conv(x)
        #expect(y.shape == [2, 3, 5, 7])
        let explicit = try x.pad([2, 2, 0, 0], mode: .circular)
            .conv2d(weight: conv.weight, bias: conv.bias, padding: [1, 0])
        #expect(try Self.maxDifference(y, explicit) <= 1e-6)

        // Rows whose kernel stays inside the latitude range agree with a full torus
        // (.circular); the polar rows do not (latitude does not wrap).
        let torus = try Conv2d(2, 3, kernelSize: [3, 5], padding: [1, 2], paddingMode: .circular)
        torus.weight = conv.weight
        torus.bias = conv.bias
        let t = try torus(x)
        #expect(try Self.maxDifference(y.narrow(dim: 2, start: 1, length: 3), t.narrow(dim: 2, start: 1, length: 3)) <= 1e-6)
        #expect(try Self.maxDifference(y.narrow(dim: 2, start: 0, length: 1), t.narrow(dim: 2, start: 0, length: 1)) > 1e-3)
        // Zero padding in width would break this: shifting longitude shifts the output.
        let shifted = try conv(x.roll(shifts: [3], dims: [3]))
        #expect(try Self.maxDifference(shifted, y.roll(shifts: [3], dims: [3])) <= 1e-5)
    }

    @Test("matches PyTorch F.pad(circular, width) + F.conv2d(padding=(ph, 0)) with the same weights")
    func pytorchCrossCheck() throws {
        let dir = NSTemporaryDirectory() + "plume-lonconv-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let conv = try Self.layer(seed: 3)
        let strided = try Self.layer(seed: 4, stride: [1, 2])
        let x = try Tensor.randn([2, 2, 6, 8], generator: Generator(seed: 5))
        guard let b1 = conv.bias, let b2 = strided.bias else {
            Issue.record("Conv2d built without bias")
            return
        }
        try SafeTensors.write([("x", x), ("w1", conv.weight), ("b1", b1), ("w2", strided.weight), ("b2", b2)],
                              to: dir + "/in.safetensors")
        try PythonRunner.run("""
            import sys, torch
            import torch.nn.functional as F
            from safetensors.torch import load_file, save_file
            d = load_file(sys.argv[1] + "/in.safetensors")
            xp = F.pad(d["x"], (2, 2, 0, 0), mode="circular")
            y1 = F.conv2d(xp, d["w1"], d["b1"], padding=(1, 0))
            y2 = F.conv2d(xp, d["w2"], d["b2"], stride=(1, 2), padding=(1, 0))
            save_file({"y1": y1.contiguous(), "y2": y2.contiguous()}, sys.argv[1] + "/out.safetensors")
            """, arguments: [dir])
        let r = try SafeTensors.read(dir + "/out.safetensors").tensors
        for (name, mine) in [("y1", try conv(x)), ("y2", try strided(x))] {
            let theirs = try #require(r[name], "python wrote no \(name)")
            #expect(mine.shape == theirs.shape, "\(name): \(mine.shape) vs \(theirs.shape)")
            #expect(try Self.maxDifference(mine, theirs) <= 1e-5, "\(name) differs from PyTorch")
        }
    }

    @Test("float64 gradients (input, weight, bias) match central differences")
    func gradients() throws {
        let conv = try Self.layer(seed: 6).to(.float64)
        try gradcheck("Conv2d .longitudeCircular",
                      [.random([1, 2, 4, 5], seed: 7), .random([3, 2, 3, 5], seed: 8), .random([3], seed: 9)]) { x in
            conv.weight = x[1]
            conv.bias = x[2]
            return try conv(x[0])
        }
    }
}
