/// Size and shape of a `Swin` transformer (shifted-window attention, scaled-cosine
/// attention with a continuous log-spaced relative position bias, res-post-norm; CarbonBench's
/// ladder (embed, depth): (256, 8), (512, 12), (768, 12) …).
///
/// Every key is optional in a model file; a missing key keeps the default shown.
public struct SwinConfiguration: Codable, Sendable, Equatable {
    /// Token width. Default 128.
    public var embed: Int = 128
    /// Number of transformer blocks; odd blocks use shifted windows. Default 4.
    public var depth: Int = 4
    /// Attention heads (must divide `embed`). Default 4.
    public var heads: Int = 4
    /// Window `[lat, lon]` in patches. Default `[4, 8]`.
    public var window: [Int] = [4, 8]
    /// Patch `[lat, lon]` in grid cells. Default `[1, 1]`.
    public var patch: [Int] = [1, 1]
    /// Hidden width of each block's MLP as a multiple of `embed`. Default 4.
    public var mlpRatio: Double = 4
    /// Hidden width of the small MLP that turns log-spaced relative coordinates into the
    /// per-head attention bias (Swin V2's continuous position bias). Default 512.
    public var positionBiasHidden: Int = 512

    public init() {}

    enum CodingKeys: String, CodingKey {
        case embed, depth, heads, window, patch
        case mlpRatio = "mlp_ratio"
        case positionBiasHidden = "position_bias_hidden"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SwinConfiguration()
        embed = try c.decodeIfPresent(Int.self, forKey: .embed) ?? d.embed
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        window = try c.decodeIfPresent([Int].self, forKey: .window) ?? d.window
        patch = try c.decodeIfPresent([Int].self, forKey: .patch) ?? d.patch
        mlpRatio = try c.decodeIfPresent(Double.self, forKey: .mlpRatio) ?? d.mlpRatio
        positionBiasHidden = try c.decodeIfPresent(Int.self, forKey: .positionBiasHidden) ?? d.positionBiasHidden
    }
}
