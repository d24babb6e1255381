import Foundation
import PlumeGrids
import PlumeIO
import PlumeRegrid

/// Where the snapshots of a `WeatherGenerator` run go: the model grid itself, or another grid
/// reached with Plume's remapping weights (bilinear, conservative or nearest), and the CF
/// dimensions and coordinate variables of that grid.
///
/// Winds are remapped component by component (u and v are eastward and northward on both
/// grids, so this is exact for grids whose poles are not inside a destination cell).
public struct WeatherOutputGrid: Sendable {
    /// The destination grid.
    public let grid: any Grid
    /// How the fields are remapped; `nil` when `grid` is the model grid.
    public let method: RemapMethod?
    /// The remapper from the model grid, `nil` on the model grid.
    let remapper: Remapper?
    /// CF dimensions (`latitude`, `longitude`, or `cell`) and coordinate variables.
    public let dimensions: [PlumeIO.Dimension]
    public let coordinates: [Variable]

    /// - Parameters:
    ///   - destination: output grid; `nil` writes the model grid itself.
    ///   - modelGrid: the model's (regular Gaussian) grid.
    ///   - method: remapping; `nil`: conservative when `destination` is made of rows of
    ///     cells between parallels (lat-lon, Gaussian), bilinear otherwise.
    /// - Throws: `WeatherGeneratorError.unsupportedOutputGrid` when conservative weights are
    ///   asked for a destination that is not banded.
    public init(destination: (any Grid)?, modelGrid: GaussianGrid, method: RemapMethod? = nil) throws(WeatherGeneratorError) {
        guard let destination else {
            grid = modelGrid
            self.method = nil
            remapper = nil
            (dimensions, coordinates) = CFGridCoordinates.make(for: modelGrid)
            return
        }
        let banded = destination as? any BandedGrid
        let chosen = method ?? (banded != nil ? .conservative : .bilinear)
        let weights: RemapWeights
        switch chosen {
        case .conservative:
            guard let banded else {
                throw .unsupportedOutputGrid(name: destination.name, reason: "conservative weights need a grid of rows of cells between parallels (lat-lon or Gaussian); use bilinear or nearest")
            }
            weights = ConservativeWeights.make(from: modelGrid, to: banded)
        case .bilinear:
            weights = BilinearWeights.make(from: modelGrid, to: destination)
        case .nearest:
            weights = NearestWeights.make(from: modelGrid, to: destination)
        }
        grid = destination
        self.method = chosen
        remapper = Remapper(weights)
        (dimensions, coordinates) = CFGridCoordinates.make(for: destination)
    }

    /// Values per field on the output grid.
    public var cellCount: Int { grid.cellCount }

    /// Names of the horizontal dimensions, outermost first (`["latitude", "longitude"]` or `["cell"]`).
    public var horizontalDimensions: [String] { dimensions.map(\.name) }

    /// Lengths of `horizontalDimensions`.
    public var horizontalShape: [Int] { dimensions.map(\.length) }

    /// Remaps `count` model-grid fields stored one after another ([count, model cells]) to
    /// [count, cellCount] (the identity on the model grid).
    public func remap(_ fields: [Double], count: Int) throws(RemapError) -> [Double] {
        guard let remapper else { return fields }
        return try remapper.apply(fields: fields, count: count)
    }
}
