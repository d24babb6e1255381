import ArgumentParser
import Foundation
import PlumeEmulators
import PlumePlot
import Torch

/// `plume train MODEL.yaml --data DIR --out DIR`: trains an emulator on the model file's
/// schedule, writing DIR/last.safetensors, best.safetensors, losses.csv and loss.png.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an emulator (one-step, then rollout fine-tuning) as its model file says.",
        discussion: """
            --data DIR takes DIR/<prefix>-train.nc and DIR/<prefix>-val.nc (as written by `plume generate \
            carbonbench-mini` or `weather`); --train and --validation name the files instead. Normalisation \
            statistics come from the training file. Writes --out/last.safetensors (every checkpoint_every steps \
            or checkpoint_minutes minutes; with --resume training continues from it, bit for bit on the CPU), \
            best.safetensors (lowest validation rollout score), losses.csv and loss.png. Progress goes to stderr. \
            --from CHECKPOINT starts from a trained checkpoint's weights and normalisation instead of new ones \
            (its model must match the model file except name and training): with --steps 0 it runs only the \
            rollout fine-tuning of the model file's curriculum.

            Data-parallel training runs on libtorch's c10d (Gloo on the CPU, NCCL with a CUDA build), as \
            PyTorch DDP: --nproc N starts N ranks on this machine; under torchrun-style variables (RANK, \
            WORLD_SIZE, MASTER_ADDR, MASTER_PORT) or in an srun step (SLURM_PROCID, SLURM_STEP_NUM_TASKS, \
            SLURM_LOCALID) this process is one rank. Each rank trains on its own batch_size samples of every \
            step (the global batch is N × batch_size); gradients are averaged in buckets during the backward \
            pass; rank 0 writes the checkpoints, which resume at any number of ranks. A rank that dies ends the \
            others when their next collective fails (at the latest after --collective-timeout seconds).
            """)

    @Argument(help: "Model file (YAML).")
    var model: String

    @Option(help: "Folder holding <prefix>-train.nc and <prefix>-val.nc.")
    var data: String?

    @Option(help: "Training file (instead of --data).")
    var train: String?

    @Option(help: "Validation file (with --train).")
    var validation: String?

    @Option(help: "Output folder (created if missing).")
    var out: String

    @Flag(help: "Continue from --out/last.safetensors.")
    var resume = false

    @Option(help: ArgumentHelp("Start from this checkpoint's weights and normalisation (a best.safetensors of an earlier run).",
                               valueName: "checkpoint"))
    var from: String?

    @Option(help: "One-step training steps (overrides training.steps).")
    var steps: Int?

    @Option(help: "libtorch CPU threads (overrides training.threads).")
    var threads: Int?

    @Option(name: .customLong("log-every"), help: "Steps between progress lines.")
    var logEvery: Int = 10

    @Option(help: "Data-parallel ranks to start on this machine (each uses --threads / training.threads threads).")
    var nproc: Int = 1

    @Option(name: .customLong("collective-timeout"), help: "Seconds after which a rank stops waiting for the others (data-parallel).")
    var collectiveTimeout: Double = 300

    func run() throws {
        let role = try ParallelRole.resolve(command: "plume train", nproc: nproc, collectiveTimeout: collectiveTimeout,
                                            failureHint: "where rank 0 wrote a checkpoint, --resume continues from it")
        let rankEnvironment: RankEnvironment
        switch role {
        case .launched: return
        case .single: return try train(rank: nil)
        case .rank(let rank): rankEnvironment = rank
        }
        do {
            try train(rank: rankEnvironment)
        } catch let error as ExitCode {
            throw error
        } catch {
            note("rank \(rankEnvironment.rank) of \(rankEnvironment.worldSize): training stopped: \(error)")
            if error is TorchError {
                note("rank \(rankEnvironment.rank) of \(rankEnvironment.worldSize): a collective failed: another rank has died or "
                     + "did not answer within \(Int(collectiveTimeout)) s; continue the job with --resume")
            }
            throw ExitCode(1)
        }
    }

    /// Trains in this process: alone (`rank` nil) or as one rank of a data-parallel job.
    private func train(rank: RankEnvironment?) throws {
        let writes = (rank?.rank ?? 0) == 0
        let modelFile = try ModelFile.load(path: model)
        let (trainPath, validationPath) = try dataFiles()
        let lastPath = out + "/" + Trainer.lastCheckpointName
        let exists = FileManager.default.fileExists(atPath: lastPath)
        if resume && !exists {
            throw ValidationError("--resume: \(lastPath) does not exist (nothing to continue)")
        }
        if !resume && exists {
            throw ValidationError("\(lastPath) exists: pass --resume to continue that run, or choose another --out")
        }
        let trainFile = try EmulatorDataFile(path: trainPath, model: modelFile)
        let validationFile = try validationPath.map { path throws(EmulatorError) in try EmulatorDataFile(path: path, model: modelFile) }
        if validationFile == nil { note("no validation file: no validation rollouts and no best.safetensors") }

        let deviceName = modelFile.definition.training.device
        guard var device = EmulatorDevice.parse(deviceName) else {
            throw ValidationError("\(model): training.device '\(deviceName)' is not cpu, cuda or cuda:N")
        }
        var group: ProcessGroup?
        if let rank {
            // One GPU per rank: `cuda` means this rank's local device.
            if device != .cpu, deviceName == "cuda" { device = .cuda(rank.localRank) }
            let backend: ProcessGroup.Backend = device == .cpu ? .gloo : .nccl
            guard ProcessGroup.isAvailable(backend) else {
                throw ValidationError("data-parallel training on \(device) needs c10d's \(backend) backend, which this build lacks"
                                      + (backend == .nccl ? " (build against a CUDA libtorch with PLUME_CUDA=1)" : ""))
            }
            if writes { note("rank 0 of \(rank.worldSize) (\(backend), \(rank.source)): waiting for the ranks at \(rank.masterAddress):\(rank.masterPort)") }
            group = try ProcessGroup(joining: rank, backend: backend, timeoutSeconds: collectiveTimeout)
        }
        let emulator: Emulator
        var extra: [String: Tensor]?
        if resume && from != nil {
            throw ValidationError("--resume continues --out/last.safetensors, which already started from --from: give one of them")
        }
        if resume {
            let loaded = try Emulator.load(checkpoint: lastPath, device: device)
            guard loaded.emulator.definition == modelFile.definition else {
                throw ValidationError("\(model) differs from the model definition stored in \(lastPath): resuming needs the same model file")
            }
            emulator = loaded.emulator
            extra = loaded.extra
            note("resuming from \(lastPath) at step \(emulator.info.training?.step ?? 0)")
        } else if let from {
            let loaded = try Emulator.load(checkpoint: from, device: device)
            emulator = try loaded.emulator.continued(as: modelFile.definition, checkpoint: from)
            note("starting from the weights of \(from) (\(loaded.emulator.definition.name))")
        } else {
            emulator = try newEmulator(modelFile.definition, trainFile: trainFile, validationPath: validationPath, device: device)
        }
        var options = TrainingOptions(steps: steps, threads: threads, logEvery: logEvery)
        options.validationSamples = 4
        let trainer = try Trainer(emulator: emulator, trainFile: trainFile, validationFile: validationFile, folder: out,
                                  options: options, resume: extra, group: group, log: { note($0) })
        if writes { note("\(modelFile.definition.name): \(trainer.totalSteps) steps (\(trainer.training.steps) one-step, curriculum "
             + "\(trainer.training.fineTuneCurriculum)), batch \(trainer.training.batchSize), \(trainer.training.threads) thread(s), "
             + "\(trainFile.recordCount) training records" + (group.map { ", \($0.worldSize) ranks (global batch \($0.worldSize * trainer.training.batchSize))" } ?? "")) }
        guard trainer.totalSteps > 0 else { throw ValidationError("\(model): the schedule has no steps (training.steps, fine_tune_steps)") }
        let summary = try trainer.run()
        if let communication = summary.communication, let rank {
            note(String(format: "rank %d: gradient all-reduce %.2f s in %d buckets over %d backward passes, %.0f%% of it overlapped with the backward pass",
                        rank.rank, communication.overlappedSeconds + communication.exposedSeconds, communication.buckets,
                        communication.backwardPasses, communication.overlapShare * 100))
        }
        guard writes else { return }
        try drawLosses(summary.history, to: out + "/loss.png", title: modelFile.definition.name)
        print(String(format: "%d steps in %.1f s, io wait %.0f%% of the training loop", summary.history.count, summary.seconds,
                     summary.ioWaitShare * 100))
        if let best = summary.bestValidation, let step = summary.bestStep {
            print(String(format: "best validation %.4e at step %d: ", best, step) + out + "/" + Trainer.bestCheckpointName)
        }
        print("wrote \(out)/\(Trainer.lastCheckpointName), \(Trainer.lossesName), loss.png")
    }

    /// The training and validation paths from --data or --train/--validation.
    func dataFiles() throws -> (train: String, validation: String?) {
        if let data {
            guard train == nil, validation == nil else { throw ValidationError("give either --data or --train/--validation, not both") }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: data) } catch {
                throw ValidationError("--data \(data): cannot list the folder: \(error.localizedDescription)")
            }
            let candidates = names.filter { $0.hasSuffix("-train.nc") }.sorted()
            guard candidates.count == 1, let name = candidates.first else {
                throw ValidationError(candidates.isEmpty
                    ? "--data \(data): no <prefix>-train.nc in the folder (expected e.g. carbonbench-train.nc or weather-train.nc)"
                    : "--data \(data): several training files (\(candidates.joined(separator: ", "))); name them with --train/--validation")
            }
            let prefix = String(name.dropLast("-train.nc".count))
            let validation = data + "/" + prefix + "-val.nc"
            guard FileManager.default.fileExists(atPath: validation) else {
                throw ValidationError("--data \(data): \(prefix)-val.nc is missing (the validation file next to \(name))")
            }
            return (data + "/" + name, validation)
        }
        guard let train else { throw ValidationError("give --data DIR or --train FILE [--validation FILE]") }
        for path in [train] + (validation.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) does not exist")
        }
        return (train, validation)
    }

    /// A new emulator: statistics from the training file, statics from its first record.
    func newEmulator(_ definition: ModelDefinition, trainFile: EmulatorDataFile, validationPath: String?, device: Device) throws -> Emulator {
        var lastPercent = -1
        let statistics = try NormalisationStatistics.compute(from: trainFile, model: definition) { done, total in
            let percent = 100 * done / max(total, 1)
            if percent / 10 != lastPercent / 10 || done == total {
                lastPercent = percent
                note("normalisation statistics: \(done)/\(total) records of \(trainFile.path)")
            }
        }
        var levels: [String: Int] = [:]
        for name in definition.variables.fileVariables { levels[name] = trainFile.levelCount(of: name) }
        var statics: [String: [Float]] = [:]
        for name in definition.variables.static { statics[name] = try trainFile.read(name, time: 0) }
        let description = TrainingDataDescription(trainFile: trainFile.path, validationFile: validationPath, records: trainFile.recordCount,
                                                  firstTime: trainFile.times.first?.description ?? "",
                                                  lastTime: trainFile.times.last?.description ?? "", source: nil)
        return try Emulator(definition: definition, statistics: statistics, grid: trainFile.grid, levels: levels, statics: statics,
                            cellArea: trainFile.cellArea, trainingData: description, device: device,
                            generator: try Generator(seed: UInt64(bitPattern: Int64(definition.training.seed))))
    }

    /// Train loss (and validation score where computed) against step, log scale.
    func drawLosses(_ history: [TrainingLossRecord], to path: String, title: String) throws {
        guard !history.isEmpty else { return }
        var series = [LineSeries(x: history.map { Double($0.step) }, y: history.map(\.train), label: "train (batch)", width: 1)]
        let validated = history.filter { $0.validation != nil }
        if !validated.isEmpty {
            series.append(LineSeries(x: validated.map { Double($0.step) }, y: validated.compactMap(\.validation),
                                     label: "validation rollout", width: 2))
        }
        let plot = LinePlot(series: series, title: "\(title): loss", xLabel: "optimiser step", yLabel: "loss", logY: true)
        try plot.write(to: URL(fileURLWithPath: path))
    }
}

/// A line on stderr.
private func note(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
