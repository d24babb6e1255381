import Foundation
import PlumeTestSupport
import Testing
import Torch
@testable import PlumeEmulators

/// `MeshGNN` against its PyTorch twin (Benchmarks/pytorch/plume_emulators/mesh_gnn.py) with
/// the same weights and graph buffers, exchanged through safetensors: outputs, the input
/// gradient and every parameter gradient of loss = mean(w ⊙ output²).
@Suite struct MeshGNNCrossCheckTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "plume-meshgnn-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func maxAbs(_ t: Tensor) throws -> Double { try t.to(.float64).abs().max().item() }

    @Test(arguments: ["sum", "mean"])
    func matchesPyTorch(aggregation: String) throws {
        var configuration = MeshGNNConfiguration()
        configuration.hidden = 16
        configuration.processorSteps = 2
        configuration.meshLevel = 2
        configuration.aggregation = aggregation
        let grid = EmulatorGrid.regular(rows: 32, columns: 64)
        let g = try Generator(seed: 42)
        let model = try MeshGNN(configuration: configuration, inputChannels: 5, outputChannels: 3, grid: grid, generator: g)
        // LayerNorm scales and shifts away from 1 and 0, so that their use is tested too.
        try Torch.withoutGrad { () throws(TorchError) in
            for (name, p) in model.namedParameters() where name.contains(".norm.") {
                try p.copyInPlace(from: try p + (try Tensor.rand(p.shape, generator: g) - 0.5) * 0.4)
            }
        }
        let input = try Tensor.randn([2, 5, 32, 64], generator: g).requiresGrad(true)
        let weights = try Tensor.rand([2, 3, 32, 64], generator: g)
        let output = try model(input)
        #expect(output.shape == [2, 3, 32, 64])
        try (output.square() * weights).mean().backward()

        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tensors: [(name: String, tensor: Tensor)] = model.stateDict().map { ("state." + $0.name, $0.tensor) }
        tensors += [("input", try input.detach()), ("weights", weights), ("output", try output.detach())]
        var gradients: [(name: String, tensor: Tensor)] = []
        for (name, parameter) in model.namedParameters() {
            gradients.append((name, try #require(parameter.grad, "no gradient for \(name)")))
        }
        try SafeTensors.write(tensors, to: dir + "/swift.safetensors")

        try PythonRunner.run("""
            import sys, torch
            sys.path.insert(0, "Benchmarks/pytorch")
            from safetensors.torch import load_file, save_file
            from plume_emulators.mesh_gnn import MeshGNN
            d = load_file(sys.argv[1] + "/swift.safetensors")
            state = {k[len("state."):]: v for k, v in d.items() if k.startswith("state.")}
            graph = {k: v for k, v in state.items() if k.startswith("graph.")}
            lat = [-90 + 180 / 32 * (i + 0.5) for i in range(32)]
            lon = [360 / 64 * i for i in range(64)]
            config = {"hidden": 16, "processor_steps": 2, "mesh_level": 2, "aggregation": sys.argv[2]}
            model = MeshGNN(config, 5, 3, lat, lon, graph)
            model.load_state_dict(state, strict=True)
            x = d["input"].clone().requires_grad_(True)
            y = model(x)
            (y.square() * d["weights"]).mean().backward()
            out = {"output": y.detach().contiguous(), "grad.input": x.grad}
            for name, p in model.named_parameters():
                out["grad." + name] = p.grad.contiguous()
            save_file(out, sys.argv[1] + "/torch.safetensors")
            """, arguments: [dir, aggregation])
        let reference = try SafeTensors.read(dir + "/torch.safetensors").tensors

        let theirOutput = try #require(reference["output"])
        let scale = max(1, try Self.maxAbs(output))
        let forward = try Self.maxAbs(output.detach() - theirOutput) / scale
        #expect(forward <= 1e-5, "\(aggregation): output differs by \(forward) (relative to max |output| \(scale))")
        #expect(try Self.maxAbs(output) > 0.1)

        let ours = gradients + [(name: "input", tensor: try #require(input.grad))]
        #expect(reference.count == ours.count + 1, "PyTorch has \(reference.count - 1) gradients, Swift \(ours.count)")
        for (name, gradient) in ours {
            let theirs = try #require(reference["grad." + name], "PyTorch has no gradient for \(name)")
            let size = try Self.maxAbs(theirs)
            #expect(size > 0, "\(aggregation): gradient of \(name) is zero")
            let difference = try Self.maxAbs(gradient - theirs) / max(size, 1e-30)
            #expect(difference <= 1e-4, "\(aggregation): gradient of \(name) differs by \(difference) relative to \(size)")
        }
    }

    @Test func rejectsBadConfigurationAndInput() throws {
        let grid = EmulatorGrid.regular(rows: 8, columns: 16)
        var configuration = MeshGNNConfiguration()
        configuration.hidden = 4
        configuration.processorSteps = 1
        configuration.meshLevel = 1
        configuration.aggregation = "max"
        #expect(throws: MeshGNNError.self) {
            try MeshGNN(configuration: configuration, inputChannels: 2, outputChannels: 1, grid: grid)
        }
        configuration.aggregation = "sum"
        let model = try MeshGNN(configuration: configuration, inputChannels: 2, outputChannels: 1, grid: grid)
        #expect(throws: MeshGNNError.self) { try model(try Tensor.zeros([1, 3, 8, 16])) }
        #expect(try model(try Tensor.zeros([1, 2, 8, 16])).shape == [1, 1, 8, 16])
        // The graph travels in the state dict.
        let names = Set(model.namedBuffers().map(\.name))
        #expect(names.isSuperset(of: ["graph.grid_nodes", "graph.multimesh_senders", "graph.mesh2grid_features"]))
    }
}
