/// How a `Trainer` runs, beside the model file's `training` schedule.
public struct TrainingOptions: Sendable {
    /// Replaces `training.steps` (one-step optimiser steps) when set.
    public var steps: Int?
    /// Replaces `training.threads` when set.
    public var threads: Int?
    /// Optimiser steps between progress lines.
    public var logEvery: Int
    /// Samples of each validation rollout (start records evenly spread over the validation file).
    public var validationSamples: Int
    /// Stop (without a final checkpoint, as if killed) after this global step: for tests of resuming.
    var stopAfterStep: Int?

    public init(steps: Int? = nil, threads: Int? = nil, logEvery: Int = 10, validationSamples: Int = 4) {
        self.steps = steps
        self.threads = threads
        self.logEvery = logEvery
        self.validationSamples = validationSamples
    }
}
