import ArgumentParser
import Foundation
import PlumeAssimilation
import PlumeCarbonBench
import PlumeGrids
import PlumeIngest
import PlumePhysics

/// Each ensemble member's flux: the prior land and ocean fluxes scaled by the member's
/// factors for the week the interval falls in (weeks of 7 days from `start`), plus the
/// anthropogenic flux.
struct EnsembleFluxComposer: TracerFluxComposer {
    let regions: FluxRegions
    let start: Double
    /// [member][week][factor]
    let factors: [[[Double]]]

    static let weekSeconds = 7 * 86_400.0

    func flux(tracer: Int, fields: SurfaceFluxFields, from t0: Double, to t1: Double) throws(TransportError) -> [Double] {
        guard factors.indices.contains(tracer), !factors[tracer].isEmpty else {
            throw .invalidValue(name: "ensemble fluxes", reason: "no factors for member \(tracer) (\(factors.count) members)")
        }
        let weeks = factors[tracer].count
        let week = min(weeks - 1, max(0, Int((((t0 + t1) / 2 - start) / Self.weekSeconds).rounded(.down))))
        let scaled: [Double]
        do throws(AssimilationError) {
            scaled = try regions.scaled(land: fields.land, ocean: fields.ocean, factors: factors[tracer][week])
        } catch {
            throw .invalidValue(name: "ensemble fluxes of member \(tracer)", reason: "\(error)")
        }
        return zip(scaled, fields.anthropogenic).map { $0 + $1 }
    }
}

/// The inversion's transport by the reference model: all members as tracers of one
/// `Transport3DModel` run (PPM advection, boundary-layer mixing, convection, vertical
/// diffusion, CarbonBench-mini's eddy mixing), driven by the layer winds, interface pressures
/// and surface fluxes of a CarbonBench-layout file — the model that made the data, so a twin
/// whose truth it also runs has a perfect transport.
struct ReferenceEnsembleTransport: InversionTransport {
    let model: Transport3DModel
    let regions: FluxRegions
    let stepSeconds: Double
    /// Transport steps per step.
    let substeps: Int
    let cellCount: Int

    /// - Parameters:
    ///   - source: a CarbonBench-layout file's layer winds and interface pressures
    ///     (u, v, p_bottom, p_top).
    ///   - fluxes: its prior fluxes (co2flux_land / ocean / anthro).
    ///   - stepSeconds: the observation step (a whole number of `transportStepSeconds`).
    init(source: LayerMeanMeteorologyFile, fluxes: SurfaceFluxArrays, regions: FluxRegions,
         stepSeconds: Double, transportStepSeconds: Double) throws {
        let grid = source.grid
        let winds = try Transport3DMeteorologyWinds(source: source)
        var model = try Transport3DModel(geometry: try Transport3DGeometry(grid: grid, levels: source.levels), winds: winds, surfaceFluxes: fluxes)
        model.horizontalDiffusion = CarbonBenchGenerator.defaultHorizontalDiffusion
        let substeps = Int((stepSeconds / transportStepSeconds).rounded())
        guard substeps >= 1, abs(Double(substeps) * transportStepSeconds - stepSeconds) < 1e-6 else {
            throw ValidationError("--time-step \(transportStepSeconds): must divide the \(stepSeconds) s observation step")
        }
        self.model = model
        self.regions = regions
        self.stepSeconds = stepSeconds
        self.substeps = substeps
        cellCount = grid.cellCount
    }

    mutating func run(initial: [Double], start: Double, steps: Int, factors: [[[Double]]],
                      observe: (Int, [[Double]]) throws -> Void) throws -> [[Double]] {
        var model = self.model
        model.tracerFluxComposer = EnsembleFluxComposer(regions: regions, start: start, factors: factors)
        let q = initial.map { $0 * 1e-6 }
        var state = try model.makeState(mixingRatios: [[Double]](repeating: q, count: factors.count), time: start)
        let dt = stepSeconds / Double(substeps)
        for step in 0..<steps {
            for k in 0..<substeps {
                try model.step(&state, time: start + Double(step) * stepSeconds + Double(k) * dt, duration: dt)
            }
            let lowest = (0..<factors.count).map { m in
                (0..<cellCount).map { c in state.tracerMass[m][c] / state.airMass[c] * 1e6 }
            }
            try observe(step, lowest)
        }
        return (0..<factors.count).map { m in state.mixingRatio(m).map { $0 * 1e6 } }
    }
}
