import ArgumentParser
import Foundation
import PlumeEmulators
import PlumeSupport
import Torch

/// `plume bench device-parity`: each emulator on the CPU and on a device (a GPU), with the same
/// weights and the same inputs, forward and backward, compared. For each model file, the
/// emulator and batch of `plume bench emulators` (an untrained emulator saved as a checkpoint,
/// data records of a data file or of a synthetic one on the model's grid) are made on the CPU;
/// the checkpoint is loaded onto `--device`, the batch copied there. Compared, as the relative
/// L2 error ‖device − cpu‖ / ‖cpu‖ (and the largest absolute difference):
/// - network: the output for the training batch, the latitude- and σΔ-weighted MSE of the
///   normalised one-step change (`plume bench emulators`' loss), and the gradients of all
///   parameters after its backward pass (one vector);
/// - `Emulator.step` (with the processing: inputs, mass fixer, surface flux): each prognostic
///   variable's change over the step (t + Δt − t) for the training batch, `StepProcessor.loss` and
///   the gradients after its backward pass; and the change over a rollout step of one sample
///   (`fix: true`, no gradients).
/// Every error must be at most `--tolerance`; otherwise the command fails (exit status 1) after
/// printing them all. `--device cpu` compares two CPU copies (a check of the comparison itself).
struct DeviceParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device-parity",
        abstract: "Compare each emulator's forward and backward pass on the CPU and on a GPU (same weights, same inputs).",
        discussion: """
            Needs a CUDA libtorch (LIBTORCH) and a GPU for --device cuda; Scripts/device-check.sh runs it. \
            The default tolerance allows for TF32 convolutions (cuDNN's default in libtorch), which \
            differ from float32 by about 1e-3.
            """)

    @Option(name: .customLong("models"), parsing: .upToNextOption,
            help: "Model files (default: Pipelines/models/{unet,mesh-gnn,swin}-lowres-co2.yaml).")
    var models: [String] = []

    @Option(help: "A data file for the models (default: a small synthetic file on each model's grid).")
    var data: String?

    @Option(help: "Device compared with the CPU: cuda, cuda:N (or cpu, to check the comparison).")
    var device: String = "cuda"

    @Option(help: "Samples in the batch.")
    var batch: Int = 2

    @Option(help: "Largest relative L2 error accepted.")
    var tolerance: Double = 1e-2

    @Option(help: "libtorch CPU threads.")
    var threads: Int = 2

    @Option(help: "Seed of the weights and of the choice of records.")
    var seed: UInt64 = 0

    @Option(name: .customLong("json"), help: "Write the comparisons as JSON to this file.")
    var jsonPath: String?

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be ≥ 0") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard EmulatorDevice.parse(device) != nil else { throw ValidationError("--device '\(device)': expected cuda, cuda:N or cpu") }
    }

    func run() throws {
        try Torch.setThreadCount(threads)
        let target = EmulatorDevice.parse(device) ?? .cpu
        try Self.requireDevice(target)
        let folder = NSTemporaryDirectory() + "plume-device-parity-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        print("plume bench device-parity: libtorch \(Torch.version), cpu against \(target), batch \(batch), "
            + "tolerance \(tolerance) (relative L2 error)")
        var all: [ParityComparison] = []
        for path in models.isEmpty ? EmulatorBenchCommand.defaultModels : models {
            let model = try ModelFile.load(path: path)
            let cpu: EmulatorBenchCase
            do {
                cpu = try EmulatorBenchCase(model: model, data: data, folder: folder, batch: batch, seed: seed)
            } catch let error as EmulatorBenchSkip {
                throw DeviceParityError(message: "\(path): \(error.reason)")
            }
            let other = try Emulator.load(checkpoint: cpu.checkpointPath, device: target).emulator
            let name = model.definition.name
            print("\(name): \(cpu.parameterCount) parameters, input \(cpu.trainInput.shape)")
            fflush(nil)

            var comparisons: [ParityComparison] = []
            func compare(_ quantity: String, _ a: Tensor, _ b: Tensor) throws {
                let c = try ParityComparison(model: name, quantity: quantity, reference: a, other: b, tolerance: tolerance)
                comparisons.append(c)
                print(c.line)
                fflush(nil)
            }

            // Network level, on the saved tensors.
            let moved = { (t: Tensor) throws(TorchError) -> Tensor in try t.to(device: target) }
            let a = try Self.networkPass(cpu.emulator.network, input: cpu.trainInput, target: cpu.trainTarget, weights: cpu.trainWeights)
            let b = try Self.networkPass(other.network, input: moved(cpu.trainInput), target: moved(cpu.trainTarget),
                                         weights: moved(cpu.trainWeights))
            try compare("network output", a.output, b.output)
            try compare("network loss", a.loss, b.loss)
            try compare("network gradients", a.gradients, b.gradients)

            // Emulator.step with the processing: a training step's forward and backward, a rollout step.
            let batchOther = try EmulatorBenchCase.moved(cpu.batch, to: target)
            let truthOther = try cpu.truth.mapValues { try $0.to(device: target) }
            let stepA = try Self.stepPass(cpu.emulator, batch: cpu.batch, truth: cpu.truth)
            let stepB = try Self.stepPass(other, batch: batchOther, truth: truthOther)
            // The change over the step (the state itself, ~600 ppm, would hide the errors).
            func change(_ next: [String: Tensor], _ batch: StepBatch, _ variable: String) throws -> Tensor {
                guard let x = next[variable], let x0 = batch.state[variable] else {
                    throw DeviceParityError(message: "\(name): Emulator.step gave no '\(variable)'")
                }
                return try x - x0
            }
            for variable in model.definition.variables.prognostic {
                try compare("step Δ\(variable)", change(stepA.next, cpu.batch, variable), change(stepB.next, batchOther, variable))
            }
            try compare("step loss", stepA.loss, stepB.loss)
            try compare("step gradients", stepA.gradients, stepB.gradients)
            let singleOther = try EmulatorBenchCase.moved(cpu.single, to: target)
            let rolloutA = try Self.rollout(cpu.emulator, cpu.single), rolloutB = try Self.rollout(other, singleOther)
            for variable in model.definition.variables.prognostic {
                try compare("rollout step Δ\(variable)", change(rolloutA, cpu.single, variable), change(rolloutB, singleOther, variable))
            }
            all += comparisons
        }

        let failed = all.filter { !$0.passed }
        print("")
        print("\(all.count - failed.count) passed, \(failed.count) failed (relative L2 error ≤ \(tolerance), cpu against \(target))")
        if let jsonPath {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = ParityReport(libtorch: Torch.version, device: "\(target)", batch: batch, tolerance: tolerance, comparisons: all)
            try AtomicFile.write(encoder.encode(report), to: jsonPath)
            print("wrote \(jsonPath)")
        }
        if !failed.isEmpty {
            for c in failed { print("FAILED: \(c.model) \(c.quantity): relative error \(c.relativeError) > \(tolerance)") }
            throw ExitCode.failure
        }
    }

    /// Throws, saying why, when libtorch cannot use `device` (a CPU-only libtorch, no GPU).
    static func requireDevice(_ device: Device) throws {
        guard case .cuda(let index) = device else { return }
        let available = Device.cudaDeviceCount
        guard index < available else {
            throw DeviceParityError(message: available == 0
                ? "\(device): libtorch \(Torch.version) sees no CUDA device (a CPU-only libtorch, or no GPU): build with LIBTORCH pointing at a CUDA libtorch (README)"
                : "\(device): libtorch sees only \(available) CUDA device(s)")
        }
    }

    /// Forward of the training batch, the weighted MSE, backward: output, loss and every
    /// parameter's gradient as one vector (zeros for a parameter without one).
    static func networkPass(_ network: any EmulatorNetwork, input: Tensor, target: Tensor, weights: Tensor) throws
        -> (output: Tensor, loss: Tensor, gradients: Tensor)
    {
        network.train()
        let parameters = network.parameters()
        for p in parameters { try p.setGrad(nil) }
        let output = try network(input)
        let loss = try ((output - target).square() * weights).mean()
        try loss.backward()
        let gradients = try flatGradients(parameters)
        return (try output.detach(), try loss.detach(), gradients)
    }

    /// `Emulator.step(batch, fix: false)`, `StepProcessor.loss`, backward.
    static func stepPass(_ emulator: Emulator, batch: StepBatch, truth: [String: Tensor]) throws
        -> (next: [String: Tensor], loss: Tensor, gradients: Tensor)
    {
        emulator.network.train()
        let parameters = emulator.network.parameters()
        for p in parameters { try p.setGrad(nil) }
        let next = try emulator.step(batch, fix: false)
        let loss = try emulator.processor.loss(predicted: next, truth: truth)
        try loss.backward()
        let gradients = try flatGradients(parameters)
        for p in parameters { try p.setGrad(nil) }
        return (try next.mapValues { try $0.detach() }, try loss.detach(), gradients)
    }

    /// `Emulator.step(batch, fix: true)` in evaluation mode without gradients.
    static func rollout(_ emulator: Emulator, _ batch: StepBatch) throws -> [String: Tensor] {
        emulator.network.eval()
        defer { emulator.network.train() }
        return try Torch.withoutGrad { () throws -> [String: Tensor] in try emulator.step(batch, fix: true) }
    }

    static func flatGradients(_ parameters: [Tensor]) throws -> Tensor {
        var parts: [Tensor] = []
        for p in parameters {
            let gradient = try p.grad ?? Tensor.zeros(p.shape, dtype: p.dtype, device: p.device)
            parts.append(try gradient.detach().reshape([-1]))
        }
        return try Tensor.cat(parts, dim: 0)
    }
}

