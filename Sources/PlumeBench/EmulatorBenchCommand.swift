import ArgumentParser
import Foundation
import PlumeCarbonBench
import PlumeEmulators
import PlumeGrids
import PlumePhysics
import PlumeSupport
import Torch

/// `plume bench emulators`: the speed of Plume's emulator networks against the same networks
/// in PyTorch (`Benchmarks/emulators_python.py`, the twins in `Benchmarks/pytorch/plume_emulators`)
/// on the same libtorch, in one run, as ratios; and the speed-up of each emulator's rollout over
/// the 3-D reference transport model on the same grid, and over the model it emulates: the
/// transport as `plume generate carbonbench-mini` runs it to make the training data (on its
/// native grid, by default latlon2.8125, with the calibrated horizontal eddy diffusion), whose
/// output is regridded to the emulator's grid.
///
/// For each model file: an untrained emulator (statistics from the data, weights from a generator
/// seeded with `--seed`) is saved as a checkpoint; a batch of `--batch` samples is made of data
/// records (state and forcing at t, forcing and truth at t + Δt). Timed, with `--warmup` untimed
/// iterations then `--repeats` timed ones (median and minimum):
/// - network level, both sides on the same saved input tensors: training step (forward, the
///   latitude- and σΔ-weighted MSE of the normalised one-step change, backward, gradient-norm
///   clipping, AdamW with the model file's settings) and rollout step (forward of one sample,
///   evaluation mode, no gradients);
/// - Swift only, with the processing: `Emulator.step(batch, fix: false)` + `StepProcessor.loss`
///   + backward + clip + AdamW, and `Emulator.step(batch of 1, fix: true)` without gradients.
struct EmulatorBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulators",
        abstract: "Time emulator training and rollout steps against the same networks in PyTorch, and against the reference transport.",
        discussion: "Benchmarks/emulators.sh runs it with the release build and prints the machine.")

    @Option(name: .customLong("models"), parsing: .upToNextOption,
            help: "Model files (default: Pipelines/models/{unet,mesh-gnn,swin}-lowres-co2.yaml).")
    var models: [String] = []

    @Option(help: "A CarbonBench-mini train file (levels and statistics); default: a small synthetic file.")
    var data: String?

    @Option(help: "Samples per training step.")
    var batch: Int = 4

    @Option(help: "Timed iterations (median and minimum reported).")
    var repeats: Int = 10

    @Option(help: "Untimed iterations before the timed ones.")
    var warmup: Int = 2

    @Option(help: "Rounds per model, alternating Swift and PyTorch; each timing keeps its best round.")
    var rounds: Int = 1

    @Option(help: "libtorch intra-op threads, both sides.")
    var threads: Int = 2

    @Option(help: "Seed of the weights and of the choice of records.")
    var seed: UInt64 = 0

    @Option(name: .customLong("json"), help: "Write the results as JSON to this file.")
    var jsonPath: String?

    @Option(help: "Python interpreter (default: what Scripts/python-env.sh prints, else python3).")
    var python: String?

    @Option(name: .customLong("python-script"), help: "The PyTorch side.")
    var pythonScript: String = "Benchmarks/emulators_python.py"

    @Flag(name: .customLong("no-python"), help: "Time the Swift side only.")
    var noPython = false

    @Option(name: .customLong("reference-days"), help: "Simulated days of the reference transport model (0: skip).")
    var referenceDays: Double = 2

    @Option(name: .customLong("reference-dt"), help: "Time step of the reference transport model, s (CarbonBench-mini's default).")
    var referenceTimeStep: Double = 3600

    @Option(help: ArgumentHelp("Device of the Swift side: cpu, cuda or cuda:N (a CUDA libtorch, LIBTORCH). Not cpu: no PyTorch column.",
                               valueName: "device"))
    var device: String = "cpu"

    @Option(name: .customLong("truth-grid"),
            help: "Native grid of the model that made the training data (plume generate carbonbench-mini's default); \"none\" skips it.")
    var truthGrid: String = CarbonBenchGenerator.defaultNativeGridName

    static let defaultModels = ["unet", "mesh-gnn", "swin"].map { "Pipelines/models/\($0)-lowres-co2.yaml" }

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard referenceDays >= 0, referenceDays.isFinite else { throw ValidationError("--reference-days must be ≥ 0") }
        guard referenceTimeStep > 0, referenceTimeStep <= 86_400 else { throw ValidationError("--reference-dt must be in (0, 86400] s") }
        guard EmulatorDevice.parse(device) != nil else { throw ValidationError("--device '\(device)': expected cpu, cuda or cuda:N") }
    }

    func run() throws {
        try Torch.setThreadCount(threads)
        let folder = NSTemporaryDirectory() + "plume-bench-emulators-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = EmulatorDevice.parse(device) ?? .cpu
        try DeviceParityCommand.requireDevice(target)
        let onCPU = target == .cpu
        let interpreter = noPython || !onCPU ? nil : Self.pythonInterpreter(python)
        if !noPython, !onCPU {
            print("note: --device \(device): Swift side only (the PyTorch side runs on the CPU)")
        } else if !noPython, interpreter == nil {
            print("note: no Python interpreter found (Scripts/python-env.sh, python3): Swift side only")
        }
        print("plume bench emulators: libtorch \(Torch.version), device \(target), \(threads) thread(s), batch \(batch), "
            + "\(warmup) warm-up + \(repeats) timed iterations, \(rounds) round(s)\(data.map { ", data \($0)" } ?? ", synthetic data")")
        var results: [EmulatorBenchResult] = []
        var references: [String: ReferenceSpeed] = [:]
        var truths: [String: ReferenceSpeed] = [:]
        for path in models.isEmpty ? Self.defaultModels : models {
            let model = try ModelFile.load(path: path)
            let prepared: EmulatorBenchCase
            do {
                prepared = try EmulatorBenchCase(model: model, data: data, folder: folder, batch: batch, seed: seed, device: target)
            } catch let error as EmulatorBenchSkip {
                print("note: skipping \(path): \(error.reason)")
                continue
            }
            print("\(model.definition.name): \(prepared.parameterCount) parameters, input \(prepared.trainInput.shape)")
            fflush(nil)
            // Rounds alternate the sides, so that load from elsewhere on the machine hits both
            // alike; each timing keeps its best round (smallest median).
            var result: EmulatorBenchResult?
            for round in 1...rounds {
                let swiftFirst = round % 2 == 1
                var python: PythonTimings?
                if !swiftFirst, let interpreter { python = try runPython(interpreter, case: prepared) }
                let swift = try prepared.measure(warmup: warmup, repeats: repeats)
                if swiftFirst, let interpreter { python = try runPython(interpreter, case: prepared) }
                if var best = result {
                    best.swift = best.swift.best(swift.swift)
                    best.python = PythonTimings.best(best.python, python)
                    result = best
                } else {
                    result = swift
                    result?.python = python
                }
                print("\(model.definition.name): round \(round)/\(rounds) done")
                fflush(nil)
            }
            guard var result else { continue }
            let key = "\(model.definition.grid) l\(model.definition.levels)"
            if referenceDays > 0, references[key] == nil {
                references[key] = referenceSpeed(grid: model.definition.grid, levels: model.definition.levels)
            }
            result.reference = references[key] ?? nil
            if referenceDays > 0, truthGrid != "none", model.definition.task == .transport {
                if truths[key] == nil {
                    truths[key] = referenceSpeed(grid: truthGrid, levels: model.definition.levels,
                                                 horizontalDiffusion: CarbonBenchGenerator.defaultHorizontalDiffusion)
                }
                result.truthModel = truths[key] ?? nil
            }
            results.append(result)
        }
        printTable(results)
        if let jsonPath {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = EmulatorBenchReport(libtorch: Torch.version, device: "\(target)", threads: threads, batch: batch, warmup: warmup,
                                             repeats: repeats, data: data ?? "synthetic", models: results)
            try AtomicFile.write(encoder.encode(report), to: jsonPath)
            print("wrote \(jsonPath)")
        }
    }

    // MARK: Python

    /// The interpreter to use: `--python`, else the project's venv, else `python3` on the PATH.
    static func pythonInterpreter(_ given: String?) -> String? {
        if let given { return given }
        let script = "Scripts/python-env.sh"
        if FileManager.default.isExecutableFile(atPath: script),
           let out = try? Self.capture(script, [], environment: nil).output,
           let line = out.split(separator: "\n").last.map(String.init), FileManager.default.isExecutableFile(atPath: line) {
            return line
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(folder)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `program`; standard error passes through, standard output is returned.
    static func capture(_ program: String, _ arguments: [String], environment: [String: String]?) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = try pipe.fileHandleForReading.readToEndRetryingInterrupts()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func runPython(_ interpreter: String, case prepared: EmulatorBenchCase) throws -> PythonTimings? {
        var environment = ProcessInfo.processInfo.environment
        for key in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"] { environment[key] = "\(threads)" }
        let arguments = [pythonScript, "--checkpoint", prepared.checkpointPath, "--inputs", prepared.inputsPath,
                         "--threads", "\(threads)", "--repeats", "\(repeats)", "--warmup", "\(warmup)"]
        let (status, output) = try Self.capture(interpreter, arguments, environment: environment)
        guard status == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            print("note: \(interpreter) \(arguments.joined(separator: " ")) exited \(status); no PyTorch column for \(prepared.name)")
            return nil
        }
        do {
            return try JSONDecoder().decode(PythonTimings.self, from: Data(line.utf8))
        } catch {
            print("note: cannot read the PyTorch timings of \(prepared.name) (\(error)): \(line)")
            return nil
        }
    }

    // MARK: Reference transport

    /// Simulated days per second of the 3-D reference transport (CO2 tracer, analytic winds,
    /// `--reference-dt` step, `horizontalDiffusion`) on `grid` with `levels`; nil (with a note)
    /// when that is not a grid or level set the reference model runs on.
    func referenceSpeed(grid: String, levels: Int, horizontalDiffusion: HorizontalEddyDiffusion? = nil) -> ReferenceSpeed? {
        do {
            guard let latlon = try GridCatalog.resolve(grid) as? RegularLatLonGrid else {
                print("note: no reference transport on \(grid): not a regular lat-lon grid")
                return nil
            }
            let hybrid = try Transport3DGeometry.carbonBenchLevels(count: levels)
            let steps = max(1, Int((referenceDays * 86_400 / referenceTimeStep).rounded()))
            print("reference transport: \(grid), \(levels) levels, \(steps) steps of \(Int(referenceTimeStep)) s"
                + (horizontalDiffusion == nil ? "…" : ", horizontal eddy diffusion…"))
            fflush(nil)
            let run = try Transport3DBenchmark.run(grid: try TransportGrid(latlon), gridName: grid, levels: hybrid, steps: steps,
                                                   timeStep: referenceTimeStep, tracers: [.co2], horizontalDiffusion: horizontalDiffusion)
            return ReferenceSpeed(grid: grid, levels: levels, timeStep: referenceTimeStep, days: run.simulatedDays,
                                  daysPerSecond: run.simulatedDaysPerSecond)
        } catch {
            print("note: no reference transport on \(grid) with \(levels) levels: \(error)")
            return nil
        }
    }

    // MARK: Output

    private func printTable(_ results: [EmulatorBenchResult]) {
        func ms(_ t: Timing?) -> String { t.map { String(format: "%.1f (%.1f)", $0.median * 1e3, $0.min * 1e3) } ?? "–" }
        func ratio(_ a: Timing?, _ b: Timing?) -> String {
            guard let a, let b, b.median > 0, b.min > 0 else { return "–" }
            return String(format: "%.2f (%.2f)", a.median / b.median, a.min / b.min)
        }
        print("")
        print("ms per step: median (minimum); ratio = Swift / PyTorch of the medians (of the minima), network level on the same inputs; "
            + "\"Emulator.step\" adds Plume's pre- and post-processing (Swift only). \(threads) thread(s), batch \(batch) for training, 1 for rollout.")
        print("")
        print("| model | params | train Swift (ms) | train PyTorch (ms) | ratio | train Emulator.step (ms) | rollout Swift (ms) | rollout PyTorch (ms) | ratio | rollout Emulator.step (ms) | simulated days/s | reference days/s | speed-up | truth model days/s | speed-up | first loss Swift / PyTorch |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in results {
            let days = r.simulatedDaysPerSecond
            let reference = r.reference?.daysPerSecond
            func speedUp(_ reference: Double?) -> String {
                reference.map { String(format: days / $0 < 10 ? "%.2f×" : "%.0f×", days / $0) } ?? "–"
            }
            let truth = r.truthModel?.daysPerSecond
            let losses = String(format: "%.8g", r.swift.firstLoss) + " / " + (r.python.map { String(format: "%.8g", $0.train.firstLoss) } ?? "–")
            print("| \(r.name) | \(r.parameters) | \(ms(r.swift.train)) | \(ms(r.python?.train.timing)) | \(ratio(r.swift.train, r.python?.train.timing)) "
                + "| \(ms(r.swift.emulatorTrain)) | \(ms(r.swift.rollout)) | \(ms(r.python?.rollout)) | \(ratio(r.swift.rollout, r.python?.rollout)) "
                + "| \(ms(r.swift.emulatorRollout)) | \(String(format: "%.2f", days)) | \(reference.map { String(format: "%.2f", $0) } ?? "–") | \(speedUp(reference)) "
                + "| \(truth.map { String(format: "%.2f", $0) } ?? "–") | \(speedUp(truth)) | \(losses) |")
        }
        if let reference = results.compactMap(\.reference).first {
            print("")
            print("Reference: 3-D transport (PlumePhysics, analytic winds, CO2 tracer) on \(reference.grid), \(reference.levels) levels, "
                + "Δt = \(Int(reference.timeStep)) s, \(String(format: "%g", reference.days)) simulated days. "
                + "Emulator days/s = time step / 24 h / rollout Emulator.step time.")
        }
        if let truth = results.compactMap(\.truthModel).first {
            print("Truth model: the same transport as plume generate carbonbench-mini runs it to make the training data, on its native "
                + "\(truth.grid) with \(truth.levels) levels and the calibrated horizontal eddy diffusion, Δt = \(Int(truth.timeStep)) s "
                + "(the data are its output regridded to the emulator's grid).")
        }
    }
}

