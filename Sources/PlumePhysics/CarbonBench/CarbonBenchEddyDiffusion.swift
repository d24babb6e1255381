extension CarbonBenchGenerator {
    /// The subgrid horizontal eddy mixing CarbonBench-mini runs with by default.
    ///
    /// The shallow-water weather resolves the extratropical synoptic eddies reasonably but has
    /// almost no tropical eddies, so without this mixing the two-box interhemispheric exchange
    /// time of the SF6-like tracer comes out near 3 years (BENCHMARKS.md), against about
    /// 1.0–1.4 years in the TransCom SF6 models. The coefficient (order 10⁶ m² s⁻¹, the K_yy of
    /// zonal-mean transport models; see `HorizontalEddyDiffusion`) peaks in the tropics and
    /// was calibrated on `plume generate carbonbench-mini --sf6` so that τ averaged over the
    /// third model year lies in that range (BENCHMARKS.md, "CarbonBench-mini: interhemispheric
    /// exchange").
    public static let defaultHorizontalDiffusion = HorizontalEddyDiffusion(
        tropicalCoefficient: 1.0e6, extratropicalCoefficient: 0.3e6, tropicalHalfWidthDegrees: 20)
}
