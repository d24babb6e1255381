import Foundation
import PlumeTestSupport
import Testing
import Torch

/// The same weights and the same updates in Plume and in Python PyTorch (Debian's
/// python3-torch, the same libtorch), exchanged through safetensors files.
@Suite("PyTorch cross-checks")
struct PyTorchCrossCheckTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "plume-crosscheck-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
        try (a.to(.float64) - b.to(.float64)).abs().max().item()
    }

    /// Loss used on both sides: Σ (w ⊙ p² + sin p).
    static func loss(_ p: Tensor, _ w: Tensor) throws -> Tensor {
        try (w * p.square() + p.sin()).sum()
    }

    @Test("AdamW and SGD (momentum, Nesterov, weight decay): 25 steps match torch.optim in float64")
    func optimisers() throws {
        let dir = try Self.folder()
        let g = try Generator(seed: 5)
        let p0 = try Tensor.randn([6, 5], dtype: .float64, generator: g)
        let w = try Tensor.rand([6, 5], dtype: .float64, generator: g)
        try SafeTensors.write([("p0", p0), ("w", w)], to: dir + "/in.safetensors")

        func run(_ make: ([(name: String, tensor: Tensor)]) -> any Optimizer) throws -> Tensor {
            let p = try p0.clone().requiresGrad(true)
            let optimizer = make([("p", p)])
            for step in 0..<25 {
                optimizer.learningRate = 0.05 * (1 - Double(step) / 50)
                try optimizer.zeroGrad()
                try Self.loss(p, w).backward()
                try optimizer.step()
            }
            return p
        }
        let adamw = try run { AdamW($0, learningRate: 0.05, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.1) }
        let sgd = try run { SGD($0, learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }
        let nesterov = try run { SGD($0, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true) }

        try PythonRunner.run("""
            import sys, torch
            from safetensors.torch import load_file, save_file
            d = load_file(sys.argv[1] + "/in.safetensors")
            def run(make):
                p = d["p0"].clone().requires_grad_(True)
                opt = make([p])
                for step in range(25):
                    for group in opt.param_groups: group["lr"] = 0.05 * (1 - step / 50)
                    opt.zero_grad(set_to_none=True)
                    (d["w"] * p.square() + p.sin()).sum().backward()
                    opt.step()
                return p.detach()
            out = {
                "adamw": run(lambda ps: torch.optim.AdamW(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
                "sgd": run(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
                "nesterov": run(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)),
            }
            save_file(out, sys.argv[1] + "/out.safetensors")
            """, arguments: [dir])
        let reference = try SafeTensors.read(dir + "/out.safetensors").tensors
        for (name, mine) in [("adamw", adamw), ("sgd", sgd), ("nesterov", nesterov)] {
            let theirs = try #require(reference[name])
            #expect(try Self.maxDifference(mine, theirs) <= 1e-13, "\(name) differs from torch.optim")
            #expect(try Self.maxDifference(mine, p0) > 0.1, "\(name) did not move the parameters")
        }
    }

    @Test("MLP and CNN with the same weights give PyTorch's outputs and gradients")
    func layers() throws {
        let dir = try Self.folder()
        let g = try Generator(seed: 9)
        let mlp = try MLP([5, 16, 16, 3], activation: .gelu, generator: g)
        let conv1 = try Conv2d(2, 8, kernelSize: [3], padding: [1], paddingMode: .circular, generator: g)
        let norm = try GroupNorm(groups: 2, channels: 8)
        let up = try ConvTranspose2d(8, 4, kernelSize: [2], stride: [2], generator: g)
        let ln = try LayerNorm([4])
        let x = try Tensor.randn([7, 5], generator: g)
        let field = try Tensor.randn([2, 2, 6, 8], generator: g)

        let xg = try x.clone().requiresGrad(true)
        let y = try mlp(xg)
        try y.square().sum().backward()
        let fg = try field.clone().requiresGrad(true)
        let z = try ln(up(norm(conv1(fg)).silu()).permute([0, 2, 3, 1]))
        try z.square().sum().backward()

        var tensors = mlp.stateDict().map { ("mlp.\($0.name)", $0.tensor) }
        tensors += conv1.stateDict().map { ("conv1.\($0.name)", $0.tensor) }
        tensors += up.stateDict().map { ("up.\($0.name)", $0.tensor) }
        tensors += [("x", x), ("field", field)]
        try SafeTensors.write(tensors, to: dir + "/in.safetensors")
        try PythonRunner.run("""
            import sys, torch
            from torch import nn
            from safetensors.torch import load_file, save_file
            d = load_file(sys.argv[1] + "/in.safetensors")
            class MLP(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(5, 16), nn.Linear(16, 16), nn.Linear(16, 3)])
                def forward(self, x):
                    for i, l in enumerate(self.layers):
                        x = l(x)
                        if i < 2: x = nn.functional.gelu(x)
                    return x
            mlp = MLP()
            mlp.load_state_dict({k[4:]: v for k, v in d.items() if k.startswith("mlp.")})
            conv1 = nn.Conv2d(2, 8, 3, padding=1, padding_mode="circular")
            conv1.load_state_dict({k[6:]: v for k, v in d.items() if k.startswith("conv1.")})
            up = nn.ConvTranspose2d(8, 4, 2, stride=2)
            up.load_state_dict({k[3:]: v for k, v in d.items() if k.startswith("up.")})
            norm, ln = nn.GroupNorm(2, 8), nn.LayerNorm([4])
            x = d["x"].clone().requires_grad_(True)
            y = mlp(x); y.square().sum().backward()
            f = d["field"].clone().requires_grad_(True)
            z = ln(up(nn.functional.silu(norm(conv1(f)))).permute(0, 2, 3, 1)); z.square().sum().backward()
            save_file({"y": y.detach(), "dx": x.grad, "z": z.detach().contiguous(), "df": f.grad,
                       "dw": mlp.layers[0].weight.grad, "dconv": conv1.weight.grad}, sys.argv[1] + "/out.safetensors")
            """, arguments: [dir])
        let r = try SafeTensors.read(dir + "/out.safetensors").tensors
        let pairs: [(String, Tensor?)] = [("y", y), ("dx", xg.grad), ("z", z), ("df", fg.grad),
                                          ("dw", mlp.layers[0].weight.grad), ("dconv", conv1.weight.grad)]
        for (name, mine) in pairs {
            let mine = try #require(mine, "no gradient for \(name)")
            let theirs = try #require(r[name], "python wrote no \(name)")
            #expect(mine.shape == theirs.shape, "\(name)")
            #expect(try Self.maxDifference(mine, theirs) <= 2e-5, "\(name) differs from PyTorch")
        }
    }
}
