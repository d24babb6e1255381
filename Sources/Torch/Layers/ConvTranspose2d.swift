/// Transposed 2-D convolution (learned upsampling), [batch, in, h, w] → [batch, out, h', w'].
public final class ConvTranspose2d: Layer {
    /// [inChannels, outChannels / groups, kernelHeight, kernelWidth]
    @Parameter public var weight: Tensor
    /// [outChannels]
    @Parameter public var bias: Tensor?
    public let stride: [Int]
    public let padding: [Int]
    public let outputPadding: [Int]
    public let dilation: [Int]
    public let groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                outputPadding: [Int] = [0, 0], dilation: [Int] = [1, 1], groups: Int = 1, bias: Bool = true,
                generator: Generator? = nil) throws(TorchError) {
        let k = pair(kernelSize)
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError(operation: "ConvTranspose2d", message: "channels \(inChannels)→\(outChannels) are not divisible by groups \(groups)")
        }
        // PyTorch computes fan-in from weight.size(1) · kernel area.
        let bound = Initialization.fanInBound(outChannels / groups * k[0] * k[1])
        weight = try Initialization.uniform([inChannels, outChannels / groups, k[0], k[1]], bound: bound, generator: generator)
        self.bias = bias ? try Initialization.uniform([outChannels], bound: bound, generator: generator) : nil
        self.stride = pair(stride)
        self.padding = pair(padding)
        self.outputPadding = pair(outputPadding)
        self.dilation = pair(dilation)
        self.groups = groups
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try input.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding,
                                  outputPadding: outputPadding, groups: groups, dilation: dilation)
    }
}
