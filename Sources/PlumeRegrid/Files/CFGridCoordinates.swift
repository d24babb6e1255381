import PlumeGrids
import PlumeIO

/// How a grid appears in CF netCDF output.
public enum CFGridCoordinates {
    /// Dimensions and CF coordinate variables (`latitude`, `longitude`) of `grid`:
    /// 1-D coordinates for rectilinear grids, `latitude(cell)`/`longitude(cell)` otherwise.
    public static func make(for grid: any Grid) -> ([PlumeIO.Dimension], [Variable]) {
        let latAttributes: [Attribute] = [Attribute("units", .text("degrees_north")),
                                          Attribute("standard_name", .text("latitude")),
                                          Attribute("long_name", .text("latitude"))]
        let lonAttributes: [Attribute] = [Attribute("units", .text("degrees_east")),
                                          Attribute("standard_name", .text("longitude")),
                                          Attribute("long_name", .text("longitude"))]
        if let g = grid as? RegularLatLonGrid {
            return ([PlumeIO.Dimension(name: "latitude", length: g.latitudeCount), PlumeIO.Dimension(name: "longitude", length: g.longitudeCount)],
                    [Variable(name: "latitude", dimensions: ["latitude"], shape: [g.latitudeCount],
                              attributes: latAttributes + [Attribute("axis", .text("Y"))], data: .float64(g.latitudes)),
                     Variable(name: "longitude", dimensions: ["longitude"], shape: [g.longitudeCount],
                              attributes: lonAttributes + [Attribute("axis", .text("X"))], data: .float64(g.longitudes))])
        }
        if let g = grid as? GaussianGrid, !g.isReduced {
            let lons = (0..<(4 * g.n)).map { g.firstLongitude + Double($0) * 90 / Double(g.n) }
            return ([PlumeIO.Dimension(name: "latitude", length: 2 * g.n), PlumeIO.Dimension(name: "longitude", length: 4 * g.n)],
                    [Variable(name: "latitude", dimensions: ["latitude"], shape: [2 * g.n],
                              attributes: latAttributes + [Attribute("axis", .text("Y"))], data: .float64(g.latitudes)),
                     Variable(name: "longitude", dimensions: ["longitude"], shape: [4 * g.n],
                              attributes: lonAttributes + [Attribute("axis", .text("X"))], data: .float64(lons))])
        }
        let centres = grid.centres()
        return ([PlumeIO.Dimension(name: "cell", length: grid.cellCount)],
                [Variable(name: "latitude", dimensions: ["cell"], shape: [grid.cellCount], attributes: latAttributes,
                          data: .float64(centres.map(\.latitude))),
                 Variable(name: "longitude", dimensions: ["cell"], shape: [grid.cellCount], attributes: lonAttributes,
                          data: .float64(centres.map(\.longitude)))])
    }
}
