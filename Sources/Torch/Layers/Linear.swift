/// `y = x · Wᵀ + b`: input [..., inFeatures] → [..., outFeatures].
public final class Linear: Layer {
    /// [outFeatures, inFeatures]
    @Parameter public var weight: Tensor
    /// [outFeatures]
    @Parameter public var bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator? = nil) throws(TorchError) {
        let bound = Initialization.fanInBound(inFeatures)
        weight = try Initialization.uniform([outFeatures, inFeatures], bound: bound, generator: generator)
        self.bias = bias ? try Initialization.uniform([outFeatures], bound: bound, generator: generator) : nil
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.linear(weight: weight, bias: bias)
    }
}
