import Torch

/// A neural network that maps the stacked input fields of one time step to the stacked
/// output fields, on a regular latitude–longitude grid:
/// `[batch, inputChannels, lat, lon]` → `[batch, outputChannels, lat, lon]`.
///
/// Channels are what the model definition stacks (each 3-D variable contributes one channel
/// per level, each 2-D variable one); the network knows nothing of variables, units or
/// normalisation. Latitude runs south to north, longitude eastward from the first column,
/// periodic. Implementations: `UNet`, `MeshGNN`, `Swin`.
public protocol EmulatorNetwork: Module {
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// The regular latitude–longitude grid a network works on: cell-centre coordinates in
/// degrees, latitudes ascending (south → north), longitudes ascending and periodic.
public struct EmulatorGrid: Sendable, Equatable, Codable {
    /// Cell-centre latitudes, degrees north, ascending.
    public var latitudes: [Double]
    /// Cell-centre longitudes, degrees east, ascending, evenly spaced around the globe.
    public var longitudes: [Double]

    public init(latitudes: [Double], longitudes: [Double]) {
        self.latitudes = latitudes
        self.longitudes = longitudes
    }

    /// The global grid of `rows` × `columns` cells of equal angular size, latitudes from
    /// −90 + Δφ/2 and longitudes from 0 (CarbonBench's LowRes is `rows: 32, columns: 64`).
    public static func regular(rows: Int, columns: Int) -> EmulatorGrid {
        let dLat = 180.0 / Double(rows), dLon = 360.0 / Double(columns)
        return EmulatorGrid(latitudes: (0..<rows).map { -90 + dLat * (Double($0) + 0.5) },
                            longitudes: (0..<columns).map { dLon * Double($0) })
    }

    /// `[lat, lon]`.
    public var shape: [Int] { [latitudes.count, longitudes.count] }
}
