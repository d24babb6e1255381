import Foundation
internal import CPLplot

/// One line of a ``LinePlot``: points (x[i], y[i]) joined in order.
///
/// Non-finite points (and, on a log axis, non-positive ones) break the line into pieces.
public struct LineSeries: Sendable, Equatable {
    /// Abscissae.
    public var x: [Double]
    /// Ordinates, as many as ``x``.
    public var y: [Double]
    /// Legend text; `nil` leaves the series out of the legend.
    public var label: String?
    /// Colour; `nil` takes the next one of ``PlotColor/cycle``.
    public var color: PlotColor?
    /// Solid, dashed or dotted.
    public var dash: LineDash
    /// Line width in PLplot width units (1 is thin).
    public var width: Double

    /// A series of points (x[i], y[i]).
    public init(
        x: [Double], y: [Double], label: String? = nil, color: PlotColor? = nil,
        dash: LineDash = .solid, width: Double = 2
    ) {
        self.x = x
        self.y = y
        self.label = label
        self.color = color
        self.dash = dash
        self.width = width
    }
}

/// A line plot of one or more series (time series, skill curves, zonal-mean profiles)
/// written as a PNG.
///
/// ```swift
/// var plot = LinePlot(title: "Kinetic energy", xLabel: "day", yLabel: "KE (J m⁻²)")
/// plot.series.append(LineSeries(x: days, y: energy, label: "Plume"))
/// try plot.write(to: URL(fileURLWithPath: "ke.png"))
/// ```
public struct LinePlot: Sendable, Equatable {
    /// The lines, drawn in order.
    public var series: [LineSeries]
    /// Title above the plot.
    public var title: String
    /// Label under the x axis.
    public var xLabel: String
    /// Label left of the y axis.
    public var yLabel: String
    /// Logarithmic y axis (points with y ≤ 0 are skipped).
    public var logY: Bool
    /// Fixed x range; `nil` fits the data.
    public var xRange: ClosedRange<Double>?
    /// Fixed y range (in data units, also on a log axis); `nil` fits the data with a 5 %
    /// margin, or on a log axis the whole decades that hold it.
    public var yRange: ClosedRange<Double>?
    /// Spacing of labelled x ticks; `nil` lets PLplot choose.
    public var xTickSpacing: Double?
    /// Spacing of labelled y ticks (ignored on a log axis); `nil` lets PLplot choose.
    public var yTickSpacing: Double?
    /// Draws a light grid at the major ticks.
    public var showsGrid: Bool
    /// Where the legend goes (only labelled series appear in it).
    public var legend: LegendPlacement
    /// PNG size in pixels.
    public var size: PlotSize

    /// An empty plot; add ``series`` before writing.
    public init(
        series: [LineSeries] = [], title: String = "", xLabel: String = "", yLabel: String = "",
        logY: Bool = false, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
        xTickSpacing: Double? = nil, yTickSpacing: Double? = nil, showsGrid: Bool = true,
        legend: LegendPlacement = .topRight, size: PlotSize = .line
    ) {
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
        self.xRange = xRange
        self.yRange = yRange
        self.xTickSpacing = xTickSpacing
        self.yTickSpacing = yTickSpacing
        self.showsGrid = showsGrid
        self.legend = legend
        self.size = size
    }

    /// Zonal-mean profiles: value along x, latitude (−90…90°) up the y axis.
    ///
    /// - Parameters:
    ///   - latitudesDegrees: [nlat] latitudes, in any order.
    ///   - profiles: each a label and [nlat] values at those latitudes.
    ///   - valueLabel: x-axis label with units, such as "u (m s⁻¹)".
    public static func zonalMeanProfiles(
        latitudesDegrees: [Double], profiles: [(label: String?, values: [Double])],
        valueLabel: String, title: String = "", size: PlotSize = PlotSize(width: 600, height: 800)
    ) -> LinePlot {
        let finite = profiles.flatMap(\.values).filter(\.isFinite)
        let xRange = finite.min().flatMap { low in
            finite.max().map { high in widened(low, high, margin: 0.05) }
        }
        return LinePlot(
            series: profiles.map {
                LineSeries(x: $0.values, y: latitudesDegrees, label: $0.label)
            },
            title: title, xLabel: valueLabel, yLabel: "latitude (°)",
            xRange: xRange, yRange: -90...90, yTickSpacing: 30, legend: .topRight, size: size)
    }

