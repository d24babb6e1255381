extension ModelDefinition {
    /// The training schedule (CarbonBench: AdamW lr 1e-3, betas (0.9, 0.95), weight decay 0.1,
    /// clip 32, warm-up then half-cosine to 3e-7; best checkpoint on a validation rollout;
    /// then rollout fine-tuning on a step curriculum).
    public struct Training: Codable, Sendable, Equatable {
        /// Samples per optimiser step.
        public var batchSize: Int = 8
        /// Optimiser steps of one-step training.
        public var steps: Int = 1000
        public var learningRate: Double = 1e-3
        /// Learning rate at the end of the cosine decay.
        public var minLearningRate: Double = 3e-7
        public var warmupSteps: Int = 50
        public var weightDecay: Double = 0.1
        public var betas: [Double] = [0.9, 0.95]
        /// Global gradient-norm clip.
        public var gradientClip: Double = 32
        /// Weight of the spectral term of the loss: squared differences of the log power spectra
        /// (per spherical-harmonic degree) of the predicted and true normalised one-step changes;
        /// 0 = off. Needs a global regular lat-lon grid of cell centres (latlon5.625, latlon2.8125).
        public var spectralLossWeight: Double = 0
        /// Standard deviation of the Gaussian noise added to the initial state of every training
        /// window (one-step and fine-tuning; never validation or rollouts), in units of each
        /// level's σΔ (the standard deviation of the 6-h change); 0 = off. The truth stays clean,
        /// so the network learns to remove errors like those its own rollouts accumulate instead
        /// of amplifying them (noise injection, Sanchez-Gonzalez et al. 2020).
        public var inputNoise: Double = 0
        /// Optimiser steps between validation rollouts (0: only at the end).
        public var validateEvery: Int = 200
        /// Length in steps of each validation rollout.
        public var validationSteps: Int = 8
        /// Optimiser steps between checkpoints.
        public var checkpointEvery: Int = 100
        /// Minutes between checkpoints (whichever of steps and minutes comes first).
        public var checkpointMinutes: Double = 10
        /// Rollout fine-tuning curriculum: rollout lengths in steps (CarbonBench: 3, 5, … 31).
        public var fineTuneCurriculum: [Int] = []
        /// Optimiser steps per curriculum stage.
        public var fineTuneSteps: Int = 50
        public var fineTuneLearningRate: Double = 1e-5
        /// Seed of initialisation, sampling and dropout.
        public var seed: Int = 0
        /// CPU threads of libtorch (fixed, so runs reproduce bit for bit).
        public var threads: Int = 2
        /// Batches read ahead by the background loader.
        public var prefetch: Int = 2
        /// Device: `cpu` or `cuda:N`.
        public var device: String = "cpu"
        /// Arithmetic of the training forward passes: `fp32`, or `bf16` (autocast: convolutions,
        /// matrix products and attention in bfloat16, weights, optimiser, loss and the physics
        /// around the network in float32; no loss scaling needed). Validation and rollouts run in fp32.
        public var precision: String = "fp32"

        public init() {}

        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size"
            case steps
            case learningRate = "learning_rate"
            case minLearningRate = "min_learning_rate"
            case warmupSteps = "warmup_steps"
            case weightDecay = "weight_decay"
            case betas
            case gradientClip = "gradient_clip"
            case spectralLossWeight = "spectral_loss_weight"
            case inputNoise = "input_noise"
            case validateEvery = "validate_every"
            case validationSteps = "validation_steps"
            case checkpointEvery = "checkpoint_every"
            case checkpointMinutes = "checkpoint_minutes"
            case fineTuneCurriculum = "fine_tune_curriculum"
            case fineTuneSteps = "fine_tune_steps"
            case fineTuneLearningRate = "fine_tune_learning_rate"
            case seed, threads, prefetch, device, precision
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Training()
            batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
            steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
            learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
            minLearningRate = try c.decodeIfPresent(Double.self, forKey: .minLearningRate) ?? d.minLearningRate
            warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? d.warmupSteps
            weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? d.weightDecay
            betas = try c.decodeIfPresent([Double].self, forKey: .betas) ?? d.betas
            gradientClip = try c.decodeIfPresent(Double.self, forKey: .gradientClip) ?? d.gradientClip
            spectralLossWeight = try c.decodeIfPresent(Double.self, forKey: .spectralLossWeight) ?? d.spectralLossWeight
            inputNoise = try c.decodeIfPresent(Double.self, forKey: .inputNoise) ?? d.inputNoise
            validateEvery = try c.decodeIfPresent(Int.self, forKey: .validateEvery) ?? d.validateEvery
            validationSteps = try c.decodeIfPresent(Int.self, forKey: .validationSteps) ?? d.validationSteps
            checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? d.checkpointEvery
            checkpointMinutes = try c.decodeIfPresent(Double.self, forKey: .checkpointMinutes) ?? d.checkpointMinutes
            fineTuneCurriculum = try c.decodeIfPresent([Int].self, forKey: .fineTuneCurriculum) ?? d.fineTuneCurriculum
            fineTuneSteps = try c.decodeIfPresent(Int.self, forKey: .fineTuneSteps) ?? d.fineTuneSteps
            fineTuneLearningRate = try c.decodeIfPresent(Double.self, forKey: .fineTuneLearningRate) ?? d.fineTuneLearningRate
            seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
            threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? d.threads
            prefetch = try c.decodeIfPresent(Int.self, forKey: .prefetch) ?? d.prefetch
            device = try c.decodeIfPresent(String.self, forKey: .device) ?? d.device
            precision = try c.decodeIfPresent(String.self, forKey: .precision) ?? d.precision
        }
    }
}