/// One quantity compared: the CPU's value against the device's.
struct ParityComparison: Codable {
    var model: String
    var quantity: String
    /// ‖other − reference‖₂ / ‖reference‖₂ (the absolute norm when the reference is all zeros).
    var relativeError: Double
    /// max |other − reference|.
    var maxAbsoluteError: Double
    /// ‖reference‖₂ / √n: the scale the errors are relative to.
    var referenceRMS: Double
    var count: Int
    var passed: Bool

    init(model: String, quantity: String, reference: Tensor, other: Tensor, tolerance: Double) throws {
        guard reference.shape == other.shape else {
            throw DeviceParityError(message: "\(model) \(quantity): shape \(reference.shape) on the CPU, \(other.shape) on the device")
        }
        let a = try reference.detach().to(.float64, device: .cpu).contiguous().toArray(of: Double.self)
        let b = try other.detach().to(.float64, device: .cpu).contiguous().toArray(of: Double.self)
        var difference = 0.0, norm = 0.0, largest = 0.0
        for (x, y) in zip(a, b) {
            difference += (y - x) * (y - x)
            norm += x * x
            largest = Swift.max(largest, Swift.abs(y - x))
        }
        self.model = model
        self.quantity = quantity
        relativeError = norm > 0 ? (difference / norm).squareRoot() : difference.squareRoot()
        if a.contains(where: { !$0.isFinite }) || b.contains(where: { !$0.isFinite }) { relativeError = .infinity }
        maxAbsoluteError = largest
        referenceRMS = a.isEmpty ? 0 : (norm / Double(a.count)).squareRoot()
        count = a.count
        passed = relativeError <= tolerance
    }

    var line: String {
        "  " + quantity.padding(toLength: Swift.max(28, quantity.count), withPad: " ", startingAt: 0)
            + String(format: " relative %.3e  max abs %.3e  (rms %.3e, %d values)  ", relativeError, maxAbsoluteError, referenceRMS, count)
            + (passed ? "ok" : "FAILED")
    }
}

/// What `--json` writes.
struct ParityReport: Codable {
    var libtorch: String
    var device: String
    var batch: Int
    var tolerance: Double
    var comparisons: [ParityComparison]
}

/// A model that cannot be compared (no data for it, a missing output).
struct DeviceParityError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
