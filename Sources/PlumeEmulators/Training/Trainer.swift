import Foundation
import Torch

/// Trains an emulator on the model file's `training` schedule:
///
/// 1. one-step training: loss = `StepProcessor.loss` of `Emulator.step(batch, fix: false)` against
///    the truth at t + Δt; AdamW (learning_rate, betas, weight_decay), linear warm-up over
///    warmup_steps then half-cosine to min_learning_rate (`WarmupCosineSchedule`), global
///    gradient-norm clipping at gradient_clip;
/// 2. rollout fine-tuning, one stage per entry n of fine_tune_curriculum: n-step rollouts with
///    backpropagation through the whole rollout, loss averaged over the n steps, fine_tune_steps
///    steps at the constant fine_tune_learning_rate (a fresh AdamW per stage, continuing from the
///    current weights);
/// 3. with input_noise > 0, every training window starts from its first state plus Gaussian noise
///    of input_noise × σΔ[l] (`StepProcessor.perturbed`), drawn after the per-step reseed.
///
/// Every validate_every steps and at the end of each stage, a validation rollout of
/// validation_steps steps (`fix: true`, no gradients, eval mode) from fixed start records of the
/// validation file is scored by the same loss averaged over the steps; the lowest score's model
/// is kept as `best.safetensors`. `last.safetensors` (model, optimiser `optimizer.*`, loss history
/// `history.*`, schedule and sampler position in `TrainingProgress`) and `losses.csv` are written
/// atomically every checkpoint_every steps or checkpoint_minutes minutes, whichever comes first,
/// and at the end. Resuming from `last.safetensors` continues bit for bit on the CPU with the same
/// thread count: libtorch's default generator (dropout) is reseeded from (seed, step) before every
/// step, so no generator state needs saving.
///
/// **Data-parallel** (with a `ProcessGroup` of W ranks, each running its own `Trainer`): rank 0's
/// weights are broadcast to every rank; each step draws the global batch of W × batch_size
/// windows and rank r reads samples r·batch_size ..< (r + 1)·batch_size (input noise is drawn for
/// the global batch and sliced); c10d's `Reducer` (`GradientReducer`) averages the gradients in
/// buckets during the backward pass, so every rank takes the same optimiser step, and the logged
/// loss is the mean over the ranks. The run is the one-process run with the global batch, to
/// float32 rounding, with two exceptions shared with PyTorch DDP: BatchNorm (the U-Net's) normalises
/// with each rank's own batch statistics (no SyncBatchNorm; rank 0's running statistics are
/// broadcast before every step, as DDP's `broadcast_buffers`, the static buffers only at the
/// start), and dropout masks are drawn by
/// every rank from the same per-step seed.
/// Every rank validates (the same score); only rank 0 writes checkpoints, `losses.csv` and
/// progress lines. The sampler's position is global, so a checkpoint resumes at any world size.
public final class Trainer {
    public static let lastCheckpointName = "last.safetensors"
    public static let bestCheckpointName = "best.safetensors"
    public static let lossesName = "losses.csv"

    public let emulator: Emulator
    /// The schedule in force (the model file's, with `TrainingOptions` overrides).
    public let training: ModelDefinition.Training
    private let trainFile: EmulatorDataFile
    private let folder: String
    private let options: TrainingOptions
    private let log: (String) -> Void
    /// Data-parallel training: the ranks' group (`nil`: one process).
    private let group: ProcessGroup?
    private let stages: [Stage]
    private let validationWindow: TrainingWindow?
    /// The physics priors driven by the training and the validation file (`processing.physics_prior`).
    private let trainPrior: ReferenceTransportPrior?
    private let validationPrior: ReferenceTransportPrior?
    private var history: [TrainingLossRecord] = []
    private var bestValidation: Double?
    private var bestStep: Int?
    private var startStep = 0
    private var startStage = 0
    private var resumeSampler: TrainingSampler.State?
    private var resumeOptimizer: [String: Tensor] = [:]

    /// One stage of the schedule.
    struct Stage {
        var phase: TrainingPhase
        /// Steps of each rollout window.
        var window: Int
        /// Optimiser steps of the stage.
        var steps: Int
        /// Global steps before the stage.
        var offset: Int
    }

