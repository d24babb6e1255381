import Foundation
import PlumeGrids
import PlumeSpectral
import Torch
import PlumeConservation

/// The forced-dissipative shallow-water model of a `WeatherConfiguration` on a regular
/// Gaussian grid, with its seeded initial state: what `WeatherGenerator` integrates.
///
/// Built in a fixed order from one `Generator(seed:)`: the forcing's first AR(1) pattern,
/// then the initial vorticity perturbation, then one draw per step. So the same seed, grid,
/// configuration and libtorch thread count give bit-identical runs on the CPU.
///
/// Holds tensors (not `Sendable`): build one per task.
public struct WeatherModel {
    /// The spectral model (float64, Earth radius), with relaxation, drag, hyperdiffusion,
    /// orography and the stochastic forcing hook configured.
    public let model: ShallowWaterModel
    /// The initial state: the balanced equilibrium jets (fluid depth h = η − h_s) plus the
    /// seeded vorticity perturbation, at time 0.
    public let initialState: ShallowWaterState
    /// The stochastic forcing (its AR(1) pattern advances with every model step), or `nil`
    /// when `forcingAmplitude` is 0.
    public let forcing: WeatherStochasticForcing?
    /// Surface height h_s on the model grid, row-major [nlat·nlon], m (zeros when flat).
    public let surfaceHeight: [Double]
    /// Equilibrium free-surface height η(φ) of the model rows (north → south), m.
    public let equilibriumHeight: [Double]
    public let configuration: WeatherConfiguration
    public let grid: GaussianGrid
    public let seed: UInt64

    /// - Parameters:
    ///   - configuration: the forcing and dissipation (validated here).
    ///   - grid: a regular Gaussian grid (2N × 4N, first longitude 0°) with
    ///     2N ≥ truncation + 1 rows.
    ///   - seed: seed of the `Generator` behind every random draw.
    /// - Throws: `WeatherGeneratorError` for bad settings or grids, `TorchError` from tensors.
    public init(configuration: WeatherConfiguration, grid: GaussianGrid, seed: UInt64) throws {
        try configuration.validate()
        guard !grid.isReduced else {
            throw WeatherGeneratorError.unsupportedModelGrid(name: grid.name, reason: "a reduced Gaussian grid cannot carry the spectral model; use a regular one such as gaussian-n32")
        }
        guard grid.firstLongitude == 0 else {
            throw WeatherGeneratorError.unsupportedModelGrid(name: grid.name, reason: "longitudes must start at 0°, got \(grid.firstLongitude)°")
        }
        let nlat = 2 * grid.n, nlon = 4 * grid.n
        let lmax = configuration.truncation + 1
        guard lmax <= nlat, 2 * lmax - 1 <= nlon else {
            throw WeatherGeneratorError.unsupportedModelGrid(
                name: grid.name, reason: "T\(configuration.truncation) needs at least \(lmax) latitudes (the grid has \(nlat)); "
                    + "alias-free products need \((3 * configuration.truncation + 2) / 2)")
        }
        self.configuration = configuration
        self.grid = grid
        self.seed = seed

        let transform = try SphericalHarmonicTransform(nlat: nlat, nlon: nlon, lmax: lmax, mmax: lmax, grid: .gaussian,
                                                       radius: PhysicalConstants.earthRadius, dtype: .float64)
        let latitudes = transform.latitudes.map { $0 * 180 / .pi }
        let longitudes = transform.longitudes.map { $0 * 180 / .pi }
        let generator = try Generator(seed: seed)
        let forcing = try WeatherStochasticForcing(
            transform: transform, amplitude: configuration.forcingAmplitude, degrees: configuration.forcingDegrees,
            correlationTime: configuration.forcingCorrelationTime, maskLatitude: configuration.forcingLatitude,
            maskWidth: configuration.forcingLatitudeWidth, generator: generator)

        // Equilibrium: zonal jets, free surface η(φ) balanced; fluid depth η − h_s.
        let equilibrium = ZonalJetEquilibrium(configuration)
        let eta = equilibrium.height(latitudesDegrees: latitudes)
        let hs = WeatherOrography.surfaceHeight(height: configuration.mountainHeight, latitudesDegrees: latitudes,
                                                longitudesDegrees: longitudes)
        var u = [Double](repeating: 0, count: nlat * nlon), depth = u
        for i in 0..<nlat {
            let wind = equilibrium.wind(latitude: latitudes[i] * .pi / 180)
            for j in 0..<nlon {
                u[i * nlon + j] = wind
                depth[i * nlon + j] = eta[i] - hs[i * nlon + j]
            }
        }
        let v = [Double](repeating: 0, count: nlat * nlon)

        var shallow = ShallowWaterConfiguration(timeStep: configuration.effectiveTimeStep,
                                                hyperdiffusionOrder: configuration.hyperdiffusionOrder,
                                                hyperdiffusionTime: configuration.hyperdiffusionTime)
        shallow.dragTime = configuration.dragTime
        if configuration.mountainHeight > 0 { shallow.orography = try Tensor(hs, shape: [nlat, nlon]) }
        // A model without relaxation, only to form the target state from grid fields.
        let plain = try ShallowWaterModel(transform: transform, configuration: shallow)
        let target = try plain.state(from: ShallowWaterGridState(u: u, v: v, h: depth))
        shallow.relaxation = ShallowWaterRelaxation(target: target, geopotentialTime: configuration.relaxationTime)
        // Per-step increments: the stochastic vorticity forcing and the zonal-mean vorticity
        // relaxation, both on ζ only.
        var zonal: ZonalVorticityRelaxation?
        if let tau = configuration.vorticityRelaxationTime {
            zonal = try ZonalVorticityRelaxation(target: target.vorticity(), time: tau)
        }
        let stochastic = configuration.forcingAmplitude > 0 ? forcing : nil
        if stochastic != nil || zonal != nil {
            shallow.stochasticForcing = ShallowWaterStochasticForcing { (state, dt) throws(TorchError) -> Tensor? in
                var dz: Tensor?
                if let stochastic { dz = try stochastic.vorticityIncrement(dt: dt) }
                if let zonal {
                    let relax = try zonal.increment(state, dt: dt)
                    if let current = dz { dz = try current + relax } else { dz = relax }
                }
                guard let dz else { return nil }
                let zero = try Tensor.zeros(dz.shape, dtype: dz.dtype)
                return try Tensor.stack([zero, dz, zero], dim: 0)
            }
        }
        model = try ShallowWaterModel(transform: transform, configuration: shallow)

        var initial = target
        if configuration.initialPerturbation > 0 {
            let dz = try forcing.randomVorticity(rms: configuration.initialPerturbation)
            let zero = try Tensor.zeros(dz.shape, dtype: dz.dtype)
            initial.coefficients = try target.coefficients + Tensor.stack([zero, dz, zero], dim: 0)
        }
        initial.time = 0
        initialState = initial
        self.forcing = configuration.forcingAmplitude > 0 ? forcing : nil
        surfaceHeight = hs
        equilibriumHeight = eta
    }

    /// Latitudes of the model rows, degrees, north → south.
    public var latitudesDegrees: [Double] { model.latitudesDegrees }
    /// Longitudes of the model columns, degrees, from 0.
    public var longitudesDegrees: [Double] { model.longitudesDegrees }
}
