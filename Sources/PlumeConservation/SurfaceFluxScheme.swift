import Torch

/// CarbonBench's explicit surface-flux update (CarbonBench, Benson et al. 2024), applied after the mass fixer in
/// training and inference: the net surface flux enters the lowest layer only,
///
///     Δq₀ = F · A · Δt / 10⁶ / m_next,₀
///
/// with F = F_land + F_ocean + F_anthro in kg CO2 m⁻² s⁻¹, A the cell area in m², Δt in s,
/// m the air mass in Pg per cell and q in 10⁻⁶ kg/kg (so q·m is in 10⁶ kg CO2). The global
/// CO2 mass then changes by exactly Σ F·A·Δt.
public enum SurfaceFluxScheme {
    /// `q` and `airMassNext` `[batch, level, lat, lon]` with level 0 the lowest layer;
    /// `flux` `[batch, lat, lon]` (kg CO2 m⁻² s⁻¹); `cellArea` `[lat, lon]` (m²).
    public static func apply(_ q: Tensor, airMassNext: Tensor, flux: Tensor, cellArea: Tensor,
                             timeStep: Double) throws(TorchError) -> Tensor {
        let lowest = try airMassNext.select(dim: 1, index: 0)
        let increment = try flux * cellArea * (timeStep / 1e6) / lowest
        let levels = q.shape.count > 1 ? q.shape[1] : 1
        guard levels >= 1 else { return q }
        var parts: [Tensor] = [try q.narrow(dim: 1, start: 0, length: 1) + increment.unsqueeze(dim: 1)]
        if levels > 1 { parts.append(try q.narrow(dim: 1, start: 1, length: levels - 1)) }
        return try Tensor.cat(parts, dim: 1)
    }
}
