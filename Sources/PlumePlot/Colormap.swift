/// A continuous colour map: colours at positions 0…1, interpolated linearly in RGB.
///
/// ``isDiverging`` maps are centred on zero by ``MapPlot`` when it picks the value range
/// itself (vorticity, anomalies); sequential maps span the data's minimum to maximum.
public struct Colormap: Sendable, Equatable {
    /// Control points: position in 0…1 (increasing, first 0, last 1) and colour.
    public var stops: [(position: Double, color: PlotColor)] {
        zip(positions, colors).map { ($0, $1) }
    }
    /// Whether the map has a neutral middle (blue–white–red): ranges are made symmetric.
    public var isDiverging: Bool

    let positions: [Double]
    let colors: [PlotColor]

    /// A map from colours spaced evenly over 0…1 (at least two colours).
    public init(colors: [PlotColor], isDiverging: Bool) {
        let count = max(colors.count, 2)
        let used = colors.count >= 2 ? colors : [colors.first ?? .black, colors.first ?? .white]
        self.positions = (0..<count).map { Double($0) / Double(count - 1) }
        self.colors = used
        self.isDiverging = isDiverging
    }

    public static func == (lhs: Colormap, rhs: Colormap) -> Bool {
        lhs.positions == rhs.positions && lhs.colors == rhs.colors
            && lhs.isDiverging == rhs.isDiverging
    }

    /// ColorBrewer RdBu reversed: blue (negative) – white – red (positive). For vorticity.
    public static let blueWhiteRed = Colormap(
        colors: [0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
                 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f].map { PlotColor(hex: $0) },
        isDiverging: true)

    /// Matplotlib's viridis (sampled at 9 points). Sequential; the default.
    public static let viridis = Colormap(
        colors: [0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c,
                 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725].map { PlotColor(hex: $0) },
        isDiverging: false)

    /// ColorBrewer YlOrRd: light yellow to dark red. Sequential, for concentrations (CO2).
    public static let yellowOrangeRed = Colormap(
        colors: [0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c,
                 0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026].map { PlotColor(hex: $0) },
        isDiverging: false)

    /// Greys from white to black. Sequential.
    public static let grey = Colormap(colors: [.white, .black], isDiverging: false)
}