/// A model that the benchmark leaves out, and why (an architecture the factory cannot build yet).
struct EmulatorBenchSkip: Error {
    var reason: String
}

/// Median and minimum of the timed iterations, seconds.
struct Timing: Codable {
    var median: Double
    var min: Double

    init(median: Double, min: Double) {
        self.median = median
        self.min = min
    }

    /// The one with the smaller median, with the smaller minimum of the two.
    func best(_ other: Timing) -> Timing {
        Timing(median: Swift.min(median, other.median), min: Swift.min(min, other.min))
    }

    init(_ seconds: [Double]) {
        let sorted = seconds.sorted()
        median = sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2]
            : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first ?? .nan
    }
}

/// The Swift side's timings of one model.
struct SwiftTimings: Codable {
    /// Network level: forward + loss + backward + clip + AdamW on the saved batch.
    var train: Timing
    /// Network level: forward of one sample, eval mode, no gradients.
    var rollout: Timing
    /// `Emulator.step(fix: false)` + `StepProcessor.loss` + backward + clip + AdamW.
    var emulatorTrain: Timing
    /// `Emulator.step(fix: true)` of one sample without gradients.
    var emulatorRollout: Timing
    /// Loss of the first network-level training iteration (same weights and inputs as PyTorch's).
    var firstLoss: Double

