import Torch

/// CarbonBench's U-Net emulator (Benson et al. 2024) on a latitude–longitude grid:
/// `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
///
/// Every convolution wraps around in longitude and pads latitude with zeros. With `depth`
/// D and channels `c_i = embed · channelMultiplier^i`:
/// 1. optional bilinear resize of the input to `resize` (`[lat, lon]`);
/// 2. `stem`: one residual block (`stemKernel`) from the input channels to `c_0`;
/// 3. `encoder[i-1]`, i = 1…D: 2×2 max pooling, then `blocks` residual blocks to `c_i`;
/// 4. `decoder[D-i]`, i = D…1: `blocks` blocks at `c_i`, then `upsample[D-i]` (transposed
///    2×2 convolution, stride 2) to `c_{i-1}` at twice the resolution, plus (added, not
///    concatenated) the encoder output of level i−1;
/// 5. `decoder[D]`: `blocks` blocks at `c_0`; bilinear resize back to the data grid;
/// 6. `readout`: 1×1 convolution (with bias) to the output channels.
///
/// Residual blocks are conv (no bias) → LeakyReLU → BatchNorm2d (`UNetBlock`). Weights are
/// PyTorch's default initialisation, drawn from `generator` in declaration order.
/// Parameter names: `stem.…`, `encoder.0.blocks.0.conv.weight`, `upsample.0.weight`,
/// `decoder.0.blocks.0.norm.running_mean`, `readout.weight`, … (the Python twin
/// `Benchmarks/pytorch/plume_emulators/unet.py` has the same state dict).
public final class UNet: EmulatorNetwork {
    public let stem: UNetBlock
    public let encoder: [UNetStage]
    public let decoder: [UNetStage]
    public let upsample: [ConvTranspose2d]
    public let readout: Conv2d

    public let configuration: UNetConfiguration
    public let inputChannels: Int
    public let outputChannels: Int
    public let grid: EmulatorGrid
    /// `[lat, lon]` the levels work on: `configuration.resize`, or the grid's shape.
    public let workingShape: [Int]

    /// - Throws: `TorchError` when a size is not positive, `resize` is not `[lat, lon]`, or
    ///   the working grid (`resize`, else the data grid) cannot be halved `depth` times.
    public init(configuration: UNetConfiguration, inputChannels: Int, outputChannels: Int, grid: EmulatorGrid,
                generator: Generator? = nil) throws {
        let c = configuration
        for (name, value, least) in [("embed", c.embed, 1), ("depth", c.depth, 0), ("blocks", c.blocks, 1),
                                     ("channel_multiplier", c.channelMultiplier, 1),
                                     ("input channels", inputChannels, 1), ("output channels", outputChannels, 1)]
        where value < least {
            throw TorchError(operation: "UNet", message: "\(name) must be at least \(least), got \(value)")
        }
        guard grid.latitudes.count > 0, grid.longitudes.count > 0 else {
            throw TorchError(operation: "UNet", message: "the grid is empty (\(grid.shape[0]) × \(grid.shape[1]))")
        }
        if !c.resize.isEmpty {
            guard c.resize.count == 2, c.resize.allSatisfy({ $0 > 0 }) else {
                throw TorchError(operation: "UNet", message: "resize must be [lat, lon] of positive sizes, got \(c.resize)")
            }
        }
        guard c.depth <= 20 else {
            throw TorchError(operation: "UNet", message: "depth must be at most 20, got \(c.depth)")
        }
        let working = c.resize.isEmpty ? grid.shape : c.resize
        let factor = 1 << c.depth
        guard working[0] % factor == 0, working[1] % factor == 0 else {
            let what = c.resize.isEmpty ? "the grid \(working[0]) × \(working[1]) (no resize given)"
                                        : "resize \(working[0]) × \(working[1])"
            throw TorchError(operation: "UNet",
                             message: "\(what) cannot be halved depth = \(c.depth) times: both sizes must be multiples of \(factor); set resize to such a [lat, lon]")
        }
        let padding: ConvolutionPadding
        switch c.latitudePadding {
        case "zeros":
            padding = .longitudeCircular
        case "poles":
            padding = .acrossPoles
            guard (working[1] / factor) % 2 == 0, working[0] / factor >= c.kernel / 2, working[0] >= c.stemKernel / 2 else {
                throw TorchError(operation: "UNet",
                                 message: "latitude_padding poles needs an even number of longitudes and at least kernel / 2 latitude rows on every level: \(working[0]) × \(working[1]) halved depth = \(c.depth) times is \(working[0] / factor) × \(working[1] / factor)")
            }
        default:
            throw TorchError(operation: "UNet",
                             message: "latitude_padding must be one of \(UNetConfiguration.latitudePaddings.joined(separator: ", ")), got '\(c.latitudePadding)'")
        }
        var channels = [c.embed]
        for _ in 0..<c.depth {
            let (next, overflow) = channels[channels.count - 1].multipliedReportingOverflow(by: c.channelMultiplier)
            guard !overflow, next <= 1 << 20 else {
                throw TorchError(operation: "UNet",
                                 message: "embed \(c.embed) · channel_multiplier \(c.channelMultiplier)^depth \(c.depth) channels is too many")
            }
            channels.append(next)
        }

        stem = try UNetBlock(inputChannels, channels[0], kernel: c.stemKernel, padding: padding, generator: generator)
        var encoder: [UNetStage] = []
        for level in stride(from: 1, through: c.depth, by: 1) {
            encoder.append(try UNetStage(channels[level - 1], channels[level], count: c.blocks, kernel: c.kernel, padding: padding, generator: generator))
        }
        var decoder: [UNetStage] = []
        var upsample: [ConvTranspose2d] = []
        for level in stride(from: c.depth, through: 1, by: -1) {
            decoder.append(try UNetStage(channels[level], channels[level], count: c.blocks, kernel: c.kernel, padding: padding, generator: generator))
            upsample.append(try ConvTranspose2d(channels[level], channels[level - 1], kernelSize: [2], stride: [2], generator: generator))
        }
        decoder.append(try UNetStage(channels[0], channels[0], count: c.blocks, kernel: c.kernel, padding: padding, generator: generator))
        readout = try Conv2d(channels[0], outputChannels, kernelSize: [1], generator: generator)
        self.encoder = encoder
        self.decoder = decoder
        self.upsample = upsample
        self.configuration = c
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.grid = grid
        workingShape = working
    }

    /// `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
    /// - Throws: `TorchError` when the input is not of that shape.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let shape = input.shape
        guard shape.count == 4, shape[1] == inputChannels, Array(shape[2...]) == grid.shape else {
            throw TorchError(operation: "UNet",
                             message: "input has shape \(shape), expected [batch, \(inputChannels), \(grid.shape[0]), \(grid.shape[1])]")
        }
        let resized = workingShape != grid.shape
        var x = resized ? try input.interpolate(size: workingShape, mode: .bilinear) : input
        x = try stem(x)
        var skips: [Tensor] = []
        for stage in encoder {
            skips.append(x)
            x = try stage(x.maxPool2d(kernel: [2]))
        }
        for (i, stage) in decoder.enumerated() {
            x = try stage(x)
            if i < upsample.count {
                x = try upsample[i](x) + skips[skips.count - 1 - i]
            }
        }
        if resized { x = try x.interpolate(size: grid.shape, mode: .bilinear) }
        return try readout(x)
    }
}
