import Foundation
import PlumeSpectral
import Torch

/// Grid outputs and global invariants of the shallow-water model.
///
/// Integrals are over the sphere of radius a (m) with the grid's quadrature (exact for the
/// degree-≤ 3L products on a Gaussian grid with nlat ≥ (3L + 1)/2), per ensemble member:
/// results are real tensors of the state's batch shape ([] for one state; `.item()` reads it).
extension ShallowWaterModel {
    /// u, v, h, ζ and δ on the grid, [..., nlat, nlon].
    public func gridFields(_ state: ShallowWaterState) throws(TorchError) -> ShallowWaterGridFields {
        let x = state.coefficients
        let grid = try transform.inverse(x)  // [..., 3, nlat, nlon]
        let wind = try transform.velocity(vorticity: state.vorticity(), divergence: state.divergence())
        return ShallowWaterGridFields(
            u: wind.u, v: wind.v,
            h: try grid.select(dim: -3, index: ShallowWaterState.geopotentialIndex) / configuration.gravity,
            vorticity: try grid.select(dim: -3, index: ShallowWaterState.vorticityIndex),
            divergence: try grid.select(dim: -3, index: ShallowWaterState.divergenceIndex))
    }

    /// Total fluid volume ∫ h dA, m³ (multiply by the density for a mass), exactly from the
    /// l = 0 coefficient: ∫ h dA = a² √(4π) Re Φ₀₀ / g. Shape: the batch shape.
    public func totalMass(_ state: ShallowWaterState) throws(TorchError) -> Tensor {
        let phi00 = try state.geopotential().select(dim: -2, index: 0).select(dim: -1, index: 0).real()
        let a = transform.radius
        return try phi00 * (a * a * (4 * Double.pi).squareRoot() / configuration.gravity)
    }

    /// Total energy ∫ (h|V|²/2 + g h²/2 + g h h_s) dA (kinetic plus available-and-
    /// background potential energy per unit density), m⁵ s⁻². Shape: the batch shape.
    public func totalEnergy(_ state: ShallowWaterState) throws(TorchError) -> Tensor {
        let f = try gridFields(state)
        let g = configuration.gravity
        var density = try f.h * (f.u.square() + f.v.square()) * 0.5 + f.h.square() * (g / 2)
        if let orographyGrid { density = try density + f.h * orographyGrid * g }
        return try integrate(density)
    }

    /// Potential enstrophy ∫ (ζ + f)² / (2h) dA, m s⁻². Shape: the batch shape.
    public func potentialEnstrophy(_ state: ShallowWaterState) throws(TorchError) -> Tensor {
        let f = try gridFields(state)
        let eta = try f.vorticity + coriolis
        return try integrate(eta.square() / (f.h * 2))
    }

    /// ∫ field dA over the sphere of radius a for a grid field [..., nlat, nlon] → [...].
    public func integrate(_ field: Tensor) throws(TorchError) -> Tensor {
        try (field * cellAreas).sum(dims: [-2, -1])
    }
}
