import PlumePhysics
extension CarbonBenchGenerator {
    /// The subgrid horizontal eddy mixing CarbonBench-mini runs with by default.
    ///
    /// The shallow-water weather resolves the extratropical synoptic eddies reasonably but has
    /// almost no tropical eddies, so without this mixing the two-box interhemispheric exchange
    /// time of the SF6-like tracer is several years (after one year only 3.4% of the tracer
    /// has crossed the equator; BENCHMARKS.md), against about 1.0–1.4 years in the TransCom
    /// SF6 models. The coefficient (order 10⁶ m² s⁻¹, as in zonal-mean transport models; see
    /// `HorizontalEddyDiffusion`) peaks in the tropics, where the weather lacks the eddies;
    /// with it `plume generate carbonbench-mini --sf6` gives τ = 1.03 years averaged over the
    /// second model year and 1.09 at its end on LowRes (BENCHMARKS.md, "interhemispheric
    /// exchange").
    public static let defaultHorizontalDiffusion = HorizontalEddyDiffusion(
        tropicalCoefficient: 1.0e6, extratropicalCoefficient: 0.3e6, tropicalHalfWidthDegrees: 20)
}
