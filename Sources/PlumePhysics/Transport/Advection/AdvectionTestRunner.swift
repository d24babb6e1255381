import PlumeVerify
import Foundation
import PlumeConservation
import PlumeGrids

/// What one run of an `AdvectionTestCase` measured.
public struct AdvectionTestResult: Sendable {
    public var testCase: AdvectionTestCase
    public var reconstruction: SubgridReconstruction
    public var latitudeCount: Int
    public var longitudeCount: Int
    /// Grid spacing, degrees (180 / nlat).
    public var resolution: Double { 180 / Double(latitudeCount) }
    public var steps: Int
    /// Step length, s.
    public var timeStep: Double
    /// Sub-steps over the whole run (= `steps` when no step was split).
    public var substeps: Int
    /// Errors at the end against the exact solution (the initial cell averages).
    public var norms: ErrorNorms
    /// Smallest and largest mixing ratio at the end and at the start.
    public var minimum: Double
    public var maximum: Double
    public var initialMinimum: Double
    public var initialMaximum: Double
    /// Largest |ΔΣrm| / Σrm of one step, and over the run.
    public var worstStepTracerMassChange: Double
    public var tracerMassChange: Double
    /// Largest |m − m₀| / m₀ of any cell at the end (air mass constancy).
    public var airMassDeviation: Double
    /// Wall-clock seconds in `HorizontalAdvection.step` and in computing the fluxes.
    public var advectionSeconds: Double
    public var fluxSeconds: Double
    /// Simulated days per wall-clock second of the advection alone.
    public var simulatedDaysPerSecond: Double { testCase.duration / PhysicalConstants.day / advectionSeconds }
}

/// Runs the transport test cases on global lat-lon grids and computes convergence orders.
public enum AdvectionTestRunner {
    /// Steps for a meridional Courant number `courant` (v_max·Δt / (R·Δφ), ≈ twice that in
    /// air-mass units at the polar rows): ⌈duration·v_max / (courant·R·Δφ)⌉.
    public static func steps(for testCase: AdvectionTestCase, grid: TransportGrid, courant: Double) -> Int {
        let speed = testCase.maximumMeridionalSpeed(radius: grid.radius)
        let dy = grid.radius * grid.smallestLatitudeStep
        return max(1, Int((testCase.duration * speed / (courant * dy)).rounded(.up)))
    }

    /// Runs `testCase` on `grid` for its whole duration in `steps` steps (default: from
    /// `courant`), with layers of 10⁵ Pa / g of air.
    public static func run(_ testCase: AdvectionTestCase, grid: TransportGrid, steps: Int? = nil, courant: Double = 0.8,
                           reconstruction: SubgridReconstruction = .ppm) throws(TransportError) -> AdvectionTestResult {
        let n = steps ?? Self.steps(for: testCase, grid: grid, courant: courant)
        guard n >= 1 else { throw .invalidValue(name: "steps", reason: "must be at least 1, got \(n)") }
        let dt = testCase.duration / Double(n)
        let sigma = 1e5 / PhysicalConstants.standardGravity
        let q0 = testCase.initialMixingRatio(grid: grid)
        var state = try TracerMassState(grid: grid, massPerArea: [sigma], mixingRatios: [q0])
        let m0 = state.airMass
        let advection = HorizontalAdvection(grid: grid, reconstruction: reconstruction)
        let initialTracer = state.totalTracerMass(0)
        var previousTracer = initialTracer
        var worstStep = 0.0
        var substeps = 0
        var advectionSeconds = 0.0, fluxSeconds = 0.0
        var steadyFluxes: HorizontalMassFluxes?
        for s in 0..<n {
            let fluxStart = DispatchTime.now().uptimeNanoseconds
            let fluxes: HorizontalMassFluxes
            if let f = steadyFluxes {
                fluxes = f
            } else {
                let psi = testCase.meanCornerStreamfunction(grid: grid, from: Double(s) * dt, to: Double(s + 1) * dt)
                fluxes = try StreamfunctionMassFluxes.fluxes(grid: grid, streamfunction: psi, massPerArea: [sigma], duration: dt)
                if testCase.isSteady { steadyFluxes = fluxes }
            }
            let stepStart = DispatchTime.now().uptimeNanoseconds
            let report = try advection.step(&state, fluxes: fluxes)
            let stepEnd = DispatchTime.now().uptimeNanoseconds
            fluxSeconds += Double(stepStart - fluxStart) * 1e-9
            advectionSeconds += Double(stepEnd - stepStart) * 1e-9
            substeps += report.substeps
            let total = state.totalTracerMass(0)
            worstStep = max(worstStep, abs(total - previousTracer) / abs(initialTracer))
            previousTracer = total
        }
        let q = state.mixingRatio(0)
        let areas = grid.cellAreas()
        let norms: ErrorNorms
        do throws(VerifyError) {
            norms = try ErrorNorms(computed: q, reference: q0, areas: areas)
        } catch {
            throw .invalidValue(name: "error norms", reason: error.description)
        }
        guard norms.skipped == 0 else {
            throw .invalidValue(name: "advected field", reason: "\(norms.skipped) cells are not finite after \(n) steps")
        }
        guard norms.l1.isFinite else { throw .invalidValue(name: "exact field", reason: "is zero everywhere: the norms are undefined") }
        var airDeviation = 0.0
        for c in 0..<m0.count { airDeviation = max(airDeviation, abs(state.airMass[c] - m0[c]) / m0[c]) }
        return AdvectionTestResult(
            testCase: testCase, reconstruction: reconstruction, latitudeCount: grid.latitudeCount,
            longitudeCount: grid.longitudeCount, steps: n, timeStep: dt, substeps: substeps, norms: norms,
            minimum: q.min() ?? 0, maximum: q.max() ?? 0, initialMinimum: q0.min() ?? 0, initialMaximum: q0.max() ?? 0,
            worstStepTracerMassChange: worstStep, tracerMassChange: abs(previousTracer - initialTracer) / abs(initialTracer),
            airMassDeviation: airDeviation, advectionSeconds: advectionSeconds, fluxSeconds: fluxSeconds)
    }

    /// Convergence orders between successive results (coarse to fine):
    /// log(e_coarse / e_fine) / log(Δ_coarse / Δ_fine); `nil` for the first.
    public static func orders(_ errors: [Double], resolutions: [Double]) -> [Double?] {
        errors.indices.map { i -> Double? in
            guard i > 0, errors[i] > 0, errors[i - 1] > 0, resolutions[i] != resolutions[i - 1] else { return nil }
            return log(errors[i - 1] / errors[i]) / log(resolutions[i - 1] / resolutions[i])
        }
    }
}
