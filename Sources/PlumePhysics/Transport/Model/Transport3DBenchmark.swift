import Dispatch
import Foundation
import PlumeGrids
import PlumeConservation
import PlumeIngest

/// Tracers of the 3D transport benchmark (`plume bench transport`), mixing ratios in kg kg⁻¹.
public enum Transport3DBenchTracer: String, CaseIterable, Sendable {
    /// CO2: 400 ppm everywhere at the start (608·10⁻⁶ kg kg⁻¹), all surface fluxes.
    case co2
    /// The uniform-field check: 400 ppm, no fluxes; must stay uniform.
    case uniform
    /// Fossil CO2 only: starts at zero, anthropogenic fluxes (tests positivity near zero).
    case fossil
    /// Biosphere and ocean only: starts at 1 ppm, land + ocean fluxes, whose daytime uptake
    /// exceeds what the lowest layer holds — the uptake limiter acts and the minimum must stay ≥ 0.
    case biosphere

    /// Mass mixing ratio of `ppm` µmol mol⁻¹ of CO2, kg kg⁻¹.
    public static func massMixingRatio(ppm: Double) -> Double {
        ppm * 1e-6 * PhysicalConstants.molarMassCO2 / PhysicalConstants.molarMassAir
    }

    public var initialMixingRatio: Double {
        switch self {
        case .co2, .uniform: Self.massMixingRatio(ppm: 400)
        case .fossil: 0
        case .biosphere: Self.massMixingRatio(ppm: 1)
        }
    }

    public var fluxes: SurfaceFluxComponents {
        switch self {
        case .co2: .all
        case .uniform: []
        case .fossil: .anthropogenic
        case .biosphere: [.land, .ocean]
        }
    }
}

/// The outcome of a run of `Transport3DBenchmark`.
public struct Transport3DRunResult: Sendable {
    public var gridName: String
    public var latitudeCount: Int
    public var longitudeCount: Int
    public var levelCount: Int
    public var levelsName: String
    /// Time step, s.
    public var timeStep: Double
    public var steps: Int
    /// Horizontal sub-steps in all.
    public var substeps: Int
    public var tracers: [Transport3DBenchTracer]
    /// Per tracer: largest |ΔM − S| / max(M_before, M_after) over the steps (ΔM the change of
    /// the global tracer mass in a step, S the applied surface source).
    public var worstRelativeResidual: [Double]
    /// Per tracer: largest |ΔM − S| of a step, kg.
    public var worstAbsoluteResidual: [Double]
    /// Per tracer: smallest and largest mixing ratio (kg kg⁻¹) after any step.
    public var minimumMixingRatio: [Double]
    public var maximumMixingRatio: [Double]
    /// Largest |q/q₀ − 1| of the `uniform` tracer over all cells and steps (NaN without it).
    public var uniformDeviation: Double
    /// Per tracer: initial and final global mass, kg; applied and clipped surface source in all, kg.
    public var initialMass: [Double]
    public var finalMass: [Double]
    public var appliedSource: [Double]
    public var clippedUptake: [Double]
    /// Largest relative difference of a cell's air mass from the geometry's after a step.
    public var worstAirMassDrift: Double
    /// Wall-clock seconds spent in `Transport3DModel.step`, and in the whole run (with the checks).
    public var stepSeconds: Double
    public var totalSeconds: Double
    /// Global land fraction of the mask (area-weighted).
    public var landFraction: Double

    public var simulatedDays: Double { Double(steps) * timeStep / PhysicalConstants.day }
    /// Simulated days per wall-clock second of the model steps.
    public var simulatedDaysPerSecond: Double { simulatedDays / stepSeconds }
}

