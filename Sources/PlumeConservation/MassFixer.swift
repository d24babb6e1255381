import Torch

/// CarbonBench's global mass fixers (CarbonBench, Benson et al. 2024), applied after an emulator predicts the
/// next CO2 mixing ratio so that the global CO2 mass equals the previous step's.
///
/// With M = q·m_next (mass per cell of the prediction) and M_old = q_t·m_t, means over all
/// cells and levels of each sample:
/// - `.scale`: q' = M · mean(M_old)/mean(M) / m_next (UNet, SFNO, Swin)
/// - `.shift`: q' = (M − mean(M) + mean(M_old)) / m_next (GraphCast)
///
/// Negative predictions are clamped to zero first. Shapes: `[batch, level, lat, lon]` (or
/// any `[batch, …]`); mixing ratios in 10⁻⁶ kg/kg, air mass in Pg per cell — only the
/// product's consistency matters. Works in float32 and float64, with autograd.
public enum MassFixer: String, Sendable, CaseIterable, Codable {
    case scale
    case shift

    /// The fixed mixing ratio for prediction `q` on air mass `airMassNext`, given the
    /// previous state (`previousMixingRatio`, `previousAirMass`).
    public func apply(_ q: Tensor, airMassNext: Tensor, previousMixingRatio: Tensor,
                      previousAirMass: Tensor) throws(TorchError) -> Tensor {
        let dims = Array(1..<max(q.rank, 1))
        let clamped = try q.clamp(min: 0)
        let mass = try clamped * airMassNext
        let oldMass = try previousMixingRatio * previousAirMass
        let mean = try mass.mean(dims: dims, keepDim: true)
        let oldMean = try oldMass.mean(dims: dims, keepDim: true)
        switch self {
        case .scale:
            return try mass * (oldMean / mean) / airMassNext
        case .shift:
            return try (mass - mean + oldMean) / airMassNext
        }
    }
}