    /// Draws the plot into a PNG at `url`, replacing any file there only once complete.
    ///
    /// Safe to call from any thread or task: all PLplot work in the process is serialised.
    /// - Throws: ``PlotError`` naming `url`'s path; nothing is left behind on failure.
    public func write(to url: URL) throws(PlotError) {
        let path = url.path
        let pieces = try validatedPieces(path: path)
        let (xr, yr) = try ranges(of: pieces, path: path)
        var colors: [PlotColor] = []
        var next = 0
        for line in series {
            if let color = line.color {
                colors.append(color)
            } else {
                colors.append(PlotColor.cycle[next % PlotColor.cycle.count])
                next += 1
            }
        }
        try PLplotSession.render(to: url, size: size, palette: PlotPalette(seriesColors: colors)) {
            () throws(PlotError) in
            try draw(pieces: pieces, xRange: xr, yRange: yr)
        }
    }

    /// The finite pieces of each series, in plot coordinates (log10 y on a log axis).
    private func validatedPieces(path: String) throws(PlotError) -> [[([Double], [Double])]] {
        guard !series.isEmpty else {
            throw .invalidInput(path: path, reason: "the line plot has no series")
        }
        var all: [[([Double], [Double])]] = []
        for (number, line) in series.enumerated() {
            guard line.x.count == line.y.count else {
                throw .invalidInput(
                    path: path,
                    reason: "series \(number) has \(line.x.count) x values but \(line.y.count) y values")
            }
            var pieces: [([Double], [Double])] = []
            var xs: [Double] = []
            var ys: [Double] = []
            for (x, y) in zip(line.x, line.y) {
                let plotted = logY ? (y > 0 ? log10(y) : .nan) : y
                if x.isFinite && plotted.isFinite {
                    xs.append(x)
                    ys.append(plotted)
                } else if !xs.isEmpty {
                    pieces.append((xs, ys))
                    xs = []
                    ys = []
                }
            }
            if !xs.isEmpty { pieces.append((xs, ys)) }
            all.append(pieces)
        }
        guard all.contains(where: { !$0.isEmpty }) else {
            throw .invalidInput(
                path: path,
                reason: logY ? "no series has a finite positive y value for the log axis"
                    : "no series has a finite point")
        }
        return all
    }

    /// The window in plot coordinates.
    private func ranges(
        of pieces: [[([Double], [Double])]], path: String
    ) throws(PlotError) -> (ClosedRange<Double>, ClosedRange<Double>) {
        let xs = pieces.joined().flatMap(\.0)
        let ys = pieces.joined().flatMap(\.1)
        let x = xRange ?? widened(xs.min() ?? 0, xs.max() ?? 1, margin: 0)
        let y: ClosedRange<Double>
        if let yRange {
            if logY {
                guard yRange.lowerBound > 0 else {
                    throw .invalidInput(path: path, reason: "a log y axis needs a positive yRange")
                }
                y = log10(yRange.lowerBound)...log10(yRange.upperBound)
            } else {
                y = yRange
            }
        } else if logY {
            // Whole decades: PLplot labels a log axis only at powers of ten.
            let low = (ys.min() ?? 0).rounded(.down)
            let high = (ys.max() ?? 1).rounded(.up)
            y = low...(high > low ? high : low + 1)
        } else {
            y = widened(ys.min() ?? 0, ys.max() ?? 1, margin: 0.05)
        }
        guard x.lowerBound < x.upperBound, y.lowerBound < y.upperBound,
            x.lowerBound.isFinite, x.upperBound.isFinite,
            y.lowerBound.isFinite, y.upperBound.isFinite
        else {
            throw .invalidInput(path: path, reason: "the axis ranges are empty or not finite")
        }
        return (x, y)
    }

