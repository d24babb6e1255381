import Foundation
import PlumeTestSupport
import Testing
import Torch
@testable import PlumeEmulators

/// `UNet` against its independently written PyTorch twin
/// (`Benchmarks/pytorch/plume_emulators/unet.py`): the same weights give the same outputs,
/// gradients and batch-norm statistics, exchanged through safetensors files.
@Suite("UNet")
struct UNetCrossCheckTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "plume-unet-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var json: String
        var rows: Int
        var columns: Int
        var testDescription: String { "\(json) on \(rows)×\(columns)" }
    }

    /// The Python side: loads the twin with the Swift network's initial state (strict), runs
    /// the same training-mode forward, loss and backward, then an evaluation-mode forward, and
    /// prints each difference relative to the largest magnitude of the Swift value.
    static let python = """
        import json, sys, torch
        sys.path.insert(0, "Benchmarks/pytorch")
        from safetensors.torch import load_file
        from plume_emulators.unet import UNet
        folder, config = sys.argv[1], json.loads(sys.argv[2])
        rows, columns = int(sys.argv[3]), int(sys.argv[4])
        d = load_file(folder + "/swift.safetensors")
        lat = [-90 + 180 / rows * (i + 0.5) for i in range(rows)]
        lon = [360 / columns * i for i in range(columns)]
        x = d["input"]
        net = UNet(config, x.shape[1], d["output"].shape[1], lat, lon)
        net.load_state_dict({k[len("state."):]: v for k, v in d.items() if k.startswith("state.")}, strict=True)
        def rel(mine, swift):
            scale = swift.double().abs().max().item()
            return (mine.double() - swift.double()).abs().max().item() / max(scale, 1e-30)
        net.train()
        y = net(x)
        ((y ** 2) * d["weights"]).mean().backward()
        out = {"forward": rel(y.detach(), d["output"]), "grads": {}, "gradmax": {}, "buffers": 0.0}
        for name, p in net.named_parameters():
            out["grads"][name] = rel(p.grad, d["grad." + name])
            out["gradmax"][name] = p.grad.abs().max().item()
        for name, b in net.named_buffers():
            out["buffers"] = max(out["buffers"], rel(b, d["after." + name]))
        net.eval()
        with torch.no_grad():
            out["eval"] = rel(net(x), d["eval"])
        out["parameters"] = len(list(net.named_parameters()))
        print(json.dumps(out))
        """

    @Test("same outputs, gradients, running statistics and evaluation outputs as the PyTorch twin",
          arguments: [
              Case(json: #"{"embed": 8, "depth": 2, "blocks": 2}"#, rows: 32, columns: 64),
              Case(json: #"{"embed": 4, "depth": 3, "resize": [48, 80], "channel_multiplier": 1, "stem_kernel": 5}"#,
                   rows: 32, columns: 64),
              Case(json: #"{"embed": 8, "depth": 2, "blocks": 2, "latitude_padding": "poles"}"#, rows: 32, columns: 64),
          ])
    func crossCheck(_ c: Case) throws {
        let configuration = try JSONDecoder().decode(UNetConfiguration.self, from: Data(c.json.utf8))
        let grid = EmulatorGrid.regular(rows: c.rows, columns: c.columns)
        let g = try Generator(seed: 21)
        let net = try UNet(configuration: configuration, inputChannels: 5, outputChannels: 3, grid: grid, generator: g)
        let input = try Tensor.randn([2, 5, c.rows, c.columns], generator: g)
        let weights = try Tensor.rand([2, 3, c.rows, c.columns], generator: g)
        var tensors = try net.stateDict().map { ("state.\($0.name)", try $0.tensor.clone()) }

        net.train()
        let output = try net(input)
        try (output.square() * weights).mean().backward()
        for (name, p) in net.namedParameters() {
            let grad = try #require(p.grad, "no gradient for \(name)")
            tensors.append(("grad.\(name)", grad))
        }
        tensors += net.namedBuffers().map { ("after.\($0.name)", $0.tensor) }
        net.eval()
        let evaluation = try net(input).detach()
        #expect(output.shape == [2, 3, c.rows, c.columns])
        tensors += [("input", input), ("weights", weights), ("output", try output.detach()), ("eval", evaluation)]

        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SafeTensors.write(tensors, to: dir + "/swift.safetensors")
        let printed = try PythonRunner.run(Self.python, arguments: [dir, c.json, "\(c.rows)", "\(c.columns)"])
        let line = try #require(printed.split(separator: "\n").last.map(String.init))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])

        let forward = try #require(report["forward"] as? Double)
        let eval = try #require(report["eval"] as? Double)
        let buffers = try #require(report["buffers"] as? Double)
        let grads = try #require(report["grads"] as? [String: Double])
        let gradMax = try #require(report["gradmax"] as? [String: Double])
        #expect(forward <= 1e-5, "training-mode forward differs by \(forward) (relative)")
        #expect(eval <= 1e-5, "evaluation-mode forward differs by \(eval) (relative)")
        #expect(buffers <= 1e-5, "running statistics differ by \(buffers) (relative)")
        #expect(report["parameters"] as? Int == net.namedParameters().count)
        #expect(Set(grads.keys) == Set(net.namedParameters().map(\.name)))
        for (name, difference) in grads.sorted(by: { $0.key < $1.key }) {
            #expect(difference <= 1e-4, "gradient of \(name) differs by \(difference) (relative)")
            #expect((gradMax[name] ?? 0) > 0, "gradient of \(name) is zero")
        }
        // Evaluation mode uses the updated running statistics, not the batch's.
        #expect(try (output.detach() - evaluation).abs().max().item() > 1e-3)
    }

    @Test("resize [48, 80] runs on the 32×64 grid and returns 32×64; 64×128 works at depth 3")
    func resizeAndGrids() throws {
        var configuration = UNetConfiguration()
        configuration.embed = 4
        configuration.resize = [48, 80]
        let g = try Generator(seed: 3)
        let low = try UNet(configuration: configuration, inputChannels: 2, outputChannels: 3,
                           grid: .regular(rows: 32, columns: 64), generator: g)
        #expect(low.workingShape == [48, 80])
        #expect(try low(Tensor.randn([1, 2, 32, 64], generator: g)).shape == [1, 3, 32, 64])

        configuration.resize = []
        let high = try UNet(configuration: configuration, inputChannels: 2, outputChannels: 1,
                            grid: .regular(rows: 64, columns: 128), generator: g)
        #expect(try high(Tensor.randn([1, 2, 64, 128], generator: g)).shape == [1, 1, 64, 128])
        #expect(high.upsample.map(\.weight.shape) == [[32, 16, 2, 2], [16, 8, 2, 2], [8, 4, 2, 2]])
    }

    @Test("a grid that cannot be halved depth times, a bad resize or a wrong input throws, naming the sizes")
    func badGridsThrow() throws {
        var configuration = UNetConfiguration()
        configuration.embed = 2
        func message(_ make: () throws -> Void) -> String {
            do { try make(); return "" } catch { return "\(error)" }
        }
        let odd = message { _ = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1,
                                         grid: .regular(rows: 30, columns: 64)) }
        #expect(odd.contains("30 × 64") && odd.contains("multiples of 8"), "got: \(odd)")
        configuration.resize = [50, 80]
        let resize = message { _ = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1,
                                            grid: .regular(rows: 30, columns: 64)) }
        #expect(resize.contains("50 × 80"), "got: \(resize)")
        configuration.resize = [48]
        let shape = message { _ = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1,
                                           grid: .regular(rows: 32, columns: 64)) }
        #expect(shape.contains("[48]"), "got: \(shape)")
        configuration.resize = []
        let net = try UNet(configuration: configuration, inputChannels: 2, outputChannels: 1, grid: .regular(rows: 32, columns: 64))
        let input = message { _ = try net(Tensor.zeros([1, 3, 32, 64])) }
        #expect(input.contains("[1, 3, 32, 64]"), "got: \(input)")
    }

    @Test("configuration: missing keys keep the defaults, snake_case keys decode")
    func configurationDecoding() throws {
        let empty = try JSONDecoder().decode(UNetConfiguration.self, from: Data("{}".utf8))
        #expect(empty == UNetConfiguration())
        let full = try JSONDecoder().decode(UNetConfiguration.self, from: Data(
            #"{"embed": 128, "depth": 4, "blocks": 2, "resize": [48, 80], "channel_multiplier": 1, "kernel": 5, "stem_kernel": 9}"#.utf8))
        #expect(full.embed == 128 && full.depth == 4 && full.blocks == 2 && full.resize == [48, 80])
        #expect(full.channelMultiplier == 1 && full.kernel == 5 && full.stemKernel == 9)
    }

    @Test("longitude wraps and latitude does not: a point source near the date line reaches the first column only")
    func periodicity() throws {
        var configuration = UNetConfiguration()
        configuration.embed = 2
        configuration.depth = 1
        let net = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1,
                           grid: .regular(rows: 16, columns: 32), generator: Generator(seed: 1))
        net.eval()
        let zero = try net(Tensor.zeros([1, 1, 16, 32]))
        // Impulse in the last column, mid-latitude: the response must reach column 0 (wrap).
        var values = [Float](repeating: 0, count: 16 * 32)
        values[8 * 32 + 31] = 10
        let impulse = try Tensor(values, shape: [1, 1, 16, 32])
        let response = try (net(impulse) - zero).abs()
        #expect(try response.select(dim: 3, index: 0).max().item() > 1e-4)
        // Impulse at the southern edge must not reach the northern edge (no wrap in latitude).
        values = [Float](repeating: 0, count: 16 * 32)
        values[0 * 32 + 16] = 10
        let south = try (net(Tensor(values, shape: [1, 1, 16, 32])) - zero).abs()
        #expect(try south.select(dim: 2, index: 15).max().item() == 0)
    }

    @Test("latitude_padding poles: an impulse next to the north pole reaches the far side of the pole; an odd working width is refused")
    func acrossThePoles() throws {
        var configuration = UNetConfiguration()
        configuration.embed = 2
        configuration.depth = 1
        configuration.stemKernel = 3
        configuration.latitudePadding = "poles"
        let net = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1,
                           grid: .regular(rows: 16, columns: 32), generator: Generator(seed: 1))
        net.eval()
        let zero = try net(Tensor.zeros([1, 1, 16, 32]))
        var values = [Float](repeating: 0, count: 16 * 32)
        values[15 * 32 + 0] = 10  // last row, column 0
        let response = try (net(Tensor(values, shape: [1, 1, 16, 32])) - zero).abs()
        // Across the pole from column 0 is column 16; away from the pole, column 16 of row 8
        // is out of reach of three 3×3 convolutions (and one halving) from column 0.
        #expect(try response.select(dim: 2, index: 15).select(dim: 2, index: 16).item() > 1e-4)
        #expect(try response.select(dim: 2, index: 8).max().item() == 0)
        configuration.latitudePadding = "mirror"
        #expect(throws: TorchError.self) {
            _ = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1, grid: .regular(rows: 16, columns: 32))
        }
        configuration.latitudePadding = "poles"
        #expect(throws: TorchError.self) {
            _ = try UNet(configuration: configuration, inputChannels: 1, outputChannels: 1, grid: .regular(rows: 16, columns: 6))
        }
    }
}
