import Foundation
import Torch

/// Relaxation of the zonal-mean vorticity toward the equilibrium jets: a momentum forcing
/// that restores the jets without damping the eddies,
///   Δζ_{l,0} = (Δt/τ) (ζ*_{l,0} − ζ_{l,0})   (orders m ≥ 1 untouched),
/// applied once per model step through the model's per-step forcing hook (explicit Euler,
/// accurate for τ ≫ Δt).
///
/// Why: with a deformation radius √(gH)/f ≈ 3000 km wider than the jets, relaxing Φ alone
/// forces mostly gravity waves (geostrophic adjustment keeps the vorticity, not the height, at
/// scales below the deformation radius), and relaxing every coefficient of ζ toward a zonal
/// state would also damp the eddies it should let grow.
public struct ZonalVorticityRelaxation {
    /// ζ* of the equilibrium, complex [lmax, mmax] (zonal: only m = 0 is nonzero).
    let target: Tensor
    /// 1 at m = 0, else 0, [1, mmax] (broadcasts over l).
    let zonalMask: Tensor
    /// τ, s.
    public let time: Double

    /// - Parameters:
    ///   - target: the equilibrium state's ζ, complex [lmax, mmax].
    ///   - time: τ, s.
    public init(target: Tensor, time: Double) throws(TorchError) {
        let mmax = target.shape[target.rank - 1]
        self.target = target
        zonalMask = try Tensor((0..<mmax).map { $0 == 0 ? 1.0 : 0.0 }, shape: [1, mmax]).to(.float64)
        self.time = time
    }

    /// Δζ for a step of `dt` (s) from the state after the step, complex [lmax, mmax].
    public func increment(_ state: ShallowWaterState, dt: Double) throws(TorchError) -> Tensor {
        try (target - state.vorticity()) * zonalMask * (dt / time)
    }
}