    /// Called with the lock held, on an initialised stream.
    private func draw(
        pieces: [[([Double], [Double])]], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    ) throws(PlotError) {
        c_pladv(0)
        if legend == .outsideRight {
            c_plvpor(0.1, 0.58, 0.12, 0.9)
        } else {
            c_plvsta()
        }
        c_plwind(xRange.lowerBound, xRange.upperBound, yRange.lowerBound, yRange.upperBound)
        let xTick = xTickSpacing ?? 0
        let yTick = logY ? 0 : (yTickSpacing ?? 0)
        let logFlag = logY ? "l" : ""
        if showsGrid {
            c_plcol0(PlotPalette.grid)
            c_plwidth(1)
            c_plbox("g", xTick, 0, "g" + logFlag, yTick, 0)
        }
        for (number, line) in series.enumerated() {
            c_plcol0(PlotPalette.index(ofSeries: number))
            c_plwidth(line.width)
            c_pllsty(line.dash.plplotStyle)
            for (xs, ys) in pieces[number] {
                c_plline(PLINT(xs.count), xs, ys)
            }
        }
        c_pllsty(1)
        c_plwidth(1)
        c_plcol0(PlotPalette.foreground)
        c_plbox("bcnst", xTick, 0, "bcnstv" + logFlag, yTick, 0)
        c_pllab(xLabel, yLabel, title)
        try drawLegend()
    }

    /// The legend of the labelled series, if any and if wanted.
    private func drawLegend() throws(PlotError) {
        let position: Int32
        switch legend {
        case .hidden: return
        case .topRight: position = PL_POSITION_TOP | PL_POSITION_RIGHT
        case .topLeft: position = PL_POSITION_TOP | PL_POSITION_LEFT
        case .bottomRight: position = PL_POSITION_BOTTOM | PL_POSITION_RIGHT
        case .bottomLeft: position = PL_POSITION_BOTTOM | PL_POSITION_LEFT
        case .outsideRight: position = PL_POSITION_RIGHT
        }
        let labelled = series.indices.filter { series[$0].label != nil }
        guard !labelled.isEmpty else { return }
        let count = labelled.count
        let options = [PLINT](repeating: PLINT(PL_LEGEND_LINE), count: count)
        let textColors = [PLINT](repeating: PlotPalette.foreground, count: count)
        let lineColors = labelled.map { PlotPalette.index(ofSeries: $0) }
        let lineStyles = labelled.map { series[$0].dash.plplotStyle }
        let lineWidths = labelled.map { series[$0].width }
        let texts = labelled.map { series[$0].label ?? "" }
        var width: PLFLT = 0
        var height: PLFLT = 0
        try withCStringArray(texts) { (text) throws(PlotError) in
            c_pllegend(
                &width, &height,
                PLINT(PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX),
                PLINT(position | (legend == .outsideRight ? PL_POSITION_OUTSIDE : PL_POSITION_INSIDE) | PL_POSITION_VIEWPORT),
                0.02, 0.02, 0.08,
                PlotPalette.background, PlotPalette.foreground, 1,
                0, 0, PLINT(count), options,
                legend == .outsideRight ? 0.85 : 1.0, 0.9, 2.0, 0.0,
                textColors, text,
                nil, nil, nil, nil,
                lineColors, lineStyles, lineWidths,
                nil, nil, nil, nil)
        }
    }
}

/// `lower…upper` widened by `margin` of its span, or by ±1 (±10 %) when the span is zero.
func widened(_ lower: Double, _ upper: Double, margin: Double) -> ClosedRange<Double> {
    if lower < upper {
        let pad = (upper - lower) * margin
        return (lower - pad)...(upper + pad)
    }
    let pad = lower == 0 ? 1 : abs(lower) * 0.1
    return (lower - pad)...(upper + pad)
}
