import Foundation
import PlumeSpectral
import Torch

/// The spectral term of the training loss: how far the power spectrum of each predicted
/// one-step change is from the true change's, degree by degree, on a log scale, so that small
/// scales count as much as large ones and a model is penalised for smoothing its fields.
///
/// For changes normalised by σΔ[l] (as the MSE term sees them), `x̂` predicted and `x`
/// true, `[batch, level, lat, lon]`:
///
///     S_x(l) = Σₘ |cₗₘ(x)|² / 4π     (spherical harmonics of degree l, so Σₗ S_x(l) = mean x²)
///     loss   = mean over batch, level and l < lmax of (ln(S_x̂(l) + ε) − ln(S_x(l) + ε))²
///
/// with ε = 1e-6 (a normalised change's spectrum sums to about 1). Transforms are those of
/// `PlumeSpectral` on the equiangular cell-centred grid (Fejér quadrature), exact to degree
/// nlat − 1; the power per degree does not depend on the latitude order or the first
/// longitude, so the emulator's south-to-north grid is used as it is. Differentiable.
struct SpectralLoss {
    let transform: SphericalHarmonicTransform
    static let epsilon = 1e-6

    /// - Throws: `EmulatorError.invalidRequest` for a grid that is not a global regular
    ///   lat-lon grid of cell centres (the only one the transform integrates exactly).
    init(grid: EmulatorGrid, device: Device) throws(EmulatorError) {
        let nLat = grid.latitudes.count, nLon = grid.longitudes.count
        let regular = EmulatorGrid.regular(rows: nLat, columns: nLon)
        let lonStep = 360.0 / Double(max(nLon, 1))
        let fits = nLat >= 2 && nLon >= 4
            && zip(grid.latitudes, regular.latitudes).allSatisfy { abs($0 - $1) < 1e-6 }
            && grid.longitudes.enumerated().allSatisfy { abs($1 - grid.longitudes[0] - lonStep * Double($0)) < 1e-6 }
        guard fits else {
            throw .invalidRequest("training.spectral_loss_weight: the spectral loss needs a global regular lat-lon grid of cell centres (like latlon5.625), this model's grid is \(nLat) × \(nLon) with latitudes \(grid.latitudes.first ?? 0) … \(grid.latitudes.last ?? 0)")
        }
        do {
            transform = try SphericalHarmonicTransform(nlat: nLat, nlon: nLon, grid: .equiangularCellCentred,
                                                       dtype: .float32, device: device)
        } catch {
            throw .failed(context: "spectral loss", reason: "\(error)")
        }
    }

    /// Power per degree, `[batch, level, lmax]`, of fields `[batch, level, lat, lon]`.
    func powerSpectrum(_ x: Tensor) throws(TorchError) -> Tensor {
        try transform.powerSpectrum(transform.forward(x)) / (4 * Double.pi)
    }

    /// The loss (a scalar tensor) of predicted against true normalised changes.
    func callAsFunction(predicted: Tensor, truth: Tensor) throws(TorchError) -> Tensor {
        let logPredicted = try (powerSpectrum(predicted) + Self.epsilon).log()
        let logTruth = try (powerSpectrum(truth) + Self.epsilon).log()
        return try (logPredicted - logTruth).square().mean()
    }
}
