import Foundation
import PlumeSpectral
import Torch
import PlumeConservation

/// A spectral-transform shallow-water model on the rotating sphere, in vorticity–divergence
/// form (Hack & Jakob 1992, NCAR/TN-343; the formulation of torch-harmonics'
/// `ShallowWaterSolver`), on Torch tensors (float64 recommended).
///
/// Prognostic variables, as spectral coefficients of `transform` (`ShallowWaterState`):
/// Φ = g·h (geopotential of the fluid depth h), relative vorticity ζ and divergence δ. With
/// V = (u, v) the wind of ζ and δ (through the streamfunction and velocity potential),
/// η = ζ + f the absolute vorticity (f = 2Ω sin φ, or a tilted axis's, see
/// `ShallowWaterConfiguration.rotationAxisTilt`) and Φ_s = g·h_s the orography:
///
///   ∂ζ/∂t = −∇·(η V)                                       (+ forcing)
///   ∂δ/∂t =  k·∇×(η V) − ∇²(Φ + Φ_s + |V|²/2)              (+ forcing)
///   ∂Φ/∂t = −∇·(Φ V)                                       (+ forcing)
///
/// The products are formed on the grid and analysed with `curlAndDivergence` (exact on a
/// Gaussian grid with nlat ≥ (3L + 1)/2: T42 on 64 × 128, T85 on 128 × 256). ∇·(Φ V) has
/// no l = 0 component, so the total mass (the l = 0 coefficient of Φ) is conserved to the
/// last bit by the dynamics.
///
/// Time stepping: classical 4th-order Runge–Kutta (self-starting, no computational mode,
/// stable up to ω·Δt ≈ 2.8 on the imaginary axis, i.e. about the same cost per model day as
/// AB3 at its own limit of 0.72 with one evaluation per step), four tendency evaluations per
/// step, followed by the hyperdiffusion as an exact factor exp(−Δt·ν_l) per degree
/// (first-order splitting, which only matters at the damped small scales), then the optional
/// stochastic increment. Linear drag and relaxation are explicit terms of the tendency.
///
/// Everything is batched: states with leading (ensemble) dimensions run in one set of
/// tensor operations. Per tendency evaluation: one 2-field synthesis (Φ, ζ), one vector
/// synthesis (u, v), one 2-field vector analysis (η V, Φ V), one scalar analysis (|V|²/2),
/// and a dozen element-wise operations.
///
/// Holds tensors (not `Sendable`): build one per task.
public struct ShallowWaterModel {
    /// The transform: grid, truncation, radius a (m; must be the planet's radius).
    public let transform: SphericalHarmonicTransform
    public let configuration: ShallowWaterConfiguration

    /// (0, f), [2, nlat, 1] (or [2, nlat, nlon] with a tilted axis), added to the grid (Φ, ζ)
    /// to form (Φ, η).
    let coriolisOffset: Tensor
    /// f = 2Ω sin φ, [nlat, 1], s⁻¹ (or [nlat, nlon] with a tilted axis).
    let coriolis: Tensor
    /// Spectral Φ_s = g·h_s, complex [lmax, mmax], or nil (flat bottom).
    let surfaceGeopotential: Tensor?
    /// h_s on the grid [nlat, nlon], m, or nil.
    let orographyGrid: Tensor?
    /// Hyperdiffusion rates ν_l per field, real [3, lmax, 1], s⁻¹.
    let hyperdiffusionRates: Tensor
    /// exp(−Δt·ν_l) for the configured Δt, real [3, lmax, 1].
    let hyperdiffusionFactor: Tensor
    /// Linear damping rates (drag + relaxation) per field, real [3, 1, 1], s⁻¹, or nil.
    let linearRates: Tensor?
    /// Relaxation source (1/τ)·X_target, complex [..., 3, lmax, mmax], or nil.
    let relaxationSource: Tensor?
    /// Area of each grid cell, a²·w, [nlat, 1], m² (sums to 4πa²).
    let cellAreas: Tensor

