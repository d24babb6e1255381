import ArgumentParser
import PlumeSupport
import Foundation
import Torch

/// `plume bench torch`: forward + backward of a convolution block and of a pre-norm
/// transformer block, and a large matrix product, through the Swift `Torch` bindings.
///
/// `Benchmarks/torch_python.py` runs the same workloads in PyTorch on the same libtorch;
/// `Benchmarks/torch.sh` runs both side by side in one run and prints the ratios.
/// Prints one JSON line per workload (`"method": "swift"`), the format of that script:
/// `seconds` is the best of `--repeat` timed iterations after one warm-up, `loss` the
/// loss of the warm-up iteration (the first one), to check both sides compute the same;
/// `median` the median timed iteration, `faults` the page faults (minor) per timed
/// step, which show how often the allocator hands back fresh pages.
///
/// With `--weights DIR`, the inputs and weights of the blocks (drawn from a generator
/// seeded with `--seed`) are also written to DIR as raw little-endian float32 files
/// (`NAME.bin`, row-major) plus `manifest.json` (name, file, shape, dtype of each), which
/// the Python script reads, so that both sides run on the same numbers.
struct TorchBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "torch",
        abstract: "Time forward+backward of a conv block and a transformer block, and a large matmul, through libtorch.",
        discussion: """
            Side by side with PyTorch: Benchmarks/torch.sh (which also runs Benchmarks/torch_python.py \
            with the weights written by --weights).
            """)

    /// The workloads, by the names both scripts print.
    enum Workload: String, CaseIterable, ExpressibleByArgument {
        case convBlock = "conv-block"
        case transformerBlock = "transformer-block"
        /// The transformer block on tiny shapes: the per-call overhead of the bindings.
        case transformerTiny = "transformer-tiny"
        case matmulFloat32 = "matmul-f32"
        case matmulFloat64 = "matmul-f64"
    }

    @Option(name: .customLong("repeat"), help: "Timed iterations per workload (the best is reported, after one warm-up).")
    var repetitions: Int = 5

    @Option(help: "libtorch intra-op threads (Torch.setThreadCount).")
    var threads: Int = 1

    @Option(name: .customLong("weights"), help: "Folder to write the blocks' inputs and weights to (.bin + manifest.json).")
    var weightsFolder: String?

    @Option(name: .customLong("workload"), help: "Workload to run, repeatable (default: all): \(Workload.allCases.map(\.rawValue).joined(separator: ", ")).")
    var workloads: [Workload] = []

    @Option(name: .customLong("matmul-size"), help: "n of the n×n matrix product.")
    var matmulSize: Int = 2048

    @Option(help: "Seed of the generator that draws inputs and weights.")
    var seed: UInt64 = 0

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard matmulSize >= 1 else { throw ValidationError("--matmul-size must be at least 1") }
    }

    func run() throws {
        try Torch.setThreadCount(threads)
        let generator = try Generator(seed: seed)
        // Drawn in a fixed order whatever the workloads chosen, so a tensor's values do not
        // depend on the command line.
        let conv = try ConvBlock(generator: generator)
        let transformer = try TransformerBlock(prefix: "transformer", batch: 8, tokens: 256, dim: 256, heads: 8,
                                               hidden: 1024, generator: generator)
        let tiny = try TransformerBlock(prefix: "tiny", batch: 2, tokens: 16, dim: 32, heads: 4, hidden: 128,
                                        generator: generator)
        if let weightsFolder {
            try Self.write(conv.named + transformer.named + tiny.named, to: weightsFolder, seed: seed)
        }
        for workload in workloads.isEmpty ? Workload.allCases : workloads {
            let fields: [(String, String)]
            switch workload {
            case .convBlock:
                let timing = try Self.timeTraining(parameters: conv.parameters, repetitions: repetitions) {
                    () throws(TorchError) in try conv.loss()
                }
                fields = timing.fields
            case .transformerBlock, .transformerTiny:
                let block = workload == .transformerBlock ? transformer : tiny
                // The tiny block's iterations take microseconds: time `tinySteps` per iteration.
                let steps = workload == .transformerBlock ? 1 : Self.tinySteps
                let timing = try Self.timeTraining(parameters: block.parameters, repetitions: repetitions, steps: steps) {
                    () throws(TorchError) in try block.loss()
                }
                fields = timing.fields + (steps > 1 ? [("steps", "\(steps)")] : [])
            case .matmulFloat32, .matmulFloat64:
                let dtype: DType = workload == .matmulFloat32 ? .float32 : .float64
                let best = try Self.timeMatmul(size: matmulSize, dtype: dtype, generator: generator, repetitions: repetitions)
                let flop = 2 * pow(Double(matmulSize), 3)
                fields = [("seconds", "\(best)"), ("n", "\(matmulSize)"), ("gflops", "\(flop / best / 1e9)")]
            }
            let head: [(String, String)] = [
                ("workload", "\"\(workload.rawValue)\""), ("method", "\"swift\""), ("threads", "\(threads)"),
                ("repeat", "\(repetitions)"), ("libtorch", "\"\(Torch.version)\""),
            ]
            print("{" + (head + fields).map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
            fflush(nil)  // one line at a time when piped
        }
    }

    // MARK: Timing

    /// Times of the timed iterations, the warm-up's loss and the page faults per timed iteration.
    struct Timing {
        var seconds: [Double]
        var firstLoss: Double
        var faultsPerIteration: Double

        var fields: [(String, String)] {
            let sorted = seconds.sorted()
            return [("seconds", "\(sorted.first ?? .nan)"), ("median", "\(sorted[sorted.count / 2])"),
                    ("loss", firstLoss.isFinite ? "\(firstLoss)" : "null"),  // JSON has no NaN
                    ("faults", "\(faultsPerIteration.rounded())")]
        }
    }

    /// Minor page faults of this process so far.
    static var minorFaults: Int {
        var usage = rusage()
        #if canImport(Glibc)
        let who = RUSAGE_SELF.rawValue
        #else
        let who = RUSAGE_SELF
        #endif
        return getrusage(who, &usage) == 0 ? Int(usage.ru_minflt) : 0
    }

    /// Forward+backward steps per timed iteration of `transformer-tiny`.
    static let tinySteps = 100

    /// Runs `loss` + `backward` once as a warm-up (its loss is kept), then `repetitions`
    /// times, timed; each iteration is `steps` steps, and the time reported is per step.
    /// Gradients are cleared before each step (as `p.grad = None` in the Python script),
    /// outside the timed region before the first one.
    static func timeTraining(parameters: [Tensor], repetitions: Int, steps: Int = 1,
                             _ loss: () throws(TorchError) -> Tensor) throws(TorchError) -> Timing {
        var timing = Timing(seconds: [], firstLoss: .nan, faultsPerIteration: 0)
        var faults = 0
        for iteration in 0...repetitions {
            for p in parameters { try p.setGrad(nil) }
            let faultsBefore = minorFaults
            let start = DispatchTime.now().uptimeNanoseconds
            for step in 0..<(iteration == 0 ? 1 : steps) {
                if step > 0 { for p in parameters { try p.setGrad(nil) } }
                let value = try loss()
                try value.backward()
                if iteration == 0 { timing.firstLoss = try value.item() }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)
            if iteration > 0 {
                timing.seconds.append(seconds)
                faults += minorFaults - faultsBefore
            }
        }
        timing.faultsPerIteration = Double(faults) / Double(repetitions * steps)
        return timing
    }

    /// Best time of `a.matmul(b)` for two n×n standard normal matrices, after one warm-up.
    static func timeMatmul(size n: Int, dtype: DType, generator: Generator, repetitions: Int) throws(TorchError) -> Double {
        let a = try Tensor.randn([n, n], dtype: dtype, generator: generator)
        let b = try Tensor.randn([n, n], dtype: dtype, generator: generator)
        var best = Double.infinity
        for iteration in 0...repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            let c = try a.matmul(b)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            withExtendedLifetime(c) {}
            if iteration > 0 { best = min(best, seconds) }
        }
        return best
    }

    // MARK: Weights

    /// One entry of `manifest.json`.
    struct ManifestEntry: Codable {
        var name: String
        var file: String
        var shape: [Int]
        var dtype: String
    }

    /// The manifest the Python script reads.
    struct Manifest: Codable {
        var seed: UInt64
        var libtorch: String
        var tensors: [ManifestEntry]
    }

    /// Writes each tensor's bytes to `folder/NAME.bin` and the list to `folder/manifest.json`.
    static func write(_ tensors: [(String, Tensor)], to folder: String, seed: UInt64) throws {
        let url = URL(fileURLWithPath: folder, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        var entries: [ManifestEntry] = []
        for (name, tensor) in tensors {
            let file = "\(name).bin"
            try AtomicFile.write(Data(tensor.detach().contiguous().bytes()), to: url.appendingPathComponent(file).path)
            entries.append(ManifestEntry(name: name, file: file, shape: tensor.shape, dtype: tensor.dtype.description))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifest = Manifest(seed: seed, libtorch: Torch.version, tensors: entries)
        try AtomicFile.write(encoder.encode(manifest), to: url.appendingPathComponent("manifest.json").path)
    }

    /// A standard normal tensor scaled by `scale` and shifted by `offset`, as a leaf that
    /// records gradients when `trainable`.
    static func draw(_ shape: [Int], scale: Double, offset: Double = 0, trainable: Bool = true,
                     _ generator: Generator) throws(TorchError) -> Tensor {
        let t = try Tensor.randn(shape, generator: generator) * scale + offset
        return trainable ? try t.requiresGrad(true) : t
    }
}

// MARK: Workloads (functional ops only)

/// x [8, 64, 64, 128] → conv3×3 (64→64, zero padding 1) → GroupNorm(8) → SiLU → conv3×3 →
/// GroupNorm(8) → + x; loss = mean(out²).
struct ConvBlock {
    let x, conv1Weight, conv1Bias, norm1Weight, norm1Bias: Tensor
    let conv2Weight, conv2Bias, norm2Weight, norm2Bias: Tensor

    init(generator g: Generator) throws(TorchError) {
        let c = 64
        let fanIn = 1 / (Double(c * 9)).squareRoot()
        x = try TorchBenchCommand.draw([8, c, 64, 128], scale: 1, trainable: false, g)
        conv1Weight = try TorchBenchCommand.draw([c, c, 3, 3], scale: fanIn, g)
        conv1Bias = try TorchBenchCommand.draw([c], scale: 0.1, g)
        norm1Weight = try TorchBenchCommand.draw([c], scale: 0.1, offset: 1, g)
        norm1Bias = try TorchBenchCommand.draw([c], scale: 0.1, g)
        conv2Weight = try TorchBenchCommand.draw([c, c, 3, 3], scale: fanIn, g)
        conv2Bias = try TorchBenchCommand.draw([c], scale: 0.1, g)
        norm2Weight = try TorchBenchCommand.draw([c], scale: 0.1, offset: 1, g)
        norm2Bias = try TorchBenchCommand.draw([c], scale: 0.1, g)
    }

    /// Names as in `Benchmarks/torch_python.py`.
    var named: [(String, Tensor)] {
        [("conv.x", x), ("conv.conv1.weight", conv1Weight), ("conv.conv1.bias", conv1Bias),
         ("conv.norm1.weight", norm1Weight), ("conv.norm1.bias", norm1Bias),
         ("conv.conv2.weight", conv2Weight), ("conv.conv2.bias", conv2Bias),
         ("conv.norm2.weight", norm2Weight), ("conv.norm2.bias", norm2Bias)]
    }

    var parameters: [Tensor] { named.dropFirst().map(\.1) }

    func loss() throws(TorchError) -> Tensor {
        let h = try x.conv2d(weight: conv1Weight, bias: conv1Bias, padding: [1, 1])
            .groupNorm(groups: 8, weight: norm1Weight, bias: norm1Bias).silu()
        let out = try h.conv2d(weight: conv2Weight, bias: conv2Bias, padding: [1, 1])
            .groupNorm(groups: 8, weight: norm2Weight, bias: norm2Bias) + x
        return try out.square().mean()
    }
}

/// Pre-norm transformer block on x [batch, tokens, dim]: x + attention(LayerNorm(x)) with
/// `heads` heads, then + MLP(LayerNorm(·)) with dim→hidden GELU →dim; loss = mean(out²).
/// The benchmark's block is [8, 256, 256], 8 heads, hidden 1024; the tiny one ([2, 16, 32],
/// 4 heads, hidden 128) costs microseconds per op and so measures the per-call overhead.
struct TransformerBlock {
    let prefix: String
    let batch, tokens, dim, heads: Int
    let x, norm1Weight, norm1Bias, qkvWeight, qkvBias, outWeight, outBias: Tensor
    let norm2Weight, norm2Bias, fc1Weight, fc1Bias, fc2Weight, fc2Bias: Tensor

    init(prefix: String, batch: Int, tokens: Int, dim d: Int, heads: Int, hidden h: Int,
         generator g: Generator) throws(TorchError) {
        (self.prefix, self.batch, self.tokens, self.dim, self.heads) = (prefix, batch, tokens, d, heads)
        let scale = { (fanIn: Int) in 1 / Double(fanIn).squareRoot() }
        x = try TorchBenchCommand.draw([batch, tokens, d], scale: 1, trainable: false, g)
        norm1Weight = try TorchBenchCommand.draw([d], scale: 0.1, offset: 1, g)
        norm1Bias = try TorchBenchCommand.draw([d], scale: 0.1, g)
        qkvWeight = try TorchBenchCommand.draw([3 * d, d], scale: scale(d), g)
        qkvBias = try TorchBenchCommand.draw([3 * d], scale: 0.1, g)
        outWeight = try TorchBenchCommand.draw([d, d], scale: scale(d), g)
        outBias = try TorchBenchCommand.draw([d], scale: 0.1, g)
        norm2Weight = try TorchBenchCommand.draw([d], scale: 0.1, offset: 1, g)
        norm2Bias = try TorchBenchCommand.draw([d], scale: 0.1, g)
        fc1Weight = try TorchBenchCommand.draw([h, d], scale: scale(d), g)
        fc1Bias = try TorchBenchCommand.draw([h], scale: 0.1, g)
        fc2Weight = try TorchBenchCommand.draw([d, h], scale: scale(h), g)
        fc2Bias = try TorchBenchCommand.draw([d], scale: 0.1, g)
    }

    /// Names as in `Benchmarks/torch_python.py`.
    var named: [(String, Tensor)] {
        [("x", x), ("norm1.weight", norm1Weight), ("norm1.bias", norm1Bias),
         ("qkv.weight", qkvWeight), ("qkv.bias", qkvBias), ("out.weight", outWeight), ("out.bias", outBias),
         ("norm2.weight", norm2Weight), ("norm2.bias", norm2Bias),
         ("fc1.weight", fc1Weight), ("fc1.bias", fc1Bias), ("fc2.weight", fc2Weight), ("fc2.bias", fc2Bias)]
            .map { ("\(prefix).\($0.0)", $0.1) }
    }

    var parameters: [Tensor] { named.dropFirst().map(\.1) }

    func loss() throws(TorchError) -> Tensor {
        let (b, n, d, h) = (batch, tokens, dim, heads)
        let headDim = d / h
        // [b, n, 3d] → [3, b, heads, n, headDim]
        let qkv = try x.layerNorm([d], weight: norm1Weight, bias: norm1Bias).linear(weight: qkvWeight, bias: qkvBias)
            .reshape([b, n, 3, h, headDim]).permute([2, 0, 3, 1, 4])
        let q = try qkv.select(dim: 0, index: 0)
        let k = try qkv.select(dim: 0, index: 1)
        let v = try qkv.select(dim: 0, index: 2)
        let scores = try q.matmul(k.transpose(-2, -1)) / Double(headDim).squareRoot()
        let attention = try scores.softmax(dim: -1).matmul(v).transpose(1, 2).reshape([b, n, d])
        let x1 = try x + attention.linear(weight: outWeight, bias: outBias)
        let mlp = try x1.layerNorm([d], weight: norm2Weight, bias: norm2Bias).linear(weight: fc1Weight, bias: fc1Bias)
            .gelu().linear(weight: fc2Weight, bias: fc2Bias)
        return try (x1 + mlp).square().mean()
    }
}
