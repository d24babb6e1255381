import Foundation
import PlumeGrids

/// A crude analytic land-sea mask for the synthetic surface fluxes and the boundary layer:
/// continents as unions of ellipses in longitude-latitude (degrees), plus an Antarctic cap
/// south of 70° S. It is deterministic, resolution-independent and needs no data files;
/// it is **not** a real coastline (its global land fraction is printed by
/// `plume bench transport`, ≈ 0.3 like Earth's). Ellipses marked not vegetated (Greenland,
/// Antarctica) are land for the boundary layer and the ocean flux, but carry no biosphere flux.
///
/// Fractions per cell are the share of `samples × samples` equally spaced points of the
/// cell (in longitude and sin-latitude, so equal-area) that fall inside the shapes.
public struct SurfaceFluxLandMask: Sendable, Equatable {
    /// An axis-aligned ellipse: centre (longitude, latitude) and half-widths, degrees.
    public struct Ellipse: Sendable, Equatable {
        public var longitude: Double
        public var latitude: Double
        public var halfWidthLongitude: Double
        public var halfWidthLatitude: Double
        public var vegetated: Bool

        public init(_ longitude: Double, _ latitude: Double, _ halfWidthLongitude: Double, _ halfWidthLatitude: Double,
                    vegetated: Bool = true) {
            self.longitude = longitude
            self.latitude = latitude
            self.halfWidthLongitude = halfWidthLongitude
            self.halfWidthLatitude = halfWidthLatitude
            self.vegetated = vegetated
        }

        /// Whether the point (degrees) lies inside; longitudes wrap.
        public func contains(longitude lon: Double, latitude lat: Double) -> Bool {
            var dl = (lon - longitude).truncatingRemainder(dividingBy: 360)
            if dl > 180 { dl -= 360 } else if dl < -180 { dl += 360 }
            let x = dl / halfWidthLongitude, y = (lat - latitude) / halfWidthLatitude
            return x * x + y * y <= 1
        }
    }

    /// The shapes (union).
    public var ellipses: [Ellipse]
    /// Everything south of this latitude (degrees) is (non-vegetated) land: Antarctica.
    public var antarcticEdge: Double

    public init(ellipses: [Ellipse], antarcticEdge: Double = -70) {
        self.ellipses = ellipses
        self.antarcticEdge = antarcticEdge
    }

    /// The built-in continents (North and South America, Greenland, Europe, Africa, Arabia,
    /// Asia, the Maritime Continent, Australia; Antarctica as the cap).
    public static let earthLike = SurfaceFluxLandMask(ellipses: [
        // North and Central America
        Ellipse(-100, 47, 27, 16), Ellipse(-120, 63, 28, 9), Ellipse(-98, 30, 12, 8), Ellipse(-102, 20, 8, 5),
        Ellipse(-86, 13, 6, 4), Ellipse(-72, 55, 10, 8),
        Ellipse(-41, 73, 13, 9, vegetated: false),  // Greenland
        // South America
        Ellipse(-60, -8, 18, 14), Ellipse(-62, -25, 11, 10), Ellipse(-68, -42, 5, 12),
        // Europe
        Ellipse(15, 50, 18, 8), Ellipse(20, 63, 9, 6), Ellipse(-4, 40, 5, 4),
        // Africa and Arabia
        Ellipse(10, 20, 26, 12), Ellipse(22, 3, 16, 9), Ellipse(27, -17, 11, 14), Ellipse(40, 8, 7, 6), Ellipse(45, 23, 9, 8),
        // Asia
        Ellipse(85, 52, 45, 14), Ellipse(130, 63, 30, 9), Ellipse(78, 22, 8, 10), Ellipse(108, 30, 14, 10),
        Ellipse(100, 15, 6, 7), Ellipse(60, 40, 15, 8),
        // Maritime Continent, New Guinea, Australia
        Ellipse(113, -2, 10, 4), Ellipse(140, -5, 7, 3), Ellipse(134, -25, 17, 10),
    ])

    /// Whether a point (degrees) is land, and whether it is vegetated land.
    public func classify(longitude lon: Double, latitude lat: Double) -> (land: Bool, vegetated: Bool) {
        if lat <= antarcticEdge { return (true, false) }
        var land = false
        for e in ellipses where e.contains(longitude: lon, latitude: lat) {
            if !e.vegetated { return (true, false) }
            land = true
        }
        return (land, land)
    }

    /// Land and vegetated-land fractions of every cell of `grid`, `[lat, lon]` each, in [0, 1].
    public func fractions(grid: TransportGrid, samples: Int = 6) -> (land: [Double], vegetated: [Double]) {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, s = max(samples, 1)
        var land = [Double](repeating: 0, count: grid.cellCount), vegetated = land
        let degrees = 180 / Double.pi
        for j in 0..<nlat {
            let s0 = sin(grid.latitudeEdges[j]), s1 = sin(grid.latitudeEdges[j + 1])
            let lats = (0..<s).map { asin(s0 + (s1 - s0) * (Double($0) + 0.5) / Double(s)) * degrees }
            for i in 0..<nlon {
                var nLand = 0, nVeg = 0
                for a in 0..<s {
                    let lon = (grid.westEdge(column: i) + grid.longitudeStep * (Double(a) + 0.5) / Double(s)) * degrees
                    for lat in lats {
                        let c = classify(longitude: lon, latitude: lat)
                        if c.land { nLand += 1 }
                        if c.vegetated { nVeg += 1 }
                    }
                }
                land[j * nlon + i] = Double(nLand) / Double(s * s)
                vegetated[j * nlon + i] = Double(nVeg) / Double(s * s)
            }
        }
        return (land, vegetated)
    }
}
