import Torch

/// Newtonian relaxation of the spectral state toward a target,
/// ∂X/∂t += −(X − X_target)/τ_X, for each prognostic field X ∈ {Φ, ζ, δ} with a time scale.
///
/// The term is part of the explicit tendency (it goes through the Runge–Kutta stages), which
/// is accurate when every τ is much longer than the time step.
public struct ShallowWaterRelaxation {
    /// Target coefficients [3, lmax, mmax] (or with the model state's batch dimensions),
    /// complex, layout of `ShallowWaterState.coefficients` (Φ, ζ, δ).
    public var target: Tensor
    /// Relaxation time of Φ, s; `nil`: Φ is not relaxed.
    public var geopotentialTime: Double?
    /// Relaxation time of ζ, s; `nil`: ζ is not relaxed.
    public var vorticityTime: Double?
    /// Relaxation time of δ, s; `nil`: δ is not relaxed.
    public var divergenceTime: Double?

    /// Relaxation toward `target` (a state of the same model; its time is ignored).
    /// - Parameters:
    ///   - geopotentialTime: τ for Φ, s (`nil`: none).
    ///   - vorticityTime: τ for ζ, s (`nil`: none).
    ///   - divergenceTime: τ for δ, s (`nil`: none).
    public init(target: ShallowWaterState, geopotentialTime: Double? = nil, vorticityTime: Double? = nil,
                divergenceTime: Double? = nil) {
        self.target = target.coefficients
        self.geopotentialTime = geopotentialTime
        self.vorticityTime = vorticityTime
        self.divergenceTime = divergenceTime
    }

    /// Rates 1/τ (s⁻¹, 0 where `nil`) in the order (Φ, ζ, δ).
    var rates: [Double] {
        [geopotentialTime, vorticityTime, divergenceTime].map { $0.map { 1 / $0 } ?? 0 }
    }
}

/// A stochastic (or any other per-step) forcing: called once at the end of every time step,
/// after the Runge–Kutta update and the hyperdiffusion, with the new state and the step
/// length (s); the coefficients it returns ([..., 3, lmax, mmax] complex, broadcastable to
/// the state) are added to the state as an increment (`nil`: nothing added).
///
/// For white-noise forcing of amplitude σ per √s, return σ·√Δt·ξ with ξ drawn from a seeded
/// `Generator` (Euler–Maruyama); the l = 0 coefficient of Φ should be left at zero to keep
/// the total mass fixed.
public struct ShallowWaterStochasticForcing {
    /// (state after the step, step length in s) → increment or `nil`.
    public var increment: (ShallowWaterState, Double) throws(TorchError) -> Tensor?

    public init(_ increment: @escaping (ShallowWaterState, Double) throws(TorchError) -> Tensor?) {
        self.increment = increment
    }
}
