import Foundation
import PlumeIngest
import PlumeSupport

/// The 3D reference tracer transport model (TM5-like), float64: horizontal flux-form
/// finite-volume advection (`HorizontalAdvection`) in every layer, vertical mixing in the
/// boundary layer (`VerticalDiffusion` with the diurnal `VerticalBoundaryLayer`), convective
/// mixing (`ColumnConvection`), and surface fluxes into the lowest layer.
///
/// One step of length Δt from time t is the symmetric (Strang) sequence
///
///     S(t, Δt/2) · V(Δt/2) · H(t, Δt) · K(Δt) · Z(t, Δt) · V(Δt/2) · S(t + Δt/2, Δt/2)
///
/// with S the surface flux over the half step, V the column physics (diffusion, then
/// convection, with the boundary-layer height and the convection mask at the half step's
/// middle), H the horizontal advection with the fluxes of the whole step, K the subgrid
/// horizontal eddy mixing (`horizontalDiffusion`, none by default) and Z the vertical
/// advection (only with divergent, balanced winds from files).
///
/// Air mass: with discretely non-divergent winds (streamfunction), the air mass of every
/// cell is constant, the geometry's Δp·A/g. With winds and surface pressure from files
/// (`Transport3DMeteorologyWinds`) the horizontal fluxes are balanced against the
/// surface-pressure tendency and H is followed by Z, the vertical advection
/// (`VerticalAdvection`) with the fluxes from continuity: the air mass then follows the
/// surface pressure. Either way, after the advection every cell's air mass is compared with
/// the expected one (the geometry's, or the provider's at the end of the step) and the
/// step throws if they differ by more than `airMassTolerance` (relative; the difference is
/// round-off, ~10⁻¹², and is reported). The air mass is **not** reset to the expected one:
/// air and tracer masses move with the same fluxes, so a uniform mixing ratio stays uniform
/// and the tracer budget is untouched; the round-off difference persists without growing
/// (each step moves the air mass by the expected change).
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
    /// The vertical advection (used when the winds provide vertical fluxes).
    public var verticalAdvection: VerticalAdvection
    public var winds: any Transport3DWindProvider
    public var surfaceFluxes: (any SurfaceFluxProvider)?
    /// Components of the surface flux each tracer receives (by tracer index; missing: none).
    public var tracerFluxes: [SurfaceFluxComponents]
    /// When set, every tracer receives the flux it composes from the provider's fields
    /// instead of `tracerFluxes` (an inversion's ensemble members).
    public var tracerFluxComposer: (any TracerFluxComposer)?
    /// Land fraction per cell (`[lat, lon]`, 0…1), for the boundary layer and the convection mask.
    public var landFraction: [Double]
    public var boundaryLayer: VerticalBoundaryLayer
    public var diffusion: VerticalDiffusion
    public var convection: ColumnConvection
    /// Subgrid horizontal eddy mixing after the horizontal advection (nil: none).
    public var horizontalDiffusion: HorizontalEddyDiffusion?
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
        verticalAdvection = VerticalAdvection(reconstruction: reconstruction)
        self.winds = winds
        self.surfaceFluxes = surfaceFluxes
        self.tracerFluxes = tracerFluxes
        self.landFraction = fraction
        boundaryLayer = VerticalBoundaryLayer()
        diffusion = try VerticalDiffusion(geometry: geometry)
        convection = try ColumnConvection(geometry: geometry)
    }

    /// A state with the given mixing ratios (kg kg⁻¹, each `[level, lat, lon]`) on the winds'
    /// air mass at `time` (the geometry's for non-divergent winds).
    public func makeState(mixingRatios: [[Double]], time: Double = 0) throws(TransportError) -> TracerMassState {
        try TracerMassState(grid: geometry.grid, levelCount: geometry.levelCount,
                            airMass: try winds.airMass(geometry: geometry, at: time), mixingRatios: mixingRatios)
    }

    /// What one step did.
    public struct StepReport: Sendable, Equatable {
        /// Sub-steps of the horizontal advection.
        public var substeps: Int
        /// Tracer mass that entered (negative: left) through the surface, per tracer, kg (compensated sums).
        public var appliedSource: [Double]
        /// Prescribed uptake that the limiter did not apply, per tracer, kg (≥ 0).
        public var clippedUptake: [Double]
        /// Sub-steps of the vertical advection (0: none).
        public var verticalSubsteps: Int = 0
        /// The mass-flux balancing of the step (winds from files only).
        public var balance: MassFluxBalancer.Report?
        /// Largest relative difference of a cell's air mass after the advection from the
        /// expected one (the geometry's, or the winds' at the end of the step).
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
        let fluxes = try winds.stepFluxes(geometry: geometry, from: time, duration: duration)
        report.substeps = try advection.step(&state, fluxes: fluxes.horizontal).substeps
        report.balance = fluxes.balance
        if let horizontalDiffusion {
            try horizontalDiffusion.apply(to: &state, grid: geometry.grid, duration: duration)
        }
        if let upward = fluxes.upward {
            report.verticalSubsteps = try verticalAdvection.apply(to: &state, upward: upward)
        }
        let expected = fluxes.airMassAtEnd ?? geometry.airMass
        guard expected.count == levels * n else {
            throw .shapeMismatch(name: "air mass at the end of the step [level, lat, lon]", expected: levels * n, actual: expected.count)
        }
        var drift = 0.0
        for c in 0..<(levels * n) { drift = max(drift, abs(state.airMass[c] - expected[c]) / expected[c]) }
        report.airMassDrift = drift
        guard drift <= airMassTolerance else {
            throw .invalidValue(name: "air-mass fluxes",
                                reason: fluxes.upward == nil
                                    ? "change the air mass of a cell by \(drift) (relative) in one step: the horizontal fluxes are divergent and come without vertical fluxes to balance them"
                                    : "leave the air mass of a cell \(drift) (relative) from the end-of-step air mass: the fluxes are not balanced")
        }
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
        let active = (0..<state.tracerMass.count).filter { tracerFluxComposer != nil || ($0 < tracerFluxes.count && !tracerFluxes[$0].isEmpty) }
        guard !active.isEmpty else { return }
        let fields: SurfaceFluxFields
        do throws(IngestError) { fields = try provider.meanFluxes(from: t0, to: t1) } catch { throw TransportError(error) }
        let n = geometry.cellCount
        guard fields.latitudeCount * fields.longitudeCount == n, fields.land.count == n, fields.ocean.count == n,
              fields.anthropogenic.count == n else {
            throw .shapeMismatch(name: "surface fluxes [lat, lon]", expected: n, actual: fields.land.count)
        }
        let areas = geometry.grid.cellAreas()
        let dt = t1 - t0
        let fraction = min(max(maximumUptakeFraction, 0), 1)
        for t in active {
            let flux = try tracerFluxComposer?.flux(tracer: t, fields: fields, from: t0, to: t1) ?? fields.total(tracerFluxes[t])
            guard flux.count == n else { throw .shapeMismatch(name: "surface flux of tracer \(t) [lat, lon]", expected: n, actual: flux.count) }
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
            report.appliedSource[t] += compensatedSum(applied)
            report.clippedUptake[t] += compensatedSum(clipped)
        }
    }
}
