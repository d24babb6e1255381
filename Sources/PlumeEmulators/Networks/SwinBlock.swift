import Torch

/// One Swin V2 transformer block on a token grid `[batch, lat, lon, embed]`, res-post-norm:
///
///     x = x + norm1(attention(x))      // within (possibly shifted) windows
///     x = x + norm2(mlp(x))            // GELU MLP, per token
///
/// Parameters: `attention` (`WindowAttention`), `norm1`, `mlp.layers.0/1`, `norm2`.
final class SwinBlock: Module {
    let attention: WindowAttention
    let norm1: LayerNorm
    let mlp: MLP
    let norm2: LayerNorm
    let windows: ShiftedWindows
    /// `[windows, 1, tokens, tokens]` latitude mask of a shifted block, else nil (not state).
    let mask: Tensor?

    init(embed: Int, heads: Int, mlpHidden: Int, positionBiasHidden: Int, windows: ShiftedWindows,
         generator: Generator?) throws {
        attention = try WindowAttention(embed: embed, heads: heads, window: windows.window,
                                        positionBiasHidden: positionBiasHidden, generator: generator)
        norm1 = try LayerNorm([embed])
        mlp = try MLP([embed, mlpHidden, embed], activation: .gelu, generator: generator)
        norm2 = try LayerNorm([embed])
        self.windows = windows
        mask = try windows.latitudeMask()
    }

    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let shift = windows.shift, shifted = shift != [0, 0]
        let rolled = shifted ? try x.roll(shifts: [-shift[0], -shift[1]], dims: [1, 2]) : x
        let attended = try windows.merge(attention(windows.partition(rolled), mask: mask))
        let restored = shifted ? try attended.roll(shifts: shift, dims: [1, 2]) : attended
        let y = try x + norm1(restored)
        return try y + norm2(mlp(y))
    }
}
