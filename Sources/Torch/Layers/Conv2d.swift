/// How `Conv2d` fills the border it pads.
public enum ConvolutionPadding: Sendable, Equatable {
    /// Zeros on every side (PyTorch's `padding_mode="zeros"`).
    case constant
    /// Mirror without repeating the edge, on every side.
    case reflect
    /// Repeat the edge value, on every side.
    case replicate
    /// Wrap around in both height and width (PyTorch's `padding_mode="circular"`): a torus.
    /// Not for a latitude–longitude grid, whose latitude does not wrap; use `.longitudeCircular`.
    case circular
    /// Wrap around in width only (longitude periodicity on a `[…, lat, lon]` grid) and pad
    /// height (latitude) with zeros, as the poles are edges, not neighbours of each other.
    case longitudeCircular
    /// Wrap around in width (longitude) and continue over the poles in height: the rows padded
    /// beyond the first (last) row are the first (last) rows in reverse order, shifted by half
    /// the width, which is where a step over the pole lands on a `[…, lat, lon]` grid whose
    /// rows are cell centres (no row on a pole). Needs an even width and a height of at least
    /// the padding. Channels are treated as scalars (a vector component's sign is not flipped).
    case acrossPoles

    var tensorMode: PaddingMode? {
        switch self {
        case .constant: nil
        case .reflect: .reflect
        case .replicate: .replicate
        case .circular: .circular
        case .longitudeCircular, .acrossPoles: nil
        }
    }
}

/// 2-D convolution of [batch, inChannels, height, width] → [batch, outChannels, h', w'].
///
/// `padding` is `[height, width]`; `paddingMode` says how the border is filled. On a
/// latitude–longitude grid (`[…, lat, lon]`) use `.longitudeCircular` (longitude wraps,
/// latitude is padded with zeros) or `.acrossPoles` (longitude wraps, latitude continues over
/// the poles).
public final class Conv2d: Layer {
    /// [outChannels, inChannels / groups, kernelHeight, kernelWidth]
    @Parameter public var weight: Tensor
    /// [outChannels]
    @Parameter public var bias: Tensor?
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let groups: Int
    public let paddingMode: ConvolutionPadding

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                dilation: [Int] = [1, 1], groups: Int = 1, bias: Bool = true, paddingMode: ConvolutionPadding = .constant,
                generator: Generator? = nil) throws(TorchError) {
        let k = pair(kernelSize)
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError(operation: "Conv2d", message: "channels \(inChannels)→\(outChannels) are not divisible by groups \(groups)")
        }
        let bound = Initialization.fanInBound(inChannels / groups * k[0] * k[1])
        weight = try Initialization.uniform([outChannels, inChannels / groups, k[0], k[1]], bound: bound, generator: generator)
        self.bias = bias ? try Initialization.uniform([outChannels], bound: bound, generator: generator) : nil
        self.stride = pair(stride)
        self.padding = pair(padding)
        self.dilation = pair(dilation)
        self.groups = groups
        self.paddingMode = paddingMode
    }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        switch paddingMode {
        case .constant:
            return try input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        case .longitudeCircular, .acrossPoles:
            // Latitude: rows across the poles added here, or zeros added by conv2d's padding.
            let overPoles = paddingMode == .acrossPoles
            let filled = overPoles ? try Self.padAcrossPoles(input, rows: padding[0]) : input
            let wrapped = padding[1] > 0 ? try filled.pad([padding[1], padding[1], 0, 0], mode: .circular) : filled
            return try wrapped.conv2d(weight: weight, bias: bias, stride: stride, padding: [overPoles ? 0 : padding[0], 0],
                                      dilation: dilation, groups: groups)
        case .reflect, .replicate, .circular:
            let mode = paddingMode.tensorMode ?? .constant
            let padded = try input.pad([padding[1], padding[1], padding[0], padding[0]], mode: mode)
            return try padded.conv2d(weight: weight, bias: bias, stride: stride, padding: [0, 0], dilation: dilation, groups: groups)
        }
    }

    /// `[…, lat, lon]` → `[…, lat + 2·rows, lon]`: `rows` rows continued over each pole (see
    /// `ConvolutionPadding.acrossPoles`).
    static func padAcrossPoles(_ input: Tensor, rows: Int) throws(TorchError) -> Tensor {
        guard rows > 0 else { return input }
        let shape = input.shape
        guard shape.count >= 2 else {
            throw TorchError(operation: "Conv2d(acrossPoles)", message: "needs [..., lat, lon], got \(shape)")
        }
        let height = shape[shape.count - 2], width = shape[shape.count - 1]
        guard width % 2 == 0, height >= rows else {
            throw TorchError(operation: "Conv2d(acrossPoles)",
                             message: "needs an even number of longitudes and at least \(rows) latitude row(s), got \(height) × \(width)")
        }
        let latitude = shape.count - 2, longitude = shape.count - 1
        let north = try input.narrow(dim: latitude, start: 0, length: rows).flip(dims: [latitude])
            .roll(shifts: [width / 2], dims: [longitude])
        let south = try input.narrow(dim: latitude, start: height - rows, length: rows).flip(dims: [latitude])
            .roll(shifts: [width / 2], dims: [longitude])
        return try Tensor.cat([north, input, south], dim: latitude)
    }
}
