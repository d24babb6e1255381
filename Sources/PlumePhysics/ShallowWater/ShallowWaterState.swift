import PlumeSpectral
import Torch

/// The prognostic state of `ShallowWaterModel`: spectral geopotential, vorticity and
/// divergence, stacked along one dimension, and the model time.
///
/// Layout (that of torch-harmonics' `ShallowWaterSolver`, so that states interchange with
/// SFNO data sets): `coefficients` is complex [..., 3, lmax, mmax] holding, along
/// dimension −3,
///   0: Φ = g·h, the geopotential of the fluid depth h (m² s⁻²),
///   1: ζ, relative vorticity (s⁻¹),
///   2: δ, divergence (s⁻¹),
/// as orthonormal spherical-harmonic coefficients of `SphericalHarmonicTransform` (degree l
/// in rows, order m in columns, unit-sphere normalisation). Leading dimensions, if any, are
/// an ensemble (batch): every operation of the model acts on all members at once.
///
/// Holds a tensor, so it is not `Sendable`; `step` never mutates `coefficients` in place,
/// so a state may be kept while the model runs on.
public struct ShallowWaterState {
    /// Complex [..., 3, lmax, mmax]: (Φ, ζ, δ) along dimension −3 (see the type's comment).
    public var coefficients: Tensor
    /// Model time since the initial state, s.
    public var time: Double

    /// Index of Φ along dimension −3 of `coefficients`.
    public static let geopotentialIndex = 0
    /// Index of ζ along dimension −3 of `coefficients`.
    public static let vorticityIndex = 1
    /// Index of δ along dimension −3 of `coefficients`.
    public static let divergenceIndex = 2

    /// A state from stacked coefficients [..., 3, lmax, mmax] (Φ, ζ, δ) at `time` (s).
    public init(coefficients: Tensor, time: Double = 0) {
        self.coefficients = coefficients
        self.time = time
    }

    /// A state from separate coefficients, each complex [..., lmax, mmax].
    /// - Parameters:
    ///   - geopotential: Φ = g·h, m² s⁻².
    ///   - vorticity: ζ, s⁻¹.
    ///   - divergence: δ, s⁻¹.
    ///   - time: s.
    public init(geopotential: Tensor, vorticity: Tensor, divergence: Tensor, time: Double = 0) throws(TorchError) {
        self.coefficients = try Tensor.stack([geopotential, vorticity, divergence], dim: -3)
        self.time = time
    }

    /// Spectral Φ = g·h, complex [..., lmax, mmax], m² s⁻² (a view).
    public func geopotential() throws(TorchError) -> Tensor {
        try coefficients.select(dim: -3, index: Self.geopotentialIndex)
    }

    /// Spectral relative vorticity ζ, complex [..., lmax, mmax], s⁻¹ (a view).
    public func vorticity() throws(TorchError) -> Tensor {
        try coefficients.select(dim: -3, index: Self.vorticityIndex)
    }

    /// Spectral divergence δ, complex [..., lmax, mmax], s⁻¹ (a view).
    public func divergence() throws(TorchError) -> Tensor {
        try coefficients.select(dim: -3, index: Self.divergenceIndex)
    }

    /// The ensemble (batch) dimensions: the shape before [3, lmax, mmax] (empty for one state).
    public var batchShape: [Int] { Array(coefficients.shape.dropLast(3)) }
}
