import Foundation

/// The 3D reference tracer transport model (TM5-like), float64: horizontal flux-form
/// finite-volume advection (`HorizontalAdvection`) in every layer, vertical mixing in the
/// boundary layer (`VerticalDiffusion` with the diurnal `VerticalBoundaryLayer`), convective
/// mixing (`ColumnConvection`), and surface fluxes into the lowest layer.
///
/// One step of length Δt from time t is the symmetric (Strang) sequence
///
///     S(t, Δt/2) · V(Δt/2) · H(t, Δt) · V(Δt/2) · S(t + Δt/2, Δt/2)
///
/// with S the surface flux over the half step, V the column physics (diffusion, then
/// convection, with the boundary-layer height and the convection mask at the half step's
/// middle) and H the horizontal advection with the fluxes of the whole step.
///
/// Air mass: the winds must be discretely non-divergent (`Transport3DWindProvider`), so the
/// air mass of every cell is constant; after H it is reset to the geometry's Δp·A/g (the
/// change is round-off — it is reported, and a step throws if it exceeds
/// `airMassTolerance`, i.e. the fluxes are divergent). The tracer masses are not touched by
/// the reset, so the budget is unaffected.
///
/// Surface fluxes: tracer t receives the components `tracerFluxes[t]` (none if the list is
/// shorter) of `surfaceFluxes` — F·A·Δt kg of tracer into the lowest layer, tracer masses
/// in kg (mixing ratios in kg kg⁻¹; ×10⁶ for CarbonBench's `co2massmix`). **Limiter**: a
/// negative source may remove at most `maximumUptakeFraction` (≤ 1) of the tracer mass
/// present in the lowest layer of the cell at that moment; the removed mass is then exactly
/// rm₀·fraction, so rm₀ stays ≥ 0. The step reports the applied source (the exact mass change
/// of each tracer) and the clipped uptake (prescribed − applied).
///
/// Invariants (checked by the tests and `plume bench transport`): each tracer's mass changes
/// by exactly the applied source (round-off), a uniform mixing ratio without fluxes stays
/// uniform (round-off), and no mixing ratio becomes negative (monotone PPM, M-matrix
/// diffusion, convex convective mixing, limited uptake).
///
/// Parallel: the advection over rows of all layers, the diffusion over rows of columns.
public struct Transport3DModel: Sendable {
    public let geometry: Transport3DGeometry
    public var advection: HorizontalAdvection
    public var winds: any Transport3DWindProvider
    public var surfaceFluxes: (any SurfaceFluxProvider)?
    /// Components of the surface flux each tracer receives (by tracer index; missing: none).
    public var tracerFluxes: [SurfaceFluxComponents]
    /// Land fraction per cell (`[lat, lon]`, 0…1), for the boundary layer and the convection mask.
    public var landFraction: [Double]
    public var boundaryLayer: VerticalBoundaryLayer
    public var diffusion: VerticalDiffusion
    public var convection: ColumnConvection
    /// Whether the convective mixing term is applied.
    public var convectionEnabled: Bool = true
    /// Largest fraction of the lowest layer's tracer mass that a negative flux may remove in one half step.
    public var maximumUptakeFraction: Double = 1
    /// Largest relative change of a cell's air mass in the horizontal step before the step
    /// throws (the fluxes are then divergent, which this model cannot balance).
    public var airMassTolerance: Double = 1e-9

    /// The model on `geometry`; the diffusion and convection take their defaults and the land
    /// fraction is the built-in `SurfaceFluxLandMask.earthLike` unless given.
    public init(geometry: Transport3DGeometry, winds: any Transport3DWindProvider = Transport3DAnalyticWinds(),
                surfaceFluxes: (any SurfaceFluxProvider)? = nil, tracerFluxes: [SurfaceFluxComponents] = [.all],
                landFraction: [Double]? = nil, reconstruction: SubgridReconstruction = .ppm) throws(TransportError) {
        let fraction = landFraction ?? SurfaceFluxLandMask.earthLike.fractions(grid: geometry.grid).land
        guard fraction.count == geometry.cellCount else {
            throw .shapeMismatch(name: "land fraction [lat, lon]", expected: geometry.cellCount, actual: fraction.count)
        }
        self.geometry = geometry
        advection = HorizontalAdvection(grid: geometry.grid, reconstruction: reconstruction)
        self.winds = winds
        self.surfaceFluxes = surfaceFluxes
        self.tracerFluxes = tracerFluxes
        self.landFraction = fraction
        boundaryLayer = VerticalBoundaryLayer()
        diffusion = try VerticalDiffusion(geometry: geometry)
        convection = try ColumnConvection(geometry: geometry)
    }

    /// A state on this model's air mass with the given mixing ratios (kg kg⁻¹, each `[level, lat, lon]`).
    public func makeState(mixingRatios: [[Double]]) throws(TransportError) -> TracerMassState {
        try TracerMassState(grid: geometry.grid, levelCount: geometry.levelCount, airMass: geometry.airMass, mixingRatios: mixingRatios)
    }

