/// Size and shape of a `UNet` (CarbonBench's U-Net; size ladder `embed` 64 … 1024).
///
/// Every key is optional in a model file; a missing key keeps the default shown.
/// CarbonBench's own network keeps the width constant over the levels (`channel_multiplier: 1`)
/// with `blocks: 2`, `stem_kernel: 7`, `kernel: 3`, `depth: 3`.
public struct UNetConfiguration: Codable, Sendable, Equatable {
    /// Channels of the first (finest) level; each downsampling multiplies them by
    /// `channelMultiplier`. Default 64.
    public var embed: Int = 64
    /// Number of 2× downsamplings (levels below the finest). Default 3.
    public var depth: Int = 3
    /// Residual blocks (conv → LeakyReLU → BatchNorm) per level on each side. Default 1.
    public var blocks: Int = 1
    /// Grid `[lat, lon]` the network resizes its input to and its output back from
    /// (bilinear); `[]` works on the data grid. CarbonBench uses `[48, 80]` at LowRes.
    public var resize: [Int] = []
    /// Factor by which each downsampling multiplies the channels (1 keeps `embed` on every
    /// level, as CarbonBench does). Default 2.
    public var channelMultiplier: Int = 2
    /// Side of the square convolution kernel of the residual blocks, odd. Default 3.
    public var kernel: Int = 3
    /// Side of the kernel of the first block (input channels → `embed`), odd. Default 7.
    public var stemKernel: Int = 7
    /// How the convolutions pad latitude: `"zeros"` (CarbonBench: the poles are edges) or
    /// `"poles"` (the rows beyond a pole are those across it, shifted by 180° of longitude:
    /// `ConvolutionPadding.acrossPoles`; needs an even number of longitudes at every level).
    /// Longitude always wraps. Default `"zeros"`.
    public var latitudePadding: String = "zeros"

    /// The values `latitudePadding` takes.
    public static let latitudePaddings = ["zeros", "poles"]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case embed, depth, blocks, resize, kernel
        case channelMultiplier = "channel_multiplier"
        case stemKernel = "stem_kernel"
        case latitudePadding = "latitude_padding"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UNetConfiguration()
        embed = try c.decodeIfPresent(Int.self, forKey: .embed) ?? d.embed
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
        blocks = try c.decodeIfPresent(Int.self, forKey: .blocks) ?? d.blocks
        resize = try c.decodeIfPresent([Int].self, forKey: .resize) ?? d.resize
        channelMultiplier = try c.decodeIfPresent(Int.self, forKey: .channelMultiplier) ?? d.channelMultiplier
        kernel = try c.decodeIfPresent(Int.self, forKey: .kernel) ?? d.kernel
        stemKernel = try c.decodeIfPresent(Int.self, forKey: .stemKernel) ?? d.stemKernel
        latitudePadding = try c.decodeIfPresent(String.self, forKey: .latitudePadding) ?? d.latitudePadding
    }
}
