/// The metadata of an emulator checkpoint (JSON under the safetensors metadata key
/// `"plume"`): enough, with the tensors beside it, to run a rollout from the checkpoint alone.
public struct EmulatorCheckpointInfo: Codable, Sendable, Equatable {
    /// Bumped when the layout changes; a checkpoint of another version is refused.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Plume's version that wrote the checkpoint.
    public var plumeVersion: String
    public var definition: ModelDefinition
    public var statistics: NormalisationStatistics
    public var grid: EmulatorGrid
    /// Levels of every variable the model reads.
    public var levels: [String: Int]
    /// The network's input channels, in order (`co2massmix[3]@t`, `u[0]@t+Δt`, `sin(latitude)` …).
    public var inputChannels: [String]
    /// The network's output channels, in order.
    public var outputChannels: [String]
    /// Where the training data came from.
    public var trainingData: TrainingDataDescription
    /// Training progress when written (nil for a checkpoint made outside training).
    public var training: TrainingProgress?

    public init(definition: ModelDefinition, statistics: NormalisationStatistics, grid: EmulatorGrid,
                levels: [String: Int], trainingData: TrainingDataDescription, training: TrainingProgress? = nil,
                plumeVersion: String) {
        formatVersion = Self.currentFormatVersion
        self.plumeVersion = plumeVersion
        self.definition = definition
        self.statistics = statistics
        self.grid = grid
        self.levels = levels
        let layout = ChannelLayout(definition: definition, levels: levels)
        inputChannels = layout.inputs
        outputChannels = layout.outputs
        self.trainingData = trainingData
        self.training = training
    }
}

/// The data a model was trained on, recorded in its checkpoints.
public struct TrainingDataDescription: Codable, Sendable, Equatable {
    /// Training file path as given.
    public var trainFile: String
    /// Validation file path as given, if any.
    public var validationFile: String?
    /// Records of the training file, and the first and last times (ISO 8601).
    public var records: Int
    public var firstTime: String
    public var lastTime: String
    /// The training file's global `title`/`source` attributes, when present.
    public var source: String?

    public init(trainFile: String, validationFile: String?, records: Int, firstTime: String, lastTime: String, source: String?) {
        self.trainFile = trainFile
        self.validationFile = validationFile
        self.records = records
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.source = source
    }
}

/// Where training stood when a checkpoint was written: enough, with the optimiser state and
/// loss history stored as tensors beside it (`optimizer.…`, `history.…`), to continue bit for bit.
public struct TrainingProgress: Codable, Sendable, Equatable {
    /// `train` (one-step) or `fine_tune`.
    public var phase: String
    /// Optimiser steps done in total (all stages).
    public var step: Int
    /// Best validation score so far (lower is better) and the step it was reached at.
    public var bestValidation: Double?
    public var bestStep: Int?
    /// Stage of the schedule: 0 one-step training, k ≥ 1 the k-th fine-tuning curriculum stage.
    public var stage: Int
    /// The sampler of the current stage after the last batch trained on.
    public var sampler: TrainingSampler.State?
    /// Total optimiser steps of the run (all stages), as scheduled when written.
    public var totalSteps: Int?

    public init(phase: String, step: Int, bestValidation: Double?, bestStep: Int?, stage: Int = 0,
                sampler: TrainingSampler.State? = nil, totalSteps: Int? = nil) {
        self.phase = phase
        self.step = step
        self.bestValidation = bestValidation
        self.bestStep = bestStep
        self.stage = stage
        self.sampler = sampler
        self.totalSteps = totalSteps
    }

    enum CodingKeys: String, CodingKey {
        case phase, step, bestValidation, bestStep, stage, sampler, totalSteps
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decode(String.self, forKey: .phase)
        step = try c.decode(Int.self, forKey: .step)
        bestValidation = try c.decodeIfPresent(Double.self, forKey: .bestValidation)
        bestStep = try c.decodeIfPresent(Int.self, forKey: .bestStep)
        stage = try c.decodeIfPresent(Int.self, forKey: .stage) ?? 0
        sampler = try c.decodeIfPresent(TrainingSampler.State.self, forKey: .sampler)
        totalSteps = try c.decodeIfPresent(Int.self, forKey: .totalSteps)
    }
}

/// The names of the network's input and output channels, in `StepProcessor`'s order.
struct ChannelLayout {
    var inputs: [String] = []
    var outputs: [String] = []

    init(definition: ModelDefinition, levels: [String: Int]) {
        func names(_ variable: String, _ when: String) -> [String] {
            let n = levels[variable] ?? 1
            return n == 1 ? ["\(variable)@\(when)"] : (0..<n).map { "\(variable)[\($0)]@\(when)" }
        }
        let v = definition.variables
        let prior = definition.processing.usesPhysicsPrior ? v.prognostic.flatMap { names($0, "prior(t+dt)") } : []
        inputs = v.prognostic.flatMap { names($0, "t") } + prior + v.forcing.flatMap { names($0, "t") }
            + v.forcing.flatMap { names($0, "t+dt") } + v.static.flatMap { names($0, "static") }
        for c in v.computed {
            switch c {
            case .latitude: inputs += ["sin(latitude)", "cos(latitude)"]
            case .timeOfYear: inputs += ["sin(time_of_year)", "cos(time_of_year)"]
            }
        }
        outputs = v.prognostic.flatMap { names($0, "t+dt") }
    }
}
