import Torch

/// What a finished (or stopped) training run did.
public struct TrainingSummary: Sendable {
    /// Every step's loss since the start of training (including before a resume).
    public var history: [TrainingLossRecord]
    /// Lowest validation score and its step, if validation ran.
    public var bestValidation: Double?
    public var bestStep: Int?
    /// Share (0…1) of this run's training-loop wall time spent waiting for data.
    public var ioWaitShare: Double
    /// Wall seconds of this run's training loop.
    public var seconds: Double
    /// Data-parallel runs: the gradient all-reduces of this rank (overlap with the backward pass).
    public var communication: GradientReducer.CommunicationTiming? = nil
}
