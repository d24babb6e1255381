/// 2-D convolution of [batch, inChannels, height, width] → [batch, outChannels, h', w'].
///
/// `paddingMode: .circular` wraps around (longitude periodicity on a lat-lon grid);
/// padding is `[height, width]`.
public final class Conv2d: Layer {
    /// [outChannels, inChannels / groups, kernelHeight, kernelWidth]
    @Parameter public var weight: Tensor
    /// [outChannels]
    @Parameter public var bias: Tensor?
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let groups: Int
    public let paddingMode: PaddingMode

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                dilation: [Int] = [1, 1], groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode = .constant,
                generator: Generator? = nil) throws(TorchError) {
        let k = pair(kernelSize)
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError(operation: "Conv2d", message: "channels \(inChannels)→\(outChannels) are not divisible by groups \(groups)")
        }
        let bound = Initialization.fanInBound(inChannels / groups * k[0] * k[1])
        weight = try Initialization.uniform([outChannels, inChannels / groups, k[0], k[1]], bound: bound, generator: generator)
        self.bias = bias ? try Initialization.uniform([outChannels], bound: bound, generator: generator) : nil
        self.stride = pair(stride)
        self.padding = pair(padding)
        self.dilation = pair(dilation)
        self.groups = groups
        self.paddingMode = paddingMode
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        if paddingMode == .constant {
            return try input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        }
        let padded = try input.pad([padding[1], padding[1], padding[0], padding[0]], mode: paddingMode)
        return try padded.conv2d(weight: weight, bias: bias, stride: stride, padding: [0, 0], dilation: dilation, groups: groups)
    }
}
