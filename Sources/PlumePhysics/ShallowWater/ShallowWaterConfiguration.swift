import Foundation
import Torch
import PlumeConservation

/// Settings of `ShallowWaterModel`: time step, physical constants, hyperdiffusion, optional
/// orography and the forcing/dissipation hooks.
///
/// The defaults are those of the Williamson et al. (1992) test cases (g = 9.80616 m s⁻²,
/// Ω = 7.292·10⁻⁵ s⁻¹; the radius is the transform's) with ∇⁸ hyperdiffusion of e-folding
/// time 0.25 day at the truncation degree, and no forcing.
public struct ShallowWaterConfiguration {
    /// Time step Δt, s. RK4's stability limit is ω_max·Δt ≲ 2.8 with ω_max ≈ (c + |V|)·L/a
    /// for gravity waves of speed c = √(gΦ̄) at the truncation degree L: see
    /// `suggestedTimeStep(truncation:)`.
    public var timeStep: Double
    /// Gravitational acceleration g, m s⁻² (converts between h and Φ = g·h).
    public var gravity: Double
    /// Planetary rotation rate Ω, s⁻¹ (Coriolis parameter f = 2Ω sin φ).
    public var rotationRate: Double
    /// Tilt α of the rotation axis from the grid's pole toward longitude 180°, radians
    /// (default 0): f = 2Ω (sin φ cos α − cos φ cos λ sin α). Williamson et al.'s cases 2
    /// and 3 at α ≠ 0 are steady only with this rotated Coriolis parameter.
    public var rotationAxisTilt: Double
    /// Order p of the hyperdiffusion (−1)^{p+1} ν ∇^{2p}: 4 is ∇⁸ (default), 2 is ∇⁴, 0 none.
    public var hyperdiffusionOrder: Int
    /// e-folding time of the hyperdiffusion at the truncation degree L = lmax − 1, s: degree l
    /// is damped at the rate (l(l+1)/(L(L+1)))^p / τ, exactly (as a factor per step).
    public var hyperdiffusionTime: Double
    /// Whether the hyperdiffusion also acts on Φ (default true; the l = 0 mode, hence the mass,
    /// is never damped). torch-harmonics' solver damps ζ and δ only (false).
    public var hyperdiffusesGeopotential: Bool
    /// Surface height h_s on the transform's grid, [nlat, nlon], m; `nil`: flat bottom.
    /// The prognostic h is then the fluid depth, the free surface is h + h_s: the pressure
    /// term of the δ equation uses g·(h + h_s), the mass flux h·V.
    public var orography: Tensor?
    /// Linear (Rayleigh) drag on the wind, time scale s: ∂(ζ, δ)/∂t += −(ζ, δ)/τ; `nil`: none.
    public var dragTime: Double?
    /// Newtonian relaxation toward a target state; `nil`: none.
    public var relaxation: ShallowWaterRelaxation?
    /// Per-step additive (stochastic) forcing; `nil`: none.
    public var stochasticForcing: ShallowWaterStochasticForcing?

    /// A configuration with time step `timeStep` (s) and the defaults of the type's comment.
    public init(timeStep: Double, gravity: Double = PhysicalConstants.shallowWaterGravity,
                rotationRate: Double = PhysicalConstants.earthRotation, rotationAxisTilt: Double = 0,
                hyperdiffusionOrder: Int = 4,
                hyperdiffusionTime: Double = 0.25 * PhysicalConstants.day, hyperdiffusesGeopotential: Bool = true,
                orography: Tensor? = nil, dragTime: Double? = nil, relaxation: ShallowWaterRelaxation? = nil,
                stochasticForcing: ShallowWaterStochasticForcing? = nil) {
        self.timeStep = timeStep
        self.gravity = gravity
        self.rotationRate = rotationRate
        self.rotationAxisTilt = rotationAxisTilt
        self.hyperdiffusionOrder = hyperdiffusionOrder
        self.hyperdiffusionTime = hyperdiffusionTime
        self.hyperdiffusesGeopotential = hyperdiffusesGeopotential
        self.orography = orography
        self.dragTime = dragTime
        self.relaxation = relaxation
        self.stochasticForcing = stochasticForcing
    }

    /// A time step (s) safe for RK4 at truncation T`truncation` on the Earth with depths up to
    /// ~10 km and winds up to ~100 m s⁻¹: 600 s at T42, scaled as 1/truncation, shortened so
    /// that a whole number of steps makes one day (T42 → 600 s, T85 → 295.9 s, T106 → 240 s).
    public static func suggestedTimeStep(truncation: Int) -> Double {
        let raw = 600 * 42 / Double(max(truncation, 1))
        let stepsPerDay = (PhysicalConstants.day / raw).rounded(.up)
        return PhysicalConstants.day / stepsPerDay
    }
}
