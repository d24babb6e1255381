import PlumeGrids

/// One instant of driving meteorology on a `TransportGrid` and a set of `HybridLevels`.
///
/// Layouts follow the transport model: cell fields `[lat, lon]` row-major, rows south to
/// north, columns eastward from `TransportGrid.firstWestEdge`; layer fields
/// `[level, lat, lon]` with level 0 the lowest layer of the `HybridLevels`.
public struct TransportMeteorologyRecord: Sendable, Equatable {
    /// Model time, s: seconds since 1 January 00 UTC of the year of the source's first
    /// record (`TransportMeteorologySource.startYear`), counting on across year ends.
    public var time: Double
    /// Surface pressure, Pa, `[lat, lon]` (nlat·nlon values).
    public var surfacePressure: [Double]
    /// Pressure-weighted layer-mean eastward wind, m s⁻¹, `[level, lat, lon]`
    /// (levels.count·nlat·nlon values), level 0 the lowest layer.
    public var eastwardWind: [Double]
    /// Pressure-weighted layer-mean northward wind, m s⁻¹, `[level, lat, lon]`, level 0 the lowest layer.
    public var northwardWind: [Double]

    public init(time: Double, surfacePressure: [Double], eastwardWind: [Double], northwardWind: [Double]) {
        self.time = time
        self.surfacePressure = surfacePressure
        self.eastwardWind = eastwardWind
        self.northwardWind = northwardWind
    }
}
