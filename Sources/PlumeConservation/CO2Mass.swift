import Torch

/// Global CO2 mass bookkeeping (CarbonBench units, Benson et al. 2024: q in 10⁻⁶ kg/kg, air mass in Pg).
public enum CO2Mass {
    /// PgCO2 → PgC.
    public static let carbonPerCO2 = 1 / 3.664

    /// Global CO2 mass per sample in PgC: Σ q·m · 10⁻⁶ / 3.664. Shapes `[batch, …]` → `[batch]`.
    public static func petagramsCarbon(_ q: Tensor, airMass: Tensor) throws(TorchError) -> Tensor {
        let dims = Array(1..<max(q.rank, 1))
        return try (q * airMass).sum(dims: dims) * (1e-6 * carbonPerCO2)
    }

    /// Surface source of a step in PgC per sample: Σ F·A·Δt · 10⁻¹² / 3.664.
    /// `flux` `[batch, lat, lon]` kg CO2 m⁻² s⁻¹, `cellArea` `[lat, lon]` m².
    public static func surfaceSourcePetagramsCarbon(flux: Tensor, cellArea: Tensor, timeStep: Double) throws(TorchError) -> Tensor {
        try (flux * cellArea).sum(dims: [1, 2]) * (timeStep * 1e-12 * carbonPerCO2)
    }

    /// Budget residual of a step per sample, PgC: Δmass − surface source.
    public static func budgetResidual(before: Tensor, after: Tensor, source: Tensor) throws(TorchError) -> Tensor {
        try after - before - source
    }
}