/// Runs the 3D reference transport model with the synthetic fluxes and analytic winds (or
/// `winds`, e.g. `Transport3DMeteorologyWinds` over `RotatingSurfacePressureMeteorology`) and
/// checks its invariants after every step (`plume bench transport`, acceptance 2 and 4 of
/// issue 6).
public enum Transport3DBenchmark {
    /// Runs `steps` steps of `timeStep` seconds from 00 UTC 1 January on `grid` with `levels`,
    /// carrying `tracers`, with `horizontalDiffusion` (nil: none) as the model's subgrid eddy mixing.
    /// `progress(step, steps)` is called every `progressInterval` steps.
    public static func run(grid: TransportGrid, gridName: String, levels: HybridLevels, steps: Int, timeStep: Double,
                           tracers: [Transport3DBenchTracer] = Transport3DBenchTracer.allCases,
                           winds: any Transport3DWindProvider = Transport3DAnalyticWinds(),
                           horizontalDiffusion: HorizontalEddyDiffusion? = nil,
                           progressInterval: Int = 0,
                           progress: ((Int, Int) -> Void)? = nil) throws(TransportError) -> Transport3DRunResult {
        guard steps >= 1 else { throw .invalidValue(name: "steps", reason: "\(steps): need at least one") }
        guard timeStep > 0, timeStep.isFinite else { throw .invalidValue(name: "time step", reason: "\(timeStep) s") }
        guard !tracers.isEmpty else { throw .invalidValue(name: "tracers", reason: "none given") }
        let clockStart = DispatchTime.now().uptimeNanoseconds
        let geometry = try Transport3DGeometry(grid: grid, levels: levels)
        let fluxes = try SyntheticSurfaceFluxes(grid: grid)
        var model = try Transport3DModel(geometry: geometry, winds: winds, surfaceFluxes: fluxes, tracerFluxes: tracers.map(\.fluxes),
                                         landFraction: fluxes.landFraction)
        model.horizontalDiffusion = horizontalDiffusion
        let size = geometry.levelCount * geometry.cellCount
        var state = try model.makeState(mixingRatios: tracers.map { [Double](repeating: $0.initialMixingRatio, count: size) })
        let count = tracers.count
        var mass = (0..<count).map { state.totalTracerMass($0) }
        let initialMass = mass
        var worstRelative = [Double](repeating: 0, count: count), worstAbsolute = worstRelative
        var minimum = tracers.map(\.initialMixingRatio), maximum = minimum
        var applied = [Double](repeating: 0, count: count), clipped = applied
        var uniformDeviation = tracers.contains(.uniform) ? 0.0 : .nan
        var drift = 0.0, substeps = 0, stepNanoseconds: UInt64 = 0
        for n in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let report = try model.step(&state, time: Double(n) * timeStep, duration: timeStep)
            stepNanoseconds += DispatchTime.now().uptimeNanoseconds - t0
            substeps += report.substeps
            drift = max(drift, report.airMassDrift)
            for t in 0..<count {
                let after = state.totalTracerMass(t)
                let residual = abs(after - mass[t] - report.appliedSource[t])
                let scale = max(abs(after), abs(mass[t]))
                worstAbsolute[t] = max(worstAbsolute[t], residual)
                if scale > 0 { worstRelative[t] = max(worstRelative[t], residual / scale) }
                applied[t] += report.appliedSource[t]
                clipped[t] += report.clippedUptake[t]
                mass[t] = after
                let rm = state.tracerMass[t], m = state.airMass
                var lo = Double.infinity, hi = -Double.infinity
                for c in 0..<size {
                    let q = rm[c] / m[c]
                    lo = min(lo, q)
                    hi = max(hi, q)
                }
                minimum[t] = min(minimum[t], lo)
                maximum[t] = max(maximum[t], hi)
                if tracers[t] == .uniform {
                    let q0 = tracers[t].initialMixingRatio
                    uniformDeviation = max(uniformDeviation, abs(lo / q0 - 1), abs(hi / q0 - 1))
                }
            }
            if let progress, progressInterval > 0, (n + 1) % progressInterval == 0 { progress(n + 1, steps) }
        }
        let areas = grid.cellAreas()
        let land = zip(fluxes.landFraction, areas).map { $0 * $1 }.reduce(0, +) / areas.reduce(0, +)
        return Transport3DRunResult(
            gridName: gridName, latitudeCount: grid.latitudeCount, longitudeCount: grid.longitudeCount,
            levelCount: geometry.levelCount, levelsName: levels.name, timeStep: timeStep, steps: steps, substeps: substeps,
            tracers: tracers, worstRelativeResidual: worstRelative, worstAbsoluteResidual: worstAbsolute,
            minimumMixingRatio: minimum, maximumMixingRatio: maximum, uniformDeviation: uniformDeviation,
            initialMass: initialMass, finalMass: mass, appliedSource: applied, clippedUptake: clipped,
            worstAirMassDrift: drift, stepSeconds: Double(stepNanoseconds) / 1e9,
            totalSeconds: Double(DispatchTime.now().uptimeNanoseconds - clockStart) / 1e9, landFraction: land)
    }
}
