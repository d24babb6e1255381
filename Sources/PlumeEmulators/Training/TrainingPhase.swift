/// The phases of training.
public enum TrainingPhase: String, Sendable {
    /// One-step training with the warm-up/cosine schedule.
    case train
    /// Rollout fine-tuning on the curriculum.
    case fineTune = "fine_tune"
}
