import Foundation
import Testing
import Torch

/// Acceptance: small models learn fixed regression tasks to a stated loss, and a training
/// run saved to a safetensors checkpoint, reloaded into fresh objects and continued gives
/// exactly (bit for bit) the loss sequence of the uninterrupted run.
@Suite("Training")
struct TrainingTests {
    /// y = sin(x₀) + x₁·x₂ − ½x₃² on 256 fixed standard-normal points.
    static func regressionData() throws -> (x: Tensor, y: Tensor) {
        let g = try Generator(seed: 7)
        let x = try Tensor.randn([256, 4], generator: g)
        let c = try x.chunk(4, dim: 1)
        let y = try c[0].sin() + c[1] * c[2] - c[3].square() * 0.5
        return (x, y)
    }

    /// Fields [32, 1, 16, 16] and targets tanh(5-point Laplacian) with periodic boundaries.
    static func stencilData() throws -> (x: Tensor, y: Tensor) {
        let g = try Generator(seed: 11)
        let x = try Tensor.randn([32, 1, 16, 16], generator: g)
        let laplacian = try x.roll(shifts: [1], dims: [2]) + x.roll(shifts: [-1], dims: [2])
            + x.roll(shifts: [1], dims: [3]) + x.roll(shifts: [-1], dims: [3]) - x * 4
        return (x, try (laplacian * 0.25).tanh())
    }

    final class SmallCNN: Layer {
        let conv1: Conv2d
        let norm: GroupNorm
        let conv2: Conv2d

        init(generator: Generator) throws {
            conv1 = try Conv2d(1, 16, kernelSize: [3], padding: [1], paddingMode: .circular, generator: generator)
            norm = try GroupNorm(groups: 4, channels: 16)
            conv2 = try Conv2d(16, 1, kernelSize: [3], padding: [1], paddingMode: .circular, generator: generator)
        }

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try conv2(norm(conv1(x)).silu())
        }
    }

    /// Trains `steps` full-batch AdamW steps with a warm-up + cosine schedule starting at
    /// `startStep`; returns the loss of each step.
    static func train(_ model: some Layer, _ optimizer: AdamW, schedule: WarmupCosineSchedule, data: (x: Tensor, y: Tensor),
                      steps: Range<Int>) throws -> [Float] {
        var losses: [Float] = []
        for step in steps {
            optimizer.learningRate = schedule.learningRate(at: step)
            try optimizer.zeroGrad()
            let loss = try model(data.x).mseLoss(data.y)
            try loss.backward()
            try clipGradientNorm(model.parameters(), maxNorm: 1.0)
            try optimizer.step()
            losses.append(try loss.toArray(of: Float.self)[0])
        }
        return losses
    }

    static func save(_ model: some Module, _ optimizer: some Optimizer, step: Int, to path: String) throws {
        let entries = model.stateDict().map { ("model.\($0.name)", $0.tensor) }
            + (try optimizer.stateDict()).map { ("optimizer.\($0.name)", $0.tensor) }
        try SafeTensors.write(entries, metadata: ["step": String(step)], to: path)
    }

    static func load(_ model: some Module, _ optimizer: some Optimizer, from path: String) throws -> Int {
        let (tensors, metadata) = try SafeTensors.read(path)
        var modelState: [String: Tensor] = [:]
        var optimizerState: [String: Tensor] = [:]
        for (name, tensor) in tensors {
            if name.hasPrefix("model.") { modelState[String(name.dropFirst(6))] = tensor }
            if name.hasPrefix("optimizer.") { optimizerState[String(name.dropFirst(10))] = tensor }
        }
        try model.loadStateDict(modelState)
        try optimizer.loadStateDict(optimizerState)
        return Int(metadata["step"] ?? "") ?? -1
    }

    static func temporaryPath(_ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plume-torch-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    @Test("an MLP learns the regression to MSE < 0.01; save/reload/continue is bit-exact")
    func mlp() throws {
        try Torch.setThreadCount(1)
        let data = try Self.regressionData()
        let schedule = WarmupCosineSchedule(peak: 1e-2, warmupSteps: 20, totalSteps: 400, minimum: 1e-4)
        func fresh(_ seed: UInt64) throws -> (MLP, AdamW) {
            let model = try MLP([4, 64, 64, 1], activation: .gelu, generator: Generator(seed: seed))
            return (model, AdamW(model.namedParameters(), learningRate: schedule.peak, weightDecay: 1e-4))
        }
        let (model, optimizer) = try fresh(1)
        let losses = try Self.train(model, optimizer, schedule: schedule, data: data, steps: 0..<400)
        #expect(losses[0] > 0.5)
        #expect(losses[399] < 0.01, "final MSE \(losses[399])")
        print("MLP: MSE \(losses[0]) at step 0, \(losses[399]) at step 399")

        // Interrupted at step 200: save, load into objects initialised differently, continue.
        let (first, firstOptimizer) = try fresh(1)
        let head = try Self.train(first, firstOptimizer, schedule: schedule, data: data, steps: 0..<200)
        let path = Self.temporaryPath("mlp.safetensors")
        try Self.save(first, firstOptimizer, step: 200, to: path)
        let (resumed, resumedOptimizer) = try fresh(99)
        let step = try Self.load(resumed, resumedOptimizer, from: path)
        #expect(step == 200)
        let tail = try Self.train(resumed, resumedOptimizer, schedule: schedule, data: data, steps: step..<400)
        #expect(head == Array(losses[0..<200]))
        #expect(tail == Array(losses[200..<400]), "resumed losses differ from the uninterrupted run")
    }

    @Test("a CNN learns tanh(Laplacian) to MSE < 0.01; save/reload/continue is bit-exact")
    func cnn() throws {
        try Torch.setThreadCount(1)
        let data = try Self.stencilData()
        let schedule = WarmupCosineSchedule(peak: 2e-2, warmupSteps: 10, totalSteps: 600, minimum: 1e-4)
        func fresh(_ seed: UInt64) throws -> (SmallCNN, AdamW) {
            let model = try SmallCNN(generator: Generator(seed: seed))
            return (model, AdamW(model.namedParameters(), learningRate: schedule.peak, weightDecay: 0))
        }
        let (model, optimizer) = try fresh(3)
        let losses = try Self.train(model, optimizer, schedule: schedule, data: data, steps: 0..<600)
        #expect(losses[0] > 0.1)
        #expect(losses[599] < 0.01, "final MSE \(losses[599])")
        print("CNN: MSE \(losses[0]) at step 0, \(losses[599]) at step 599")

        let (first, firstOptimizer) = try fresh(3)
        _ = try Self.train(first, firstOptimizer, schedule: schedule, data: data, steps: 0..<120)
        let path = Self.temporaryPath("cnn.safetensors")
        try Self.save(first, firstOptimizer, step: 120, to: path)
        let (resumed, resumedOptimizer) = try fresh(42)
        let step = try Self.load(resumed, resumedOptimizer, from: path)
        let tail = try Self.train(resumed, resumedOptimizer, schedule: schedule, data: data, steps: step..<600)
        #expect(tail == Array(losses[120..<600]), "resumed losses differ from the uninterrupted run")
    }
}
