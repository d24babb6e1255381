import Foundation
import PlumeEmulators
import PlumeTestSupport
import Testing
import Torch

/// `Swin` against its PyTorch twin (Benchmarks/pytorch/plume_emulators/swin.py) with the same
/// weights, and the shifted-window geometry: latitude masked across the poles, longitude wrapping.
@Suite("Swin")
struct SwinCrossCheckTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "plume-swin-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func configuration(embed: Int, depth: Int, heads: Int, patch: [Int] = [1, 1]) -> SwinConfiguration {
        var c = SwinConfiguration()
        c.embed = embed
        c.depth = depth
        c.heads = heads
        c.window = [4, 8]
        c.patch = patch
        return c
    }

    /// Forward, loss = mean(output² · weights) and its gradients, in Plume and in PyTorch from the
    /// same state dict and input; returns Python's report lines.
    static func crossCheck(patch: [Int]) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try Generator(seed: 11)
        let config = configuration(embed: 16, depth: 2, heads: 2, patch: patch)
        let model = try Swin(configuration: config, inputChannels: 5, outputChannels: 3,
                             grid: .regular(rows: 32, columns: 64), generator: g)
        let input = try Tensor.randn([2, 5, 32, 64], generator: g)
        let weights = try Tensor.rand([2, 3, 32, 64], generator: g)
        let output = try model(input)
        #expect(output.shape == [2, 3, 32, 64])
        try (output.square() * weights).mean().backward()

        var gradients: [(name: String, tensor: Tensor)] = []
        for (name, parameter) in model.namedParameters() {
            let grad = try #require(parameter.grad, "no gradient for \(name)")
            gradients.append((name, grad))
        }
        try SafeTensors.write(model.stateDict(), to: dir + "/weights.safetensors")
        try SafeTensors.write([("input", input), ("weights", weights), ("output", output.detach())],
                              to: dir + "/io.safetensors")
        try SafeTensors.write(gradients, to: dir + "/grads.safetensors")

        let report = try PythonRunner.run("""
            import sys, json
            sys.path.insert(0, "Benchmarks/pytorch")
            import torch
            from safetensors.torch import load_file
            from plume_emulators.swin import Swin
            d, patch = sys.argv[1], json.loads(sys.argv[2])
            lat = [-90 + 180 / 32 * (i + 0.5) for i in range(32)]
            lon = [360 / 64 * i for i in range(64)]
            model = Swin({"embed": 16, "depth": 2, "heads": 2, "window": [4, 8], "patch": patch}, 5, 3, lat, lon)
            model.load_state_dict(load_file(d + "/weights.safetensors"), strict=True)
            io, grads = load_file(d + "/io.safetensors"), load_file(d + "/grads.safetensors")
            out = model(io["input"])
            print("forward", (out.detach() - io["output"]).abs().max().item(), out.abs().max().item())
            (out.square() * io["weights"]).mean().backward()
            named = dict(model.named_parameters())
            assert set(named) == set(grads), sorted(set(named) ^ set(grads))
            for name, p in named.items():
                scale = p.grad.abs().max().item()
                print("grad", name, (p.grad - grads[name]).abs().max().item() / max(scale, 1e-30), scale)
            """, arguments: [dir, "[\(patch[0]), \(patch[1])]"])

        let lines = report.split(separator: "\n").map { $0.split(separator: " ") }
        let forward = try #require(lines.first { $0.first == "forward" }, "no forward line in \(report)")
        let forwardDifference = try #require(Double(forward[1]))
        #expect(forwardDifference <= 1e-5, "forward max |Δ| \(forwardDifference) (output max \(forward[2]))")
        let gradLines = lines.filter { $0.first == "grad" }
        #expect(gradLines.count == gradients.count)
        for line in gradLines {
            let relative = try #require(Double(line[2]))
            #expect(relative <= 1e-4, "gradient of \(line[1]): max |Δ| / max |g| = \(relative) (max |g| \(line[3]))")
            // A gradient that is zero everywhere would compare trivially.
            #expect((Double(line[3]) ?? 0) > 0, "gradient of \(line[1]) is zero")
        }
    }

    @Test("forward and every parameter gradient match PyTorch at 32×64, window 4×8")
    func matchesPyTorch() throws {
        try Self.crossCheck(patch: [1, 1])
    }

    @Test("with 2×2 patches (un-patchify head) too")
    func matchesPyTorchWithPatches() throws {
        try Self.crossCheck(patch: [2, 2])
    }

    @Test("64×128 grid gives [batch, outputChannels, 64, 128]")
    func highResolutionShape() throws {
        let g = try Generator(seed: 3)
        for patch in [[1, 1], [2, 2]] {
            let model = try Swin(configuration: Self.configuration(embed: 8, depth: 2, heads: 2, patch: patch),
                                 inputChannels: 2, outputChannels: 1, grid: .regular(rows: 64, columns: 128), generator: g)
            let output = try Torch.withoutGrad { try model(Tensor.randn([1, 2, 64, 128], generator: g)) }
            #expect(output.shape == [1, 1, 64, 128])
            #expect(try output.isFinite().all().item() == 1)
        }
    }

    @Test("configuration keys decode with defaults for the missing ones")
    func configurationDecodes() throws {
        let json = #"{"embed": 32, "window": [2, 4], "mlp_ratio": 2.5, "position_bias_hidden": 64}"#
        let c = try JSONDecoder().decode(SwinConfiguration.self, from: Data(json.utf8))
        #expect(c.embed == 32 && c.window == [2, 4] && c.mlpRatio == 2.5 && c.positionBiasHidden == 64)
        #expect(c.depth == 4 && c.heads == 4 && c.patch == [1, 1])
    }

    @Test("a patch grid not divisible by the window throws, naming the sizes")
    func indivisibleGridThrows() throws {
        do {
            _ = try Swin(configuration: Self.configuration(embed: 8, depth: 2, heads: 2), inputChannels: 1,
                         outputChannels: 1, grid: .regular(rows: 30, columns: 64))
            Issue.record("a 30×64 grid with window 4×8 was accepted")
        } catch let error as TorchError {
            #expect(error.message.contains("30×64"), "\(error)")
            #expect(error.message.contains("4×8"), "\(error)")
        }
    }

    /// |output(perturbed) − output(input)| of a depth-2 network (block 0 plain, block 1 shifted by
    /// [2, 4]) after adding 1 to input cell (row, column); `[lat, lon]`.
    static func response(row: Int, column: Int) throws -> [[Double]] {
        let g = try Generator(seed: 5)
        let model = try Swin(configuration: configuration(embed: 16, depth: 2, heads: 2), inputChannels: 1,
                             outputChannels: 1, grid: .regular(rows: 32, columns: 64), generator: g)
        var values = try Tensor.randn([1, 1, 32, 64], generator: g).toArray(of: Float.self)
        let base = try Tensor(values, shape: [1, 1, 32, 64])
        values[row * 64 + column] += 1
        let perturbed = try Tensor(values, shape: [1, 1, 32, 64])
        let difference = try Torch.withoutGrad { try (model(perturbed) - model(base)).abs() }
        let flat = try difference.to(.float64).toArray(of: Double.self)
        return (0..<32).map { Array(flat[($0 * 64)..<($0 * 64 + 64)]) }
    }

    @Test("shifted windows do not mix the southernmost and northernmost rows")
    func latitudeMask() throws {
        // Block 0 spreads cell (0, 5) over window rows 0–3; block 1's rolled windows put rows
        // 30–31 with rows 0–1 (the mask must separate them) and rows 2–5 together.
        let d = try Self.response(row: 0, column: 5)
        let north = d[30...31].flatMap { $0 }.max() ?? .infinity
        #expect(north == 0, "northernmost rows changed by \(north) after perturbing the southernmost row")
        let reached = d[4...5].flatMap { $0 }.max() ?? 0
        #expect(reached > 1e-5, "the shifted block should carry the perturbation to rows 4–5 (got \(reached))")
    }

    @Test("shifted windows wrap in longitude")
    func longitudeWraps() throws {
        // Block 0 spreads cell (10, 0) over columns 0–7; block 1's rolled windows put columns
        // 60–63 with columns 0–3 across the seam.
        let d = try Self.response(row: 10, column: 0)
        let lastColumn = d.map { $0[63] }.max() ?? 0
        #expect(lastColumn > 1e-3, "the last column did not see a perturbation of column 0 (got \(lastColumn))")
        let far = d.map { $0[32] }.max() ?? .infinity
        #expect(far == 0, "column 32 is two windows away and should not change (got \(far))")
    }
}
