import Foundation
import Torch

/// Swin V2's continuous relative position bias for one window: a small MLP (ReLU) maps the
/// log-spaced offset between two tokens, `sign(d)·log2(1 + |d|)/log2(8)` with `d` the offset
/// in patches scaled to ±8 across the window, to one logit bias per head, bounded by
/// `16·sigmoid`.
///
/// Parameters: `mlp.layers.0` `[hidden, 2]`, `mlp.layers.1` `[heads, hidden]` (with biases).
final class RelativePositionBias: Module {
    let mlp: MLP
    /// Log-spaced offsets `[dLat, dLon]` of every distinct offset, `[(2·wLat−1)·(2·wLon−1), 2]`
    /// (a constant, not state).
    let table: Tensor
    /// For each (query, key) token pair of a window, the row of `table`, `[tokens·tokens]`, int64.
    let index: Tensor
    let heads: Int
    let tokens: Int

    init(window: [Int], heads: Int, hidden: Int, generator: Generator?) throws {
        mlp = try MLP([2, hidden, heads], activation: .relu, generator: generator)
        self.heads = heads
        let wy = window[0], wx = window[1]
        tokens = wy * wx
        func logSpaced(_ d: Int, _ size: Int) -> Float {
            let scaled = size > 1 ? Double(d) / Double(size - 1) * 8 : 0
            let sign: Double = scaled > 0 ? 1 : (scaled < 0 ? -1 : 0)
            return Float(sign * log2(1 + abs(scaled)) / 3)
        }
        var values: [Float] = []
        for dy in -(wy - 1)...(wy - 1) {
            for dx in -(wx - 1)...(wx - 1) { values += [logSpaced(dy, wy), logSpaced(dx, wx)] }
        }
        table = try Tensor(values, shape: [values.count / 2, 2])
        var rows: [Int64] = []
        rows.reserveCapacity(tokens * tokens)
        for i in 0..<tokens {
            for j in 0..<tokens {
                let dy = i / wx - j / wx + wy - 1, dx = i % wx - j % wx + wx - 1
                rows.append(Int64(dy * (2 * wx - 1) + dx))
            }
        }
        index = try Tensor(rows, shape: [tokens * tokens])
    }

    /// The bias added to the attention logits, `[heads, tokens, tokens]`.
    func callAsFunction() throws -> Tensor {
        let perOffset = try mlp(table)                                   // [offsets, heads]
        let perPair = try perOffset.indexSelect(dim: 0, index: index)    // [tokens², heads]
        return try perPair.reshape([tokens, tokens, heads]).permute([2, 0, 1]).sigmoid() * 16
    }
}
