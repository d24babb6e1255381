/// A multilayer perceptron: Linear layers of `sizes[0] → sizes[1] → … → sizes.last`, with
/// `activation` (and optional dropout) between them, none after the last. Parameter
/// names are `layers.0.weight`, `layers.0.bias`, `layers.1.weight`, …
public final class MLP: Layer, TrainingModeDependent {
    public let layers: [Linear]
    public let activation: Activation
    let dropout: Dropout?
    public var isTraining = true {
        didSet { dropout?.isTraining = isTraining }
    }

    public init(_ sizes: [Int], activation: Activation = .gelu, dropout p: Double = 0,
                generator: Generator? = nil) throws(TorchError) {
        guard sizes.count >= 2 else {
            throw TorchError(operation: "MLP", message: "needs at least input and output sizes, got \(sizes)")
        }
        var layers: [Linear] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(try Linear(sizes[i], sizes[i + 1], generator: generator))
        }
        self.layers = layers
        self.activation = activation
        dropout = p > 0 ? try Dropout(p: p, generator: generator) : nil
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = input
        for (i, layer) in layers.enumerated() {
            x = try layer(x)
            if i < layers.count - 1 {
                x = try activation(x)
                if let dropout { x = try dropout(x) }
            }
        }
        return x
    }
}

/// Layers applied in order; children are named `0`, `1`, … (`layers.0.weight`).
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { x, layer in try layer(x) }
    }
}
