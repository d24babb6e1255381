import PlumeGrids
import PlumeIO

/// Grids of meteorology files, recognised from coordinates (`GridFromData`).
enum MeteorologyGrids {
    /// The regular lat-lon or Gaussian grid of a dataset holding `latitude`/`longitude` with values.
    static func banded(_ dataset: Dataset, source: String, variable: String) throws(IngestError) -> any BandedGrid {
        let grid: any Grid
        do {
            grid = try GridFromData.grid(from: dataset, source: source)
        } catch {
            throw MeteorologyFailure.variable(source, variable, "grid not recognised: \(error) (expected a regular lat-lon or Gaussian grid)")
        }
        guard let banded = grid as? any BandedGrid else {
            throw MeteorologyFailure.variable(source, variable, "grid \(grid.name) is not made of latitude rows (expected a regular lat-lon or Gaussian grid)")
        }
        return banded
    }
}

/// Grids are the same when their rows are (bounds, counts, first longitude, direction).
func sameBandedGrid(_ a: any BandedGrid, _ b: any BandedGrid) -> Bool {
    a.rows == b.rows
}

/// A short description of a grid for errors.
func describeGrid(_ grid: any BandedGrid) -> String {
    if let g = grid as? RegularLatLonGrid {
        return "regular lat-lon \(g.latitudeCount)×\(g.longitudeCount) (latitudes \(g.firstLatitude)° step \(g.latitudeStep)°, longitudes \(g.firstLongitude)° step \(g.longitudeStep)°)"
    }
    if let g = grid as? GaussianGrid { return g.isReduced ? "reduced Gaussian N\(g.n) (\(g.cellCount) points)" : "regular Gaussian N\(g.n)" }
    return "\(grid.name) (\(grid.cellCount) cells)"
}
