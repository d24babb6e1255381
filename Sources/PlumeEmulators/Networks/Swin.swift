import Torch

/// A Swin V2-style transformer emulator (CarbonBench's Swin): patch embedding, `depth` blocks
/// of windowed scaled-cosine self-attention (odd blocks shifted by half a window, wrapping in
/// longitude, masked across the poles in latitude), and a linear head that un-patchifies the
/// tokens back to the grid: `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
///
/// State-dict names (shared with `Benchmarks/pytorch/plume_emulators/swin.py`): `embedding.*`
/// (Conv2d, kernel = stride = patch), `blocks.<i>.*` (`SwinBlock`), `head.*` (Linear
/// `[outputChannels·patchLat·patchLon, embed]`).
public final class Swin: EmulatorNetwork {
    let embedding: Conv2d
    let blocks: [SwinBlock]
    let head: Linear
    /// `[lat, lon]` of the grid, in cells.
    public let gridShape: [Int]
    public let inputChannels: Int
    public let outputChannels: Int
    let patch: [Int]

    /// - Throws: `TorchError` when the configuration does not fit the grid (patch not dividing
    ///   the grid, patch grid not divisible by the window, heads not dividing `embed`, …).
    public init(configuration: SwinConfiguration, inputChannels: Int, outputChannels: Int, grid: EmulatorGrid,
                generator: Generator? = nil) throws {
        let c = configuration
        func fail(_ message: String) -> TorchError { TorchError(operation: "Swin", message: message) }
        guard inputChannels > 0, outputChannels > 0 else {
            throw fail("inputChannels \(inputChannels) and outputChannels \(outputChannels) must be positive")
        }
        guard c.embed > 0, c.heads > 0, c.embed % c.heads == 0 else {
            throw fail("heads \(c.heads) must divide embed \(c.embed) (both positive)")
        }
        guard c.depth >= 0 else { throw fail("depth \(c.depth) must not be negative") }
        guard c.window.count == 2, c.window.allSatisfy({ $0 > 0 }) else {
            throw fail("window \(c.window) must be [lat, lon] with positive sizes")
        }
        guard c.patch.count == 2, c.patch.allSatisfy({ $0 > 0 }) else {
            throw fail("patch \(c.patch) must be [lat, lon] with positive sizes")
        }
        let shape = grid.shape
        guard shape[0] % c.patch[0] == 0, shape[1] % c.patch[1] == 0 else {
            throw fail("grid \(shape[0])×\(shape[1]) is not divisible into patches \(c.patch[0])×\(c.patch[1])")
        }
        let tokens = [shape[0] / c.patch[0], shape[1] / c.patch[1]]
        guard tokens[0] % c.window[0] == 0, tokens[1] % c.window[1] == 0 else {
            throw fail("patch grid \(tokens[0])×\(tokens[1]) (grid \(shape[0])×\(shape[1]) in patches \(c.patch[0])×\(c.patch[1])) is not divisible by window \(c.window[0])×\(c.window[1])")
        }
        let mlpHidden = Int(Double(c.embed) * c.mlpRatio)
        guard mlpHidden > 0, c.positionBiasHidden > 0 else {
            throw fail("mlp_ratio \(c.mlpRatio) and position_bias_hidden \(c.positionBiasHidden) must give positive widths")
        }
        embedding = try Conv2d(inputChannels, c.embed, kernelSize: c.patch, stride: c.patch, generator: generator)
        blocks = try (0..<c.depth).map { i in
            let shift = i % 2 == 1 ? [c.window[0] / 2, c.window[1] / 2] : [0, 0]
            return try SwinBlock(embed: c.embed, heads: c.heads, mlpHidden: mlpHidden,
                                 positionBiasHidden: c.positionBiasHidden,
                                 windows: ShiftedWindows(grid: tokens, window: c.window, shift: shift),
                                 generator: generator)
        }
        head = try Linear(c.embed, outputChannels * c.patch[0] * c.patch[1], generator: generator)
        gridShape = shape
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        patch = c.patch
    }

    /// `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        let s = input.shape
        guard s.count == 4, s[1] == inputChannels, Array(s[2...]) == gridShape else {
            throw TorchError(operation: "Swin",
                             message: "input \(s): expected [batch, \(inputChannels), \(gridShape[0]), \(gridShape[1])]")
        }
        var x = try embedding(input).permute([0, 2, 3, 1])                   // [batch, lat', lon', embed]
        for block in blocks { x = try block(x) }
        let b = s[0], ty = gridShape[0] / patch[0], tx = gridShape[1] / patch[1]
        return try head(x).reshape([b, ty, tx, outputChannels, patch[0], patch[1]])
            .permute([0, 3, 1, 4, 2, 5])
            .reshape([b, outputChannels, gridShape[0], gridShape[1]])
    }
}