    /// A model on `transform`'s grid and truncation.
    /// - Throws: `TorchError` for a non-positive time step or hyperdiffusion time, a negative
    ///   order, an orography of the wrong shape, or a relaxation target of the wrong shape.
    public init(transform: SphericalHarmonicTransform, configuration: ShallowWaterConfiguration) throws(TorchError) {
        func fail(_ message: String) -> TorchError {
            TorchError(operation: "ShallowWaterModel(transform:configuration:)", message: message)
        }
        let c = configuration
        guard c.timeStep.isFinite, c.timeStep > 0 else { throw fail("timeStep must be positive, got \(c.timeStep)") }
        guard c.gravity.isFinite, c.gravity > 0 else { throw fail("gravity must be positive, got \(c.gravity)") }
        guard c.hyperdiffusionOrder >= 0 else {
            throw fail("hyperdiffusionOrder must be ≥ 0, got \(c.hyperdiffusionOrder)")
        }
        guard c.hyperdiffusionOrder == 0 || (c.hyperdiffusionTime.isFinite && c.hyperdiffusionTime > 0) else {
            throw fail("hyperdiffusionTime must be positive, got \(c.hyperdiffusionTime)")
        }
        for (name, tau) in [("dragTime", c.dragTime), ("relaxation.geopotentialTime", c.relaxation?.geopotentialTime),
                            ("relaxation.vorticityTime", c.relaxation?.vorticityTime),
                            ("relaxation.divergenceTime", c.relaxation?.divergenceTime)] {
            if let tau, !(tau.isFinite && tau > 0) { throw fail("\(name) must be positive, got \(tau)") }
        }
        self.transform = transform
        self.configuration = configuration
        let dtype = transform.dtype, device = transform.device
        let nlat = transform.nlat, nlon = transform.nlon, lmax = transform.lmax, mmax = transform.mmax

        let sinLat = try transform.sinLatitude()
        if c.rotationAxisTilt == 0 {
            coriolis = try sinLat * (2 * c.rotationRate)
        } else {
            let alpha = c.rotationAxisTilt
            let cosLon = try Tensor(transform.longitudes.map { cos($0) }, shape: [1, nlon]).to(dtype, device: device)
            let tilted = try sinLat * cos(alpha) - transform.cosLatitude() * cosLon * sin(alpha)
            coriolis = try tilted * (2 * c.rotationRate)
        }
        coriolisOffset = try Tensor.stack([Tensor.zeros(coriolis.shape, dtype: dtype, device: device), coriolis], dim: 0)
        cellAreas = try transform.cellWeights() * (transform.radius * transform.radius)

        if let hs = c.orography {
            guard hs.shape == [nlat, nlon] else { throw fail("orography must be [\(nlat), \(nlon)], got \(hs.shape)") }
            let grid = try hs.to(dtype, device: device)
            orographyGrid = grid
            surfaceGeopotential = try transform.forward(grid * c.gravity)
        } else {
            orographyGrid = nil
            surfaceGeopotential = nil
        }

        // Hyperdiffusion: ν_l = (l(l+1)/(L(L+1)))^p / τ, L = lmax − 1.
        var rates = [Double](repeating: 0, count: 3 * lmax)
        if c.hyperdiffusionOrder > 0, lmax > 1 {
            let top = Double((lmax - 1) * lmax)
            for field in 0..<3 where field != ShallowWaterState.geopotentialIndex || c.hyperdiffusesGeopotential {
                for l in 0..<lmax {
                    rates[field * lmax + l] = pow(Double(l * (l + 1)) / top, Double(c.hyperdiffusionOrder)) / c.hyperdiffusionTime
                }
            }
        }
        hyperdiffusionRates = try Tensor(rates, shape: [3, lmax, 1]).to(dtype, device: device)
        hyperdiffusionFactor = try (hyperdiffusionRates * (-c.timeStep)).exp()

        // Linear terms: −k·X + (1/τ_relax)·X_target.
        var k = [0.0, 0.0, 0.0]
        if let drag = c.dragTime {
            k[ShallowWaterState.vorticityIndex] += 1 / drag
            k[ShallowWaterState.divergenceIndex] += 1 / drag
        }
        if let relaxation = c.relaxation {
            let target = relaxation.target
            guard target.rank >= 3, Array(target.shape.suffix(3)) == [3, lmax, mmax] else {
                throw fail("relaxation target must be [..., 3, \(lmax), \(mmax)], got \(target.shape)")
            }
            let r = relaxation.rates
            for i in 0..<3 { k[i] += r[i] }
            let rateTensor = try Tensor(r, shape: [3, 1, 1]).to(dtype, device: device)
            relaxationSource = try target.to(transform.complexDType, device: device) * rateTensor
        } else {
            relaxationSource = nil
        }
        linearRates = k.allSatisfy { $0 == 0 } ? nil : try Tensor(k, shape: [3, 1, 1]).to(dtype, device: device)
    }

