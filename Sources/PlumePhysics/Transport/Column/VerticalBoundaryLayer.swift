import Foundation
import PlumeGrids

/// The boundary-layer height (CarbonBench's `blh`, m above the surface) of the reference
/// transport model: over land it follows local solar time — `nightHeight` until
/// `growthStartHour`, rising as a half sine to `dayHeight` midway to `collapseHour`, back to
/// `nightHeight` at `collapseHour` (default 300 m at night, 1500 m at 14 h); over the ocean it
/// is constant (`oceanHeight`). A cell's height is the land-fraction-weighted mean of the two.
///
/// Model time t: seconds since 00 UTC on 1 January; local solar time τ = t/3600 + λ/15°
/// (hours, modulo 24).
public struct VerticalBoundaryLayer: Sendable, Equatable {
    /// Land boundary-layer height at night, m.
    public var nightHeight: Double = 300
    /// Land boundary-layer height at its afternoon peak, m.
    public var dayHeight: Double = 1500
    /// Ocean boundary-layer height, m (all day).
    public var oceanHeight: Double = 600
    /// Local solar hour when the land boundary layer starts to grow.
    public var growthStartHour: Double = 8
    /// Local solar hour when it has collapsed back to the night height.
    public var collapseHour: Double = 20

    public init() {}

    /// Local solar time, hours in [0, 24), at longitude `longitude` (radians) and model time `time` (s).
    public static func localSolarHour(longitude: Double, time: Double) -> Double {
        var h = (time / 3600 + longitude * 12 / .pi).truncatingRemainder(dividingBy: 24)
        if h < 0 { h += 24 }
        return h
    }

    /// Land boundary-layer height at local solar hour `hour`, m.
    public func landHeight(localHour hour: Double) -> Double {
        guard hour > growthStartHour, hour < collapseHour, collapseHour > growthStartHour else { return nightHeight }
        let x = (hour - growthStartHour) / (collapseHour - growthStartHour)
        return nightHeight + (dayHeight - nightHeight) * sin(.pi * x)
    }

    /// Boundary-layer heights of every cell at model time `time` (s), m, `[lat, lon]`.
    public func heights(grid: TransportGrid, landFraction: [Double], time: Double) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var out = [Double](repeating: oceanHeight, count: grid.cellCount)
        for i in 0..<nlon {
            let land = landHeight(localHour: Self.localSolarHour(longitude: grid.centreLongitude(column: i), time: time))
            for j in 0..<nlat {
                let f = landFraction[j * nlon + i]
                out[j * nlon + i] = f * land + (1 - f) * oceanHeight
            }
        }
        return out
    }
}