    /// Optimiser steps of the whole schedule.
    public var totalSteps: Int { stages.last.map { $0.offset + $0.steps } ?? 0 }

    /// - Parameters:
    ///   - emulator: a new emulator, or one loaded from `folder/last.safetensors` when resuming.
    ///   - validationFile: the validation data; without it there is no validation and no best checkpoint.
    ///   - folder: where `last.safetensors`, `best.safetensors` and `losses.csv` go (created if needed).
    ///   - resume: the extra tensors of the loaded `last.safetensors` (with `emulator.info.training`
    ///     its progress); `nil` starts from step 0.
    ///   - group: data-parallel training over these ranks (each builds its own `Trainer` with the
    ///     same arguments); `nil` trains in this process alone.
    ///   - log: receives the progress lines (rank 0's only, in data-parallel training).
    /// - Throws: `EmulatorError` naming the file or key that does not fit.
    public init(emulator: Emulator, trainFile: EmulatorDataFile, validationFile: EmulatorDataFile?, folder: String,
                options: TrainingOptions = TrainingOptions(), resume: [String: Tensor]? = nil, group: ProcessGroup? = nil,
                log: @escaping (String) -> Void = { _ in }) throws(EmulatorError) {
        self.emulator = emulator
        self.group = group
        self.trainFile = trainFile
        self.folder = folder
        self.options = options
        self.log = log
        var training = emulator.definition.training
        if let steps = options.steps { training.steps = steps }
        if let threads = options.threads { training.threads = threads }
        self.training = training
        guard training.steps >= 0, training.batchSize >= 1, training.threads >= 1 else {
            throw .invalidRequest("training.steps (\(training.steps)) must not be negative, training.batch_size (\(training.batchSize)) and training.threads (\(training.threads)) must be at least 1")
        }
        let source = resume == nil ? "the new emulator" : folder + "/" + Trainer.lastCheckpointName
        try emulator.checkFits(trainFile, checkpoint: source)
        var stages = [Stage(phase: .train, window: 1, steps: training.steps, offset: 0)]
        for n in training.fineTuneCurriculum {
            guard n >= 1 else { throw .invalidRequest("training.fine_tune_curriculum: rollout length \(n) must be at least 1") }
            let last = stages[stages.count - 1]
            stages.append(Stage(phase: .fineTune, window: n, steps: max(0, training.fineTuneSteps), offset: last.offset + last.steps))
        }
        self.stages = stages
        for stage in stages where stage.steps > 0 && trainFile.recordCount <= stage.window {
            throw .dataMismatch(file: trainFile.path, issues: ["\(trainFile.recordCount) record(s): a \(stage.window)-step training window needs \(stage.window + 1)"])
        }
        if let validationFile {
            try emulator.checkFits(validationFile, checkpoint: source)
            let steps = training.validationSteps
            let starts = validationFile.recordCount - steps
            guard steps >= 1, starts >= 1 else {
                throw .dataMismatch(file: validationFile.path, issues: ["\(validationFile.recordCount) record(s): training.validation_steps = \(steps) needs at least \(steps + 1) (and validation_steps ≥ 1)"])
            }
            let m = max(1, min(options.validationSamples, starts))
            validationWindow = try TrainingWindow.read(validationFile, starts: (0..<m).map { $0 * starts / m }, steps: steps,
                                                       variables: emulator.definition.variables.prognostic + emulator.definition.variables.forcing)
        } else {
            validationWindow = nil
        }
        if emulator.definition.processing.usesPhysicsPrior {
            let d = emulator.definition
            trainPrior = try ReferenceTransportPrior(dataFile: trainFile.path, definition: d, grid: emulator.processor.grid)
            if let validationFile {
                validationPrior = try ReferenceTransportPrior(dataFile: validationFile.path, definition: d, grid: emulator.processor.grid)
            } else {
                validationPrior = nil
            }
        } else {
            trainPrior = nil
            validationPrior = nil
        }
        if let resume {
            try restore(resume)
        }
    }