    // MARK: Initial states

    /// The spectral state of grid-point winds and depth (one state, unbatched).
    /// - Parameters:
    ///   - grid: u, v (m s⁻¹) and the fluid depth h (m), row-major [nlat·nlon] on the
    ///     transform's grid (rows north → south, longitudes 2πj/nlon); e.g.
    ///     `ShallowWaterTestCase.state(latitudes:longitudes:)` at `latitudesDegrees` and
    ///     `longitudesDegrees`.
    ///   - time: model time of the state, s.
    /// - Throws: `TorchError` when an array does not have nlat·nlon values.
    public func state(from grid: ShallowWaterGridState, time: Double = 0) throws(TorchError) -> ShallowWaterState {
        try state(u: gridTensor(grid.u, "u"), v: gridTensor(grid.v, "v"), h: gridTensor(grid.h, "h"), time: time)
    }

    /// An ensemble state [n, 3, lmax, mmax] of `n` grid-point states (see `state(from:time:)`).
    public func state(from members: [ShallowWaterGridState], time: Double = 0) throws(TorchError) -> ShallowWaterState {
        guard !members.isEmpty else {
            throw TorchError(operation: "ShallowWaterModel.state(from:)", message: "an ensemble needs at least one member")
        }
        func stacked(_ field: KeyPath<ShallowWaterGridState, [Double]>, _ name: String) throws(TorchError) -> Tensor {
            var tensors: [Tensor] = []
            for member in members { tensors.append(try gridTensor(member[keyPath: field], name)) }
            return try Tensor.stack(tensors, dim: 0)
        }
        return try state(u: stacked(\.u, "u"), v: stacked(\.v, "v"), h: stacked(\.h, "h"), time: time)
    }

    /// The spectral state of grid tensors u, v (m s⁻¹) and depth h (m), each [..., nlat, nlon].
    public func state(u: Tensor, v: Tensor, h: Tensor, time: Double = 0) throws(TorchError) -> ShallowWaterState {
        let (vorticity, divergence) = try transform.vorticityDivergence(u: u, v: v)
        let geopotential = try transform.forward(h * configuration.gravity)
        return try ShallowWaterState(geopotential: geopotential, vorticity: vorticity, divergence: divergence, time: time)
    }

    /// Latitudes of the grid rows, degrees, north → south, [nlat].
    public var latitudesDegrees: [Double] { transform.latitudes.map { $0 * 180 / .pi } }
    /// Longitudes of the grid columns, degrees, [nlon] from 0.
    public var longitudesDegrees: [Double] { transform.longitudes.map { $0 * 180 / .pi } }

    private func gridTensor(_ values: [Double], _ name: String) throws(TorchError) -> Tensor {
        let n = transform.nlat * transform.nlon
        guard values.count == n else {
            throw TorchError(operation: "ShallowWaterModel.state(from:)",
                             message: "\(name) has \(values.count) values, expected nlat × nlon = \(n)")
        }
        return try Tensor(values, shape: [transform.nlat, transform.nlon]).to(transform.dtype, device: transform.device)
    }

    // MARK: Dynamics

