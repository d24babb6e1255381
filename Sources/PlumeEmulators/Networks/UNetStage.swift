import Torch

/// The residual blocks of one `UNet` level on one side (encoder or decoder), applied in
/// order; the first maps `inChannels` to `outChannels`, the others keep `outChannels`.
/// `[batch, inChannels, lat, lon]` → `[batch, outChannels, lat, lon]`.
///
/// Parameter names: `blocks.0.conv.weight`, `blocks.0.norm.running_mean`, …
public final class UNetStage: Layer {
    public let blocks: [UNetBlock]

    /// - Throws: `TorchError` when `count` < 1 or `kernel` is not a positive odd number.
    public init(_ inChannels: Int, _ outChannels: Int, count: Int, kernel: Int,
                padding: ConvolutionPadding = .longitudeCircular, generator: Generator? = nil) throws(TorchError) {
        guard count >= 1 else {
            throw TorchError(operation: "UNetStage", message: "needs at least one block, got blocks = \(count)")
        }
        var blocks: [UNetBlock] = []
        for i in 0..<count {
            blocks.append(try UNetBlock(i == 0 ? inChannels : outChannels, outChannels, kernel: kernel, padding: padding, generator: generator))
        }
        self.blocks = blocks
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var x = input
        for block in blocks { x = try block(x) }
        return x
    }
}
