/// A table of `count` learned vectors of size `dimension`: int64 indices [...] →
/// [..., dimension]. Initialised standard normal, as in PyTorch.
public final class Embedding: Layer {
    /// [count, dimension]
    @Parameter public var weight: Tensor

    public init(count: Int, dimension: Int, generator: Generator? = nil) throws(TorchError) {
        weight = try Tensor.randn([count, dimension], generator: generator)
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try weight.embedding(input)
    }
}