    /// ∂X/∂t of spectral coefficients X [..., 3, lmax, mmax] (Φ, ζ, δ), without the
    /// hyperdiffusion (applied exactly in `step`) and the stochastic forcing.
    public func tendency(_ x: Tensor) throws(TorchError) -> Tensor {
        // Φ and ζ on the grid, then (Φ, η = ζ + f).
        let q = try transform.inverse(x.narrow(dim: -3, start: 0, length: 2)) + coriolisOffset
        let wind = try transform.velocity(vorticity: x.select(dim: -3, index: ShallowWaterState.vorticityIndex),
                                          divergence: x.select(dim: -3, index: ShallowWaterState.divergenceIndex))
        // Fluxes (Φ V, η V): curl and divergence of both at once, [..., 2, lmax, mmax].
        let flux = try transform.curlAndDivergence(eastward: q * wind.u.unsqueeze(dim: -3),
                                                   northward: q * wind.v.unsqueeze(dim: -3))
        let kinetic = try (wind.u.square() + wind.v.square()) * 0.5
        var bernoulli = try x.select(dim: -3, index: ShallowWaterState.geopotentialIndex) + transform.forward(kinetic)
        if let surfaceGeopotential { bernoulli = try bernoulli + surfaceGeopotential }
        let divergenceTendency = try flux.curl.select(dim: -3, index: 1) - transform.laplacian(bernoulli)
        // (−∇·(Φ V), −∇·(η V), k·∇×(η V) − ∇²B).
        var dx = try Tensor.cat([-flux.divergence, divergenceTendency.unsqueeze(dim: -3)], dim: -3)
        if let linearRates { dx = try dx - x * linearRates }
        if let relaxationSource { dx = try dx + relaxationSource }
        return dx
    }

    /// One time step of `configuration.timeStep`: RK4, hyperdiffusion, stochastic forcing.
    public func step(_ state: ShallowWaterState) throws(TorchError) -> ShallowWaterState {
        try advance(state, by: configuration.timeStep, factor: hyperdiffusionFactor)
    }

    /// One step of length `dt` (s) with the hyperdiffusion factor for that length.
    func advance(_ state: ShallowWaterState, by dt: Double, factor: Tensor) throws(TorchError) -> ShallowWaterState {
        let x = state.coefficients
        let k1 = try tendency(x)
        let k2 = try tendency(x + k1 * (dt / 2))
        let k3 = try tendency(x + k2 * (dt / 2))
        let k4 = try tendency(x + k3 * dt)
        let update = try (k1 + k4 + (k2 + k3) * 2.0) * (dt / 6)
        var next = ShallowWaterState(coefficients: try (x + update) * factor, time: state.time + dt)
        if let forcing = configuration.stochasticForcing, let increment = try forcing.increment(next, dt) {
            next.coefficients = try next.coefficients + increment
        }
        return next
    }

    /// Integrates `days` model days from `state` in steps of `configuration.timeStep` (and one
    /// shorter final step when `days` is not a whole number of steps).
    /// - Parameters:
    ///   - progress: called after every step with the step count and the new state (e.g. to
    ///     draw a progress bar or write output every 6 h); an error it throws stops the run.
    /// - Returns: the state at `state.time + days·86400 s`.
    /// - Throws: `TorchError` from the tensors, or what `progress` throws.
    public func run(_ state: ShallowWaterState, days: Double,
                    progress: ((ShallowWaterProgress, ShallowWaterState) throws -> Void)? = nil) throws -> ShallowWaterState {
        guard days.isFinite, days >= 0 else {
            throw TorchError(operation: "ShallowWaterModel.run", message: "days must be ≥ 0, got \(days)")
        }
        let total = days * PhysicalConstants.day
        let dt = configuration.timeStep
        let whole = Int((total / dt + 1e-9).rounded(.down))
        let remainder = total - Double(whole) * dt
        let partial = remainder > 1e-6 * dt
        let steps = whole + (partial ? 1 : 0)
        let start = state.time
        var current = state
        for n in 0..<steps {
            if n < whole {
                current = try step(current)
            } else {
                current = try advance(current, by: remainder, factor: (hyperdiffusionRates * (-remainder)).exp())
            }
            if n == steps - 1 { current.time = start + total }
            try progress?(ShallowWaterProgress(step: n + 1, totalSteps: steps, time: current.time), current)
        }
        return current
    }
}

/// Where `ShallowWaterModel.run` stands, passed to its progress callback after each step.
public struct ShallowWaterProgress: Sendable, Equatable {
    /// Steps done in this run (1 after the first).
    public var step: Int
    /// Steps of the whole run.
    public var totalSteps: Int
    /// Model time of the new state, s.
    public var time: Double

    public init(step: Int, totalSteps: Int, time: Double) {
        self.step = step
        self.totalSteps = totalSteps
        self.time = time
    }

    /// step / totalSteps, in [0, 1].
    public var fractionCompleted: Double { totalSteps == 0 ? 1 : Double(step) / Double(totalSteps) }
}
