import Foundation
import PlumeSpectral
import Torch

/// Seeded stochastic vorticity forcing: a spectral pattern F (s⁻²) that evolves as an AR(1)
/// process, localised to mid-latitudes on the grid, added to ζ after every model step.
///
/// Per step of length Δt (r = exp(−Δt/τ)):
///   F ← r F + √(1 − r²) ξ,     ξ complex Gaussian in the band l ∈ L, 1 ≤ m ≤ l,
///   Δζ = Δt · SHT[ M(φ) · SHT⁻¹(F) ],   M(φ) = exp(−((|φ| − φ₀)/w)²),
/// with the l = 0 part of Δζ removed (the global mean vorticity stays 0). ξ is scaled so that
/// the grid rms of SHT⁻¹(F) is `amplitude` (s⁻²): with orthonormal harmonics the mean square
/// over the sphere of a field of coefficients c is (1/4π) Σ (2 − δ_m0)|c_lm|², so each forced
/// coefficient has variance 4π A² / Σ_{l∈L} 2l (real and imaginary parts half each).
/// Only ζ is forced: Φ (hence the mass) and δ are untouched.
///
/// Draws come from a `Generator` seeded by the caller, in a fixed order (one draw of
/// [lmax, mmax, 2] float64 normals at creation, one per step), so a run is reproducible.
/// A reference type (the AR(1) state changes every step); not `Sendable`.
public final class WeatherStochasticForcing {
    let transform: SphericalHarmonicTransform
    let generator: Generator
    /// Standard deviation of each real component of ξ for a unit grid rms, zero outside the
    /// band, [lmax, mmax, 1].
    let componentScale: Tensor
    /// M(φ), [nlat, 1].
    let latitudeMask: Tensor
    /// 0 for l = 0, 1 otherwise, [lmax, 1].
    let nonzeroDegrees: Tensor
    /// τ, s.
    public let correlationTime: Double
    /// rms of the forcing pattern on the grid where M = 1, s⁻².
    public let amplitude: Double
    /// The AR(1) pattern F / A (unit grid rms where the mask is 1), complex [lmax, mmax].
    public private(set) var pattern: Tensor

    /// - Parameters:
    ///   - transform: the model's transform.
    ///   - amplitude: grid rms A of the pattern where the mask is 1, s⁻².
    ///   - degrees: forced total wavenumbers l (within 1…lmax − 1).
    ///   - correlationTime: τ, s.
    ///   - maskLatitude: φ₀, degrees; `maskWidth`: w, degrees.
    ///   - generator: the seeded source of the draws (shared with the caller, who may draw
    ///     from it before or after, in a fixed order).
    public init(transform: SphericalHarmonicTransform, amplitude: Double, degrees: ClosedRange<Int>,
                correlationTime: Double, maskLatitude: Double, maskWidth: Double,
                generator: Generator) throws(TorchError) {
        self.transform = transform
        self.generator = generator
        self.correlationTime = correlationTime
        self.amplitude = amplitude
        let lmax = transform.lmax, mmax = transform.mmax
        let band = degrees.clamped(to: 1...max(1, lmax - 1))
        let dof = band.reduce(0.0) { $0 + 2 * Double($1) }
        let sigma = (4 * Double.pi / max(dof, 1)).squareRoot() / 2.0.squareRoot()
        var scale = [Double](repeating: 0, count: lmax * mmax)
        for l in band {
            for m in 1..<min(l + 1, mmax) { scale[l * mmax + m] = sigma }
        }
        componentScale = try Tensor(scale, shape: [lmax, mmax, 1]).to(transform.dtype)
        let mask = transform.latitudes.map { phi -> Double in
            let x = (abs(phi) * 180 / .pi - maskLatitude) / maskWidth
            return exp(-x * x)
        }
        latitudeMask = try Tensor(mask, shape: [transform.nlat, 1]).to(transform.dtype)
        nonzeroDegrees = try Tensor((0..<lmax).map { $0 == 0 ? 0.0 : 1.0 }, shape: [lmax, 1]).to(transform.dtype)
        pattern = try Self.draw(componentScale, generator)
    }

    /// ξ: complex [lmax, mmax] with independent normal components of standard deviation `scale`.
    static func draw(_ scale: Tensor, _ generator: Generator) throws(TorchError) -> Tensor {
        let shape = [scale.shape[0], scale.shape[1], 2]
        return try (Tensor.randn(shape, dtype: .float64, generator: generator).to(scale.dtype) * scale).viewAsComplex()
    }

    /// Advances F by `dt` and returns the increment (0, Δζ, 0), complex [3, lmax, mmax].
    public func increment(dt: Double) throws(TorchError) -> Tensor {
        let zeta = try vorticityIncrement(dt: dt)
        let zero = try Tensor.zeros(zeta.shape, dtype: zeta.dtype)
        return try Tensor.stack([zero, zeta, zero], dim: 0)
    }

    /// Advances F by `dt` (s) and returns Δζ = Δt·SHT[M·SHT⁻¹(A F)], complex [lmax, mmax], s⁻¹.
    public func vorticityIncrement(dt: Double) throws(TorchError) -> Tensor {
        let r = exp(-dt / correlationTime)
        pattern = try pattern * r + Self.draw(componentScale, generator) * (1 - r * r).squareRoot()
        return try transform.forward(transform.inverse(pattern) * latitudeMask) * nonzeroDegrees * (amplitude * dt)
    }

    /// A band-limited, mid-latitude vorticity field of grid rms ≈ `rms` (s⁻¹) where the mask
    /// is 1, complex [lmax, mmax], drawn from the generator (the initial perturbation).
    public func randomVorticity(rms: Double) throws(TorchError) -> Tensor {
        let xi = try Self.draw(componentScale, generator)
        return try transform.forward(transform.inverse(xi) * latitudeMask) * nonzeroDegrees * rms
    }

    /// The forcing hook of `ShallowWaterConfiguration` (holds `self` strongly).
    public var shallowWaterForcing: ShallowWaterStochasticForcing {
        ShallowWaterStochasticForcing { [self] (_, dt) throws(TorchError) -> Tensor? in try increment(dt: dt) }
    }
}
