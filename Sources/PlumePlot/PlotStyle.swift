/// The pixel size of a PNG figure.
public struct PlotSize: Sendable, Equatable, Hashable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// A figure `width` × `height` pixels.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// 1000 × 600, for line plots.
    public static let line = PlotSize(width: 1000, height: 600)
    /// 1200 × 600, for global lat-lon maps (2:1 plus room for the colour bar).
    public static let map = PlotSize(width: 1200, height: 600)

    /// Smallest and largest side PLplot is asked to draw.
    static let allowedSides = 16...20_000
}

/// An opaque RGB colour.
public struct PlotColor: Sendable, Equatable, Hashable {
    /// Red, 0–255.
    public var red: UInt8
    /// Green, 0–255.
    public var green: UInt8
    /// Blue, 0–255.
    public var blue: UInt8

    /// A colour from 0–255 components.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from a 24-bit hex value such as `0x1f77b4`.
    public init(hex: UInt32) {
        self.init(
            red: UInt8((hex >> 16) & 0xff), green: UInt8((hex >> 8) & 0xff), blue: UInt8(hex & 0xff))
    }

    public static let white = PlotColor(hex: 0xffffff)
    public static let black = PlotColor(hex: 0x000000)

    /// Matplotlib's "tab10" cycle: the series colours used when a series names none.
    public static let cycle: [PlotColor] = [
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
    ].map { PlotColor(hex: $0) }
}

/// How a line is drawn.
public enum LineDash: Sendable, Equatable, Hashable {
    case solid
    case dashed
    case dotted

    /// PLplot's predefined line style (`pllsty`).
    var plplotStyle: Int32 {
        switch self {
        case .solid: return 1
        case .dashed: return 3
        case .dotted: return 2
        }
    }
}

/// A corner of the plot area for the legend, or no legend.
public enum LegendPlacement: Sendable, Equatable, Hashable {
    case topRight, topLeft, bottomRight, bottomLeft
    /// To the right of the plot area, which narrows to make room (for many series, or
    /// curves that fill every corner).
    case outsideRight
    case hidden
}
