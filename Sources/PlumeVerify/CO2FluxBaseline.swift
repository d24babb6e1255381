/// CarbonBench's "fluxes only" baseline: the initial CO2 state with the true surface
/// fluxes added to the lowest layer each step, and no transport.
public enum CO2FluxBaseline {
    /// Adds one step of surface flux to the lowest layer (index 0) of `massMixingRatio`
    /// (`[level, lat, lon]`, 1e-6 kg kg⁻¹):
    ///
    ///     Δq₀ = F·A·Δt / 1e6 / m₀
    ///
    /// with `flux` F the net surface flux (land + ocean + anthropogenic, kg CO2 m⁻² s⁻¹,
    /// `[lat, lon]`), `cellArea` A (m², `[lat, lon]`), `seconds` Δt and `lowestAirmass` m₀ the
    /// air mass of the lowest layer at the end of the step (Pg, `[lat, lon]`).
    /// (kg CO2 / (m₀·1e12 kg) is kg kg⁻¹; ×1e6 gives 1e-6 kg kg⁻¹.)
    /// - Throws: `VerifyError.shapeMismatch` when the horizontal sizes differ.
    public static func step(massMixingRatio: inout [Double], flux: [Double], cellArea: [Double], lowestAirmass: [Double],
                            seconds: Double) throws(VerifyError) {
        let cells = flux.count
        guard cellArea.count == cells else { throw .shapeMismatch(name: "cell_area", expected: cells, actual: cellArea.count) }
        guard lowestAirmass.count == cells else { throw .shapeMismatch(name: "lowest-layer airmass", expected: cells, actual: lowestAirmass.count) }
        guard massMixingRatio.count >= cells, massMixingRatio.count % cells == 0 else {
            throw .shapeMismatch(name: "co2massmix", expected: cells, actual: massMixingRatio.count)
        }
        for i in 0..<cells {
            massMixingRatio[i] += flux[i] * cellArea[i] * seconds / 1e6 / lowestAirmass[i]
        }
    }
}
