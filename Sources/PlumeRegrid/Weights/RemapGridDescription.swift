import Foundation
import PlumeGrids

/// A grid as a weight file describes it: field shape, cell centres, corners and mask
/// (SCRIP `src_grid_*`/`dst_grid_*`, ESMF `*_a`/`*_b`), in degrees whatever the file's units.
///
/// Use `check(against:role:)` to make sure weights read from a file fit the grid a field
/// is on before applying them.
public struct RemapGridDescription: Sendable, Equatable {
    /// Field shape, outermost first (`[lat, lon]`; the file stores it reversed, Fortran order).
    public var shape: [Int]
    /// Cell centres, degrees.
    public var centres: [GeoPoint]
    /// Cell corners, degrees, the same count for every cell; nil when the file has none
    /// (CDO 2.x writes none).
    public var corners: [[GeoPoint]]?
    /// 1 for cells that take part, 0 for masked cells.
    public var mask: [Int32]

    public init(shape: [Int], centres: [GeoPoint], corners: [[GeoPoint]]?, mask: [Int32]) {
        self.shape = shape
        self.centres = centres
        self.corners = corners
        self.mask = mask
    }

    /// Number of cells.
    public var cellCount: Int { centres.count }

    /// Throws `RemapError.gridMismatch` unless `grid` has the same cell count and shape and
    /// its cell centres lie within `toleranceDegrees` of these (longitudes compared modulo
    /// 360°, not at the poles). `role` ("source", "destination") names the side in errors.
    public func check(against grid: any Grid, role: String, toleranceDegrees: Double = 1e-6) throws(RemapError) {
        guard grid.cellCount == cellCount else {
            throw .gridMismatch(reason: "the weights' \(role) grid has \(cellCount) cells, grid '\(grid.name)' has \(grid.cellCount)")
        }
        let flat = [cellCount]
        guard grid.shape == shape || grid.shape == flat || shape == flat else {
            throw .gridMismatch(reason: "the weights' \(role) grid has shape \(shape), grid '\(grid.name)' has \(grid.shape)")
        }
        let theirs = grid.centres()
        for (i, (a, b)) in zip(centres, theirs).enumerated() {
            let dLat = abs(a.latitude - b.latitude)
            var dLon = abs(a.longitude - b.longitude).truncatingRemainder(dividingBy: 360)
            dLon = min(dLon, 360 - dLon)
            let atPole = abs(b.latitude) > 90 - toleranceDegrees
            if dLat > toleranceDegrees || (!atPole && dLon > toleranceDegrees) {
                throw .gridMismatch(reason: "\(role) cell \(i): the weights have its centre at (\(a.latitude)°, \(a.longitude)°), grid '\(grid.name)' at (\(b.latitude)°, \(b.longitude)°)")
            }
        }
    }
}
