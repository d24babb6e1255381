import PlumeIngest

/// Each tracer's own surface flux, for runs whose tracers differ by more than the flux
/// components they receive — an inversion's ensemble members, each scaling the land and
/// ocean fluxes by its own regional factors.
public protocol TracerFluxComposer: Sendable {
    /// Tracer `tracer`'s flux over [`start`, `end`] (s of model time), kg CO2 m⁻² s⁻¹,
    /// `[lat, lon]`, composed from the provider's mean `fields` over that interval.
    func flux(tracer: Int, fields: SurfaceFluxFields, from start: Double, to end: Double) throws(TransportError) -> [Double]
}
