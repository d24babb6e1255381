import Foundation
internal import CPLplot

/// A field on a regular latitude-longitude grid, shaded over −180…360° longitude with a
/// colour bar and, optionally, continent outlines; written as a PNG.
///
/// ```swift
/// let plot = MapPlot(
///     field: vorticity, latitudesDegrees: lats, longitudesDegrees: lons,
///     title: "Relative vorticity, day 6", units: "s⁻¹", colormap: .blueWhiteRed)
/// try plot.write(to: URL(fileURLWithPath: "vorticity-day6.png"))
/// ```
///
/// Shading is filled contours between ``levelCount`` + 1 equally spaced levels
/// (`plshades`); values outside ``valueRange`` take its end colours, NaN is left blank.
public struct MapPlot: Sendable, Equatable {
    /// The field, [nlat, nlon] row-major: `field[i * nlon + j]` sits at
    /// (`latitudesDegrees[i]`, `longitudesDegrees[j]`).
    public var field: [Double]
    /// [nlat] latitudes in degrees, strictly increasing or strictly decreasing.
    public var latitudesDegrees: [Double]
    /// [nlon] longitudes in degrees, strictly increasing (0…360 or −180…180).
    /// A grid that goes once round the globe is closed across the seam.
    public var longitudesDegrees: [Double]
    /// Title above the map.
    public var title: String
    /// Units, written along the colour bar.
    public var units: String
    /// Colours; a diverging map centres an automatic ``valueRange`` on zero.
    public var colormap: Colormap
    /// Values at the two ends of the colour bar; `nil`: the data's range (symmetric
    /// about zero for a diverging ``colormap``).
    public var valueRange: ClosedRange<Double>?
    /// Number of colour bands. An odd number (the default, 21) gives a diverging map a
    /// neutral band straddling zero.
    public var levelCount: Int
    /// Draws continent outlines from PLplot's map data (Debian `libplplot-data`).
    public var showsCoastlines: Bool
    /// PNG size in pixels.
    public var size: PlotSize

    /// A map of `field` ([nlat, nlon], row-major) on the given latitudes and longitudes.
    public init(
        field: [Double], latitudesDegrees: [Double], longitudesDegrees: [Double],
        title: String = "", units: String = "", colormap: Colormap = .viridis,
        valueRange: ClosedRange<Double>? = nil, levelCount: Int = 21,
        showsCoastlines: Bool = true, size: PlotSize = .map
    ) {
        self.field = field
        self.latitudesDegrees = latitudesDegrees
        self.longitudesDegrees = longitudesDegrees
        self.title = title
        self.units = units
        self.colormap = colormap
        self.valueRange = valueRange
        self.levelCount = levelCount
        self.showsCoastlines = showsCoastlines
        self.size = size
    }

    /// PLplot's continent outlines: coarse `cglobe` (Debian `libplplot-data`).
    static let coastlineMap = "cglobe"

    /// Draws the map into a PNG at `url`, replacing any file there only once complete.
    ///
    /// Safe to call from any thread or task: all PLplot work in the process is serialised.
    /// - Throws: ``PlotError`` naming `url`'s path; nothing is left behind on failure.
    public func write(to url: URL) throws(PlotError) {
        let grid = try prepared(path: url.path)
        try PLplotSession.render(to: url, size: size, palette: PlotPalette()) {
            () throws(PlotError) in
            try draw(grid)
        }
    }

    /// The field as PLplot wants it, with everything checked.
    struct PreparedGrid {
        /// [nx][ny] values, x = longitude, stored column after column (`values[i * ny + j]`).
        var values: [Double]
        /// [nx] increasing longitudes (one more than the input when closed across the seam).
        var longitudes: [Double]
        /// [ny] increasing latitudes.
        var latitudes: [Double]
        /// Level edges, levelCount + 1, increasing.
        var levels: [Double]
    }

    private func prepared(path: String) throws(PlotError) -> PreparedGrid {
        let nlat = latitudesDegrees.count
        let nlon = longitudesDegrees.count
        guard nlat >= 2, nlon >= 2 else {
            throw .invalidInput(
                path: path, reason: "a map needs at least 2 latitudes and 2 longitudes, got \(nlat)×\(nlon)")
        }
        guard field.count == nlat * nlon else {
            throw .invalidInput(
                path: path,
                reason: "field has \(field.count) values, expected nlat × nlon = \(nlat) × \(nlon) = \(nlat * nlon)")
        }
        guard (1...1000).contains(levelCount) else {
            throw .invalidInput(path: path, reason: "levelCount \(levelCount) is not in 1…1000")
        }
        guard latitudesDegrees.allSatisfy({ $0.isFinite && abs($0) <= 90 }),
            longitudesDegrees.allSatisfy(\.isFinite)
        else {
            throw .invalidInput(path: path, reason: "latitudes must be finite within ±90°, longitudes finite")
        }
        guard zip(longitudesDegrees, longitudesDegrees.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidInput(path: path, reason: "longitudes must be strictly increasing")
        }
        let increasing = zip(latitudesDegrees, latitudesDegrees.dropFirst()).allSatisfy { $0 < $1 }
        let decreasing = zip(latitudesDegrees, latitudesDegrees.dropFirst()).allSatisfy { $0 > $1 }
        guard increasing || decreasing else {
            throw .invalidInput(path: path, reason: "latitudes must be strictly increasing or decreasing")
        }
        let range = try levelRange(path: path)

        let rows = increasing ? Array(0..<nlat) : Array((0..<nlat).reversed())
        var columns = Array(0..<nlon)
        var longitudes = longitudesDegrees
        let spacing = (longitudesDegrees[nlon - 1] - longitudesDegrees[0]) / Double(nlon - 1)
        let span = longitudesDegrees[nlon - 1] - longitudesDegrees[0] + spacing
        if abs(span - 360) < 0.01 * spacing {
            columns.append(0)
            longitudes.append(longitudesDegrees[0] + 360)
        }
        // Outside the levels plshades fills nothing: clamp to the range, NaN well below it.
        let blank = range.lowerBound - (range.upperBound - range.lowerBound)
        var values = [Double](repeating: blank, count: columns.count * nlat)
        for (i, column) in columns.enumerated() {
            for (j, row) in rows.enumerated() {
                let value = field[row * nlon + column]
                if !value.isNaN {
                    values[i * nlat + j] = min(max(value, range.lowerBound), range.upperBound)
                }
            }
        }
        let levels = (0...levelCount).map {
            range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(levelCount)
        }
        return PreparedGrid(
            values: values, longitudes: longitudes, latitudes: rows.map { latitudesDegrees[$0] },
            levels: levels)
    }