    private func restore(_ extra: [String: Tensor]) throws(EmulatorError) {
        let checkpoint = folder + "/" + Trainer.lastCheckpointName
        guard let progress = emulator.info.training else {
            throw .invalidCheckpoint(file: checkpoint, reason: "no training progress: not written by plume train")
        }
        guard progress.totalSteps == totalSteps else {
            throw .invalidCheckpoint(file: checkpoint, reason: "written for a schedule of \(progress.totalSteps.map(String.init) ?? "unknown") steps, this run schedules \(totalSteps) (training.steps, --steps, fine_tune_curriculum, fine_tune_steps must stay the same)")
        }
        guard progress.stage >= 0, progress.stage < stages.count, progress.step >= stages[progress.stage].offset,
              progress.step <= stages[progress.stage].offset + stages[progress.stage].steps else {
            throw .invalidCheckpoint(file: checkpoint, reason: "progress (stage \(progress.stage), step \(progress.step)) does not fit the schedule")
        }
        history = try TrainingLossRecord.records(from: extra, checkpoint: checkpoint)
        guard history.count == progress.step else {
            throw .invalidCheckpoint(file: checkpoint, reason: "loss history has \(history.count) steps, progress says \(progress.step)")
        }
        startStep = progress.step
        startStage = progress.stage
        bestValidation = progress.bestValidation
        bestStep = progress.bestStep
        resumeSampler = progress.sampler
        for (name, tensor) in extra where name.hasPrefix("optimizer.") {
            resumeOptimizer[String(name.dropFirst("optimizer.".count))] = tensor
        }
    }

    /// Runs the schedule from the start or the restored position to the end.
    /// - Returns: the loss history and the best validation score.
    public func run() throws -> TrainingSummary {
        try Torch.setThreadCount(training.threads)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let parameters = emulator.network.namedParameters()
        let rank = group?.rank ?? 0, world = group?.worldSize ?? 1
        let writes = rank == 0
        var reducer: GradientReducer?
        if let group {
            // As DDP: every rank starts from rank 0's weights and buffers.
            try Torch.withoutGrad { () throws -> Void in
                try group.broadcast(parameters.map(\.tensor) + emulator.network.namedBuffers().map(\.tensor), from: 0)
            }
            reducer = try GradientReducer(parameters: parameters.map(\.tensor), group: group)
        }
        let timed = emulator.definition.variables.prognostic + emulator.definition.variables.forcing
        let schedule = WarmupCosineSchedule(peak: training.learningRate, warmupSteps: training.warmupSteps,
                                            totalSteps: training.steps, minimum: training.minLearningRate)
        let loopStart = Date()
        var lastCheckpoint = loopStart
        var waited = 0.0
        var stepsThisRun = 0
        var globalStep = startStep
        let total = totalSteps
        for (index, stage) in stages.enumerated() where index >= startStage {
            let done = globalStep - stage.offset
            guard done < stage.steps else { continue }
            let optimizer = AdamW(parameters, learningRate: stage.phase == .train ? training.learningRate : training.fineTuneLearningRate,
                                  betas: (training.betas.first ?? 0.9, training.betas.dropFirst().first ?? 0.999),
                                  weightDecay: training.weightDecay)
            var samplerState = TrainingSampler.State(seed: SplitMix64.mix(UInt64(bitPattern: Int64(training.seed)) ^ UInt64(index)))
            if done > 0 {
                guard let restored = resumeSampler else {
                    throw EmulatorError.invalidCheckpoint(file: folder + "/" + Trainer.lastCheckpointName, reason: "no sampler state in a checkpoint inside a stage")
                }
                samplerState = restored
                try optimizer.loadStateDict(resumeOptimizer)
            }
            let sampler = try TrainingSampler(records: trainFile.recordCount, window: stage.window, batchSize: training.batchSize * world,
                                              state: samplerState)
            let loader = TrainingBatchLoader(file: trainFile, variables: timed, steps: stage.window, sampler: sampler,
                                             batches: stage.steps - done, prefetch: training.prefetch, shard: (rank, world))
            defer {
                loader.stop()
            }
            for s in done..<stage.steps {
                let rate = stage.phase == .train ? schedule.learningRate(at: s) : training.fineTuneLearningRate
                try Torch.manualSeed(SplitMix64.mix(UInt64(bitPattern: Int64(training.seed)) ^ UInt64(globalStep)))
                let window = try loader.next()
                let loss = try trainStep(window, optimizer: optimizer, learningRate: rate, parameters: parameters.map(\.tensor), prior: trainPrior,
                                         reducer: reducer)
                globalStep += 1
                stepsThisRun += 1
                samplerState = window.samplerAfter ?? samplerState
                var record = TrainingLossRecord(step: globalStep, phase: stage.phase.rawValue, train: loss)
                var progress = TrainingProgress(phase: stage.phase.rawValue, step: globalStep, bestValidation: bestValidation,
                                                bestStep: bestStep, stage: index, sampler: samplerState, totalSteps: total)
                if validationWindow != nil,
                   (training.validateEvery > 0 && globalStep % training.validateEvery == 0) || s + 1 == stage.steps {
                    let score = try validate()
                    record.validation = score
                    if bestValidation.map({ score < $0 }) ?? true {
                        bestValidation = score
                        bestStep = globalStep
                        progress.bestValidation = score
                        progress.bestStep = globalStep
                        if writes { try emulator.save(to: folder + "/" + Trainer.bestCheckpointName, training: progress) }
                    }
                }
                history.append(record)
                if let stop = options.stopAfterStep, globalStep >= stop {
                    return try summary(waited: waited + loader.waitSeconds, since: loopStart, reducer: reducer)
                }
                let minutes = Date().timeIntervalSince(lastCheckpoint) / 60
                if (training.checkpointEvery > 0 && globalStep % training.checkpointEvery == 0)
                    || (training.checkpointMinutes > 0 && minutes >= training.checkpointMinutes) || globalStep == total {
                    if writes { try saveCheckpoint(progress, optimizer: optimizer) }
                    lastCheckpoint = Date()
                }
                if writes, options.logEvery > 0, globalStep % options.logEvery == 0 || globalStep == total {
                    let elapsed = Date().timeIntervalSince(loopStart)
                    let share = elapsed > 0 ? (waited + loader.waitSeconds) / elapsed : 0
                    log(Trainer.progressLine(phase: stage.phase, step: globalStep, total: total, loss: loss, validation: record.validation,
                                             learningRate: rate, samples: stepsThisRun * training.batchSize * world, elapsed: elapsed,
                                             ioWaitShare: share, remainingSteps: total - globalStep, stepsThisRun: stepsThisRun))
                }
            }
            waited += loader.waitSeconds
        }
        return try summary(waited: waited, since: loopStart, reducer: reducer)
    }

