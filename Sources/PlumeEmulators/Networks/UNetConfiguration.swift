/// Size and shape of a `UNet` (CarbonBench's U-Net; size ladder `embed` 64 … 1024).
///
/// Every key is optional in a model file; a missing key keeps the default shown.
public struct UNetConfiguration: Codable, Sendable, Equatable {
    /// Channels of the first (finest) level; each downsampling doubles them. Default 64.
    public var embed: Int = 64
    /// Number of 2× downsamplings (levels below the finest). Default 3.
    public var depth: Int = 3
    /// Residual blocks (conv → LeakyReLU → BatchNorm) per level on each side. Default 1.
    public var blocks: Int = 1
    /// Grid `[lat, lon]` the network resizes its input to and its output back from
    /// (bilinear); `[]` works on the data grid. CarbonBench uses `[48, 80]` at LowRes.
    public var resize: [Int] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case embed, depth, blocks, resize
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UNetConfiguration()
        embed = try c.decodeIfPresent(Int.self, forKey: .embed) ?? d.embed
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
        blocks = try c.decodeIfPresent(Int.self, forKey: .blocks) ?? d.blocks
        resize = try c.decodeIfPresent([Int].self, forKey: .resize) ?? d.resize
    }
}