    /// The values at the ends of the colour bar.
    private func levelRange(path: String) throws(PlotError) -> ClosedRange<Double> {
        if let valueRange {
            guard valueRange.lowerBound < valueRange.upperBound,
                valueRange.lowerBound.isFinite, valueRange.upperBound.isFinite
            else {
                throw .invalidInput(path: path, reason: "valueRange \(valueRange) is empty or not finite")
            }
            return valueRange
        }
        let finite = field.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            throw .invalidInput(path: path, reason: "the field has no finite value")
        }
        if colormap.isDiverging {
            let extent = max(abs(low), abs(high))
            return extent > 0 ? -extent...extent : -1...1
        }
        return widened(low, high, margin: 0)
    }

    /// Called with the lock held, on an initialised stream.
    private func draw(_ grid: PreparedGrid) throws(PlotError) {
        let west = grid.longitudes[0]
        let east = grid.longitudes[grid.longitudes.count - 1]
        let south = grid.latitudes[0]
        let north = grid.latitudes[grid.latitudes.count - 1]
        c_pladv(0)
        c_plvpas(0.09, 0.84, 0.12, 0.9, (north - south) / (east - west))
        c_plwind(west, east, south, north)
        setColormap()

        var longitudes = grid.longitudes
        var latitudes = grid.latitudes
        let nx = PLINT(longitudes.count)
        let ny = PLINT(latitudes.count)
        grid.values.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return }
            let columns: [UnsafePointer<PLFLT>?] = (0..<Int(nx)).map { base + $0 * Int(ny) }
            longitudes.withUnsafeMutableBufferPointer { xg in
                latitudes.withUnsafeMutableBufferPointer { yg in
                    var coordinates = PLcGrid(
                        xg: xg.baseAddress, yg: yg.baseAddress, zg: nil, nx: nx, ny: ny, nz: 0)
                    withUnsafeMutablePointer(to: &coordinates) { transform in
                        c_plshades(
                            columns, nx, ny, nil, west, east, south, north,
                            grid.levels, PLINT(grid.levels.count), 1,
                            0, 0, c_plfill, 1, pltr1, UnsafeMutableRawPointer(transform))
                    }
                }
            }
        }

        c_plcol0(PlotPalette.foreground)
        c_plwidth(1)
        if showsCoastlines {
            c_plmap(nil, Self.coastlineMap, west, east, south, north)
        }
        let xTick: Double = east - west > 180 ? 60 : 0
        let yTick: Double = north - south > 90 ? 30 : 0
        c_plbox("bcnst", xTick, 0, "bcnstv", yTick, 0)
        c_pllab("longitude (°)", "latitude (°)", title)
        try drawColorBar(levels: grid.levels)
    }

    /// Loads ``colormap`` into cmap1.
    private func setColormap() {
        let positions = colormap.positions
        let red = colormap.colors.map { Double($0.red) / 255 }
        let green = colormap.colors.map { Double($0.green) / 255 }
        let blue = colormap.colors.map { Double($0.blue) / 255 }
        let alpha = [Double](repeating: 1, count: positions.count)
        c_plscmap1n(256)
        c_plscmap1la(1, PLINT(positions.count), positions, red, green, blue, alpha, nil)
    }

    /// A vertical colour bar right of the map, units along its right side.
    private func drawColorBar(levels: [Double]) throws(PlotError) {
        var width: PLFLT = 0
        var height: PLFLT = 0
        let labelOptions = [PLINT(PL_COLORBAR_LABEL_RIGHT)]
        let ticks: [PLFLT] = [0]
        let subTicks: [PLINT] = [0]
        let valueCounts = [PLINT(levels.count)]
        try withCStringArray([units]) { (labels) throws(PlotError) in
            try withCStringArray(["bcvtm"]) { (axisOptions) throws(PlotError) in
                levels.withUnsafeBufferPointer { values in
                    let valueArrays: [UnsafePointer<PLFLT>?] = [values.baseAddress]
                    c_plcolorbar(
                        &width, &height,
                        PLINT(PL_COLORBAR_SHADE),
                        PLINT(PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT),
                        0.02, 0, 0.03, 1,
                        PlotPalette.background, PlotPalette.foreground, 1,
                        0, 0, 0, 0,
                        1, labelOptions, labels,
                        1, axisOptions, ticks, subTicks,
                        valueCounts, valueArrays)
                }
            }
        }
    }
}