    private func summary(waited: Double, since start: Date, reducer: GradientReducer?) throws -> TrainingSummary {
        let seconds = Date().timeIntervalSince(start)
        return TrainingSummary(history: history, bestValidation: bestValidation, bestStep: bestStep,
                               ioWaitShare: seconds > 0 ? min(1, waited / seconds) : 0, seconds: seconds,
                               communication: try reducer?.timing())
    }

    /// One optimiser step on `window` (a rollout of `window.steps` steps); returns the loss (the
    /// mean over the ranks in data-parallel training).
    private func trainStep(_ window: TrainingWindow, optimizer: AdamW, learningRate: Double, parameters: [Tensor],
                           prior: ReferenceTransportPrior?, reducer: GradientReducer?) throws -> Double {
        emulator.network.train()
        try optimizer.zeroGrad()
        if let group {
            // As DDP's broadcast_buffers, rank 0's running statistics before each forward pass —
            // only BatchNorm's: the other buffers (graphs, grids) never change and were broadcast
            // at the start, and at 0.25° a mesh's edge indices alone are ~80 MB.
            let buffers = emulator.network.namedModules().compactMap { $0.module as? BatchNorm2d }.flatMap { [$0.runningMean, $0.runningVar] }
            if !buffers.isEmpty { try Torch.withoutGrad { () throws -> Void in try group.broadcast(buffers, from: 0) } }
        }
        let loss = try rolloutLoss(window, fix: false, prior: prior)
        try reducer?.prepareForBackward()
        try loss.backward()
        try clipGradientNorm(parameters, maxNorm: training.gradientClip)
        optimizer.learningRate = learningRate
        try optimizer.step()
        guard let group else { return try loss.item() }
        let value = try loss.detach().to(.float64).clone()
        try group.allReduce([value], .sum)
        return try value.item() / Double(group.worldSize)
    }

