import Torch

extension SphericalHarmonicTransform {
    /// Power spectrum per degree of a real field: Sₗ = |cₗ₀|² + 2 Σ_{m≥1} |cₗₘ|², from
    /// coefficients [..., lmax, mmax] → real [..., lmax] (units of f², per steradian of the
    /// unit sphere).
    ///
    /// With the orthonormal harmonics (Parseval), Σₗ Sₗ = ∫ f² dΩ over the unit sphere, so
    /// Σₗ Sₗ / 4π is the mean square of the field. Differentiable (for spectral losses).
    public func powerSpectrum(_ coefficients: Tensor) throws(TorchError) -> Tensor {
        _ = try spectralBatchShape(coefficients, "powerSpectrum")
        let squared = try coefficients.viewAsReal().square().sum(dims: [-1])  // [..., lmax, mmax]
        return try (squared * orderMultiplicity).sum(dims: [-1])
    }
}
