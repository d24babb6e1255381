/// Zeroes each element with probability `p` while training, scaling the rest by 1/(1−p);
/// the identity in evaluation mode. A `generator` makes the masks reproducible.
public final class Dropout: Layer, TrainingModeDependent {
    public let p: Double
    public var isTraining = true
    let generator: Generator?

    public init(p: Double = 0.5, generator: Generator? = nil) throws(TorchError) {
        guard (0...1).contains(p) else {
            throw TorchError(operation: "Dropout", message: "probability \(p) is not in [0, 1]")
        }
        self.p = p
        self.generator = generator
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.dropout(p: p, training: isTraining, generator: generator)
    }
}