    /// The loss of a rollout over `window`, averaged over its steps (a scalar tensor). Training
    /// (`fix == false`) starts from the window's first state perturbed by `training.input_noise`.
    /// With a physics prior (`prior`, driven by the window's file) each step's prior is computed
    /// from the values of the state it starts from.
    private func rolloutLoss(_ window: TrainingWindow, fix: Bool, prior: ReferenceTransportPrior?) throws -> Tensor {
        let v = emulator.definition.variables
        let processor = emulator.processor
        let levels = processor.levels, grid = processor.grid, device = emulator.device
        var state = try window.tensors(v.prognostic, at: 0, levels: levels, grid: grid, device: device)
        if !fix, training.inputNoise > 0 {
            let part = group.map { (offset: $0.rank * window.starts.count, total: $0.worldSize * window.starts.count) }
            state = try processor.perturbed(state, noise: training.inputNoise, batchPart: part)
        }
        var total: Tensor?
        for k in 0..<window.steps {
            var batch = StepBatch(state: state,
                                  forcing: try window.tensors(v.forcing, at: k, levels: levels, grid: grid, device: device),
                                  forcingNext: try window.tensors(v.forcing, at: k + 1, levels: levels, grid: grid, device: device),
                                  dayOfYear: window.dayOfYear[k])
            try prior?.attach(to: &batch, records: window.starts.map { $0 + k })
            let predicted = try emulator.step(batch, fix: fix, autocast: !fix && training.precision == "bf16" ? .bfloat16 : nil)
            let truth = try window.tensors(v.prognostic, at: k + 1, levels: levels, grid: grid, device: device)
            let term = try processor.loss(predicted: predicted, truth: truth, previous: state)
            total = try total.map { try $0 + term } ?? term
            state = predicted
        }
        guard let total else { throw EmulatorError.failed(context: "rollout loss", reason: "a window of 0 steps") }
        return try total / Double(window.steps)
    }

    /// The validation score: the rollout loss over the validation window, in eval mode, without gradients.
    private func validate() throws -> Double {
        guard let validationWindow else { return .nan }
        emulator.network.eval()
        defer { emulator.network.train() }
        return try Torch.withoutGrad { () throws -> Double in
            try rolloutLoss(validationWindow, fix: true, prior: validationPrior).item()
        }
    }

    private func saveCheckpoint(_ progress: TrainingProgress, optimizer: AdamW) throws {
        var extra: [String: Tensor] = [:]
        for (name, tensor) in try optimizer.stateDict() { extra["optimizer." + name] = try tensor.to(device: .cpu) }
        for (name, tensor) in try TrainingLossRecord.tensors(history) { extra[name] = tensor }
        try emulator.save(to: folder + "/" + Trainer.lastCheckpointName, training: progress, extra: extra)
        try TrainingLossRecord.write(history, to: folder + "/" + Trainer.lossesName)
    }

    /// `train  step 120/1000  loss 1.234e-02  lr 1.00e-03  85.3 samples/s  io wait 3%  ETA 5m12s`.
    static func progressLine(phase: TrainingPhase, step: Int, total: Int, loss: Double, validation: Double?, learningRate: Double,
                             samples: Int, elapsed: Double, ioWaitShare: Double, remainingSteps: Int, stepsThisRun: Int) -> String {
        let rate = elapsed > 0 ? Double(samples) / elapsed : 0
        let eta = stepsThisRun > 0 ? elapsed / Double(stepsThisRun) * Double(remainingSteps) : 0
        let etaText = eta >= 3600 ? String(format: "%dh%02dm", Int(eta) / 3600, Int(eta) % 3600 / 60)
            : String(format: "%dm%02ds", Int(eta) / 60, Int(eta) % 60)
        var line = String(format: "%@  step %d/%d  loss %.4e", phase.rawValue, step, total, loss)
        if let validation { line += String(format: "  validation %.4e", validation) }
        line += String(format: "  lr %.2e  %.1f samples/s  io wait %.0f%%  ETA %@", learningRate, rate, ioWaitShare * 100, etaText)
        return line
    }
}