    /// Each timing's best of the two; the first loss of `self` (the first round).
    func best(_ other: SwiftTimings) -> SwiftTimings {
        SwiftTimings(train: train.best(other.train), rollout: rollout.best(other.rollout),
                     emulatorTrain: emulatorTrain.best(other.emulatorTrain),
                     emulatorRollout: emulatorRollout.best(other.emulatorRollout), firstLoss: firstLoss)
    }
}

/// What `Benchmarks/emulators_python.py` prints (one JSON line).
struct PythonTimings: Codable {
    struct Train: Codable {
        var median: Double
        var min: Double
        var firstLoss: Double
        var timing: Timing { Timing(median: median, min: min) }

        enum CodingKeys: String, CodingKey {
            case median, min
            case firstLoss = "first_loss"
        }
    }

    var train: Train
    var rollout: Timing
    var parameters: Int
    var torch: String
    var threads: Int

    /// Each timing's best of the two (the first loss is the same in every round).
    static func best(_ a: PythonTimings?, _ b: PythonTimings?) -> PythonTimings? {
        guard var a else { return b }
        guard let b else { return a }
        a.train.median = min(a.train.median, b.train.median)
        a.train.min = min(a.train.min, b.train.min)
        a.rollout = a.rollout.best(b.rollout)
        return a
    }
}

/// The reference transport model's speed.
struct ReferenceSpeed: Codable {
    var grid: String
    var levels: Int
    var timeStep: Double
    var days: Double
    var daysPerSecond: Double
}

/// One model's results.
struct EmulatorBenchResult: Codable {
    var name: String
    var architecture: String
    var parameters: Int
    var timeStepHours: Double
    var swift: SwiftTimings
    var python: PythonTimings?
    /// The 3-D reference transport on the emulator's grid.
    var reference: ReferenceSpeed?
    /// The transport configured as the CarbonBench-mini generator runs it, on its native grid.
    var truthModel: ReferenceSpeed?

    /// Simulated days per wall-clock second of a rollout with `Emulator.step`.
    var simulatedDaysPerSecond: Double { timeStepHours / 24 / swift.emulatorRollout.median }
}

/// The JSON written by `--json`.
struct EmulatorBenchReport: Codable {
    var libtorch: String
    var device: String
    var threads: Int
    var batch: Int
    var warmup: Int
    var repeats: Int
    var data: String
    var models: [EmulatorBenchResult]
}
