import Torch

/// One residual block of `UNet`, as in CarbonBench: a `kernel`×`kernel` convolution (no bias;
/// longitude wraps, latitude is zero-padded or continued over the poles: `padding`) → LeakyReLU (slope 0.01) → BatchNorm2d, plus
/// the input when the block keeps the channel count.
/// `[batch, inChannels, lat, lon]` → `[batch, outChannels, lat, lon]`.
///
/// Parameter names: `conv.weight`, `norm.weight`, `norm.bias`, `norm.running_mean`, …
public final class UNetBlock: Layer {
    public let conv: Conv2d
    public let norm: BatchNorm2d
    /// Whether the input is added to the result (`inChannels == outChannels`).
    public let isResidual: Bool

    /// LeakyReLU's slope for negative inputs (PyTorch's default, which CarbonBench uses).
    public static let negativeSlope = 0.01

    /// - Throws: `TorchError` when `kernel` is not a positive odd number.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, padding: ConvolutionPadding = .longitudeCircular,
                generator: Generator? = nil) throws(TorchError) {
        guard kernel > 0, kernel % 2 == 1 else {
            throw TorchError(operation: "UNetBlock", message: "kernel must be a positive odd number, got \(kernel)")
        }
        conv = try Conv2d(inChannels, outChannels, kernelSize: [kernel], padding: [kernel / 2], bias: false,
                          paddingMode: padding, generator: generator)
        norm = try BatchNorm2d(outChannels)
        isResidual = inChannels == outChannels
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let y = try norm(conv(input).leakyReLU(negativeSlope: Self.negativeSlope))
        return isResidual ? try y + input : y
    }
}
