import Foundation
import Torch

/// Multi-head scaled-cosine self-attention within windows (Swin V2): queries and keys are
/// L2-normalised, their cosine similarity is multiplied by a learned per-head logit scale
/// (`exp(min(logit_scale, log 100))`) and offset by the continuous relative position bias.
///
/// Parameters: `qkv` `[3·embed, embed]`, `proj` `[embed, embed]`, `logit_scale`
/// `[heads, 1, 1]` (initially log 10), `cpb` (`RelativePositionBias`).
final class WindowAttention: Module {
    let qkv: Linear
    let proj: Linear
    @Parameter var logitScale: Tensor
    let cpb: RelativePositionBias
    let heads: Int

    /// Norms below this are clamped before dividing (as `F.normalize`).
    static let normEpsilon = 1e-12
    /// Upper bound of the learned logit scale, as a logarithm.
    static let maximumLogitScale = log(100.0)

    init(embed: Int, heads: Int, window: [Int], positionBiasHidden: Int, generator: Generator?) throws {
        qkv = try Linear(embed, 3 * embed, generator: generator)
        proj = try Linear(embed, embed, generator: generator)
        _logitScale = Parameter(wrappedValue: try Tensor.full([heads, 1, 1], log(10.0)), name: "logit_scale")
        cpb = try RelativePositionBias(window: window, heads: heads, hidden: positionBiasHidden, generator: generator)
        self.heads = heads
    }

    /// `[batch, windows, tokens, embed]` → same shape. `mask`: boolean, broadcastable to
    /// `[batch, windows, heads, tokens, tokens]`, `true` where a query may attend to a key.
    func callAsFunction(_ x: Tensor, mask: Tensor?) throws -> Tensor {
        let s = x.shape, c = s[3]
        let parts = try qkv(x).reshape([s[0], s[1], s[2], 3, heads, c / heads]).permute([3, 0, 1, 4, 2, 5])
        let q = try parts.select(dim: 0, index: 0), k = try parts.select(dim: 0, index: 1)
        let v = try parts.select(dim: 0, index: 2)                      // [batch, windows, heads, tokens, d]
        let scale = try logitScale.clamp(max: Self.maximumLogitScale).exp()
        let query = try q / q.norm(dims: [-1], keepDim: true).clamp(min: Self.normEpsilon) * scale
        let key = try k / k.norm(dims: [-1], keepDim: true).clamp(min: Self.normEpsilon)
        let attended = try Tensor.scaledDotProductAttention(query: query, key: key, value: v, bias: cpb(),
                                                            mask: mask, scale: 1)
        return try proj(attended.permute([0, 1, 3, 2, 4]).reshape(s))
    }
}
