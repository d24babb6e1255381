/// A regular latitude-longitude grid: `latitudeCount` rows of `longitudeCount` cells, cell
/// centres at `firstLatitude + i·latitudeStep`, `firstLongitude + j·longitudeStep`
/// (degrees; either step may be negative, e.g. ERA5's north-to-south latitudes).
///
/// Cell bounds lie halfway between centres; the outer latitude bounds are half a step
/// beyond the outer centres, clamped to ±90, so a grid with pole points (ERA5 0.25°:
/// 721 rows from 90 to −90) has half cells at the poles. Values are `[lat, lon]`.
public struct RegularLatLonGrid: BandedGrid, Equatable {
    public let name: String
    public let firstLatitude: Double
    public let latitudeStep: Double
    public let latitudeCount: Int
    public let firstLongitude: Double
    public let longitudeStep: Double
    public let longitudeCount: Int
    public let rows: [CellRow]

    public init(name: String, firstLatitude: Double, latitudeStep: Double, latitudeCount: Int,
                firstLongitude: Double, longitudeStep: Double, longitudeCount: Int) throws(GridError) {
        guard latitudeCount > 0, longitudeCount > 0 else {
            throw .invalidDefinition(source: name, key: "count", reason: "needs at least one latitude and one longitude, got \(latitudeCount)×\(longitudeCount)")
        }
        guard latitudeStep != 0 || latitudeCount == 1, longitudeStep != 0 else {
            throw .invalidDefinition(source: name, key: "step", reason: "steps must not be zero")
        }
        let lastLatitude = firstLatitude + Double(latitudeCount - 1) * latitudeStep
        guard abs(firstLatitude) <= 90 + 1e-9, abs(lastLatitude) <= 90 + 1e-9 else {
            throw .invalidDefinition(source: name, key: "latitudes", reason: "latitudes \(firstLatitude)…\(lastLatitude) leave [−90, 90]")
        }
        guard abs(longitudeStep) * Double(longitudeCount) <= 360 + 1e-9 else {
            throw .invalidDefinition(source: name, key: "longitudes", reason: "\(longitudeCount) longitudes of \(longitudeStep)° exceed 360°")
        }
        self.name = name
        self.firstLatitude = firstLatitude
        self.latitudeStep = latitudeStep
        self.latitudeCount = latitudeCount
        self.firstLongitude = firstLongitude
        self.longitudeStep = longitudeStep
        self.longitudeCount = longitudeCount
        let width = abs(longitudeStep)
        let direction = longitudeStep > 0 ? 1 : -1
        let west = firstLongitude - direction_sign(direction) * width / 2
        let halfStep = abs(latitudeStep) / 2
        var rows: [CellRow] = []
        rows.reserveCapacity(latitudeCount)
        for i in 0..<latitudeCount {
            let centre = firstLatitude + Double(i) * latitudeStep
            let south = max(-90, centre - (latitudeCount == 1 ? 0 : halfStep))
            let north = min(90, centre + (latitudeCount == 1 ? 0 : halfStep))
            rows.append(CellRow(south: south, north: north, west: west,
                                width: width, count: longitudeCount, firstCell: i * longitudeCount,
                                centreLatitude: centre, direction: direction))
        }
        self.rows = rows
    }

    /// A global grid of `latitudeCount × longitudeCount` cells without pole points:
    /// latitudes from −90 + Δ/2 to 90 − Δ/2 (south to north), longitudes from 0.
    public static func global(name: String, latitudeCount: Int, longitudeCount: Int) throws(GridError) -> RegularLatLonGrid {
        let dlat = 180 / Double(latitudeCount)
        return try RegularLatLonGrid(name: name, firstLatitude: -90 + dlat / 2, latitudeStep: dlat, latitudeCount: latitudeCount,
                                     firstLongitude: 0, longitudeStep: 360 / Double(longitudeCount), longitudeCount: longitudeCount)
    }

    public var shape: [Int] { [latitudeCount, longitudeCount] }

    /// Centre latitudes in storage order, degrees.
    public var latitudes: [Double] { (0..<latitudeCount).map { firstLatitude + Double($0) * latitudeStep } }
    /// Centre longitudes in storage order, degrees.
    public var longitudes: [Double] { (0..<longitudeCount).map { firstLongitude + Double($0) * longitudeStep } }
}

@inline(__always) private func direction_sign(_ d: Int) -> Double { d > 0 ? 1 : -1 }