    /// What one step did.
    public struct StepReport: Sendable, Equatable {
        /// Sub-steps of the horizontal advection.
        public var substeps: Int
        /// Tracer mass that entered (negative: left) through the surface, per tracer, kg (compensated sums).
        public var appliedSource: [Double]
        /// Prescribed uptake that the limiter did not apply, per tracer, kg (≥ 0).
        public var clippedUptake: [Double]
        /// Largest relative difference of a cell's air mass after the horizontal step from the geometry's, before the reset.
        public var airMassDrift: Double
    }

    /// Advances `state` from `time` (s since 1 January 00 UTC) by `duration` seconds.
    @discardableResult
    public func step(_ state: inout TracerMassState, time: Double, duration: Double) throws(TransportError) -> StepReport {
        let n = geometry.cellCount, levels = geometry.levelCount
        guard state.levelCount == levels, state.latitudeCount == geometry.grid.latitudeCount,
              state.longitudeCount == geometry.grid.longitudeCount else {
            throw .shapeMismatch(name: "state [level, lat, lon]", expected: levels * n,
                                 actual: state.levelCount * state.latitudeCount * state.longitudeCount)
        }
        guard duration > 0, duration.isFinite, time.isFinite else {
            throw .invalidValue(name: "time step", reason: "start \(time) s, duration \(duration) s")
        }
        let tracers = state.tracerMass.count
        var report = StepReport(substeps: 0, appliedSource: [Double](repeating: 0, count: tracers),
                                clippedUptake: [Double](repeating: 0, count: tracers), airMassDrift: 0)
        let half = duration / 2
        try applySurfaceFluxes(&state, from: time, to: time + half, report: &report)
        try applyColumnPhysics(&state, time: time + half / 2, duration: half)
        let fluxes = try winds.massFluxes(geometry: geometry, from: time, duration: duration)
        report.substeps = try advection.step(&state, fluxes: fluxes).substeps
        var drift = 0.0
        for c in 0..<(levels * n) { drift = max(drift, abs(state.airMass[c] - geometry.airMass[c]) / geometry.airMass[c]) }
        report.airMassDrift = drift
        guard drift <= airMassTolerance else {
            throw .invalidValue(name: "horizontal mass fluxes",
                                reason: "change the air mass of a cell by \(drift) (relative) in one step: they are divergent, and this model has no vertical mass fluxes to balance them")
        }
        state.airMass = geometry.airMass
        try applyColumnPhysics(&state, time: time + 1.5 * half, duration: half)
        try applySurfaceFluxes(&state, from: time + half, to: time + duration, report: &report)
        return report
    }

    /// Vertical diffusion then convection over `duration` seconds, with the boundary layer and
    /// convection mask of time `time`.
    public func applyColumnPhysics(_ state: inout TracerMassState, time: Double, duration: Double) throws(TransportError) {
        let grid = geometry.grid
        let h = boundaryLayer.heights(grid: grid, landFraction: landFraction, time: time)
        try diffusion.apply(to: &state, boundaryLayerHeight: h, duration: duration)
        if convectionEnabled {
            let mask = ColumnConvection.mask(grid: grid, landFraction: landFraction, time: time)
            try convection.apply(to: &state, strength: mask, duration: duration)
        }
    }

    /// Adds the surface sources of [t0, t1] to the lowest layer (with the uptake limiter).
    private func applySurfaceFluxes(_ state: inout TracerMassState, from t0: Double, to t1: Double,
                                    report: inout StepReport) throws(TransportError) {
        guard let provider = surfaceFluxes else { return }
        let active = (0..<state.tracerMass.count).filter { $0 < tracerFluxes.count && !tracerFluxes[$0].isEmpty }
        guard !active.isEmpty else { return }
        let fields = try provider.meanFluxes(from: t0, to: t1)
        let n = geometry.cellCount
        guard fields.latitudeCount * fields.longitudeCount == n, fields.land.count == n, fields.ocean.count == n,
              fields.anthropogenic.count == n else {
            throw .shapeMismatch(name: "surface fluxes [lat, lon]", expected: n, actual: fields.land.count)
        }
        let areas = geometry.grid.cellAreas()
        let dt = t1 - t0
        let fraction = min(max(maximumUptakeFraction, 0), 1)
        for t in active {
            let flux = fields.total(tracerFluxes[t])
            var applied = [Double](repeating: 0, count: n), clipped = applied
            state.tracerMass[t].withUnsafeMutableBufferPointer { rm in
                for c in 0..<n {
                    var source = flux[c] * areas[c] * dt
                    if source < 0 {
                        let limit = max(rm[c], 0) * fraction
                        if -source > limit {
                            clipped[c] = -source - limit
                            source = -limit
                        }
                    }
                    rm[c] += source
                    applied[c] = source
                }
            }
            report.appliedSource[t] += TracerMassState.compensatedSum(applied)
            report.clippedUptake[t] += TracerMassState.compensatedSum(clipped)
        }
    }
}
