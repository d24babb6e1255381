import Foundation
import PlumeCarbonBench
import PlumeGrids
import PlumeIngest
import PlumePhysics
import Torch

/// The physics prior `reference_transport` (`processing.physics_prior`): the tracer advanced
/// over one emulator step by Plume's reference 3-D transport on the emulator's own grid, which
/// the network then corrects (a hybrid model, as NeuralGCM corrects a dynamical core).
///
/// The transport is `Transport3DModel` (PPM advection, boundary-layer mixing, convection,
/// vertical diffusion, and CarbonBench-mini's horizontal eddy mixing) in steps of
/// `physics_prior_step_hours`,
/// driven by the layer-mean winds and interface pressures of the data file the step's
/// forcing comes from (`LayerMeanMeteorologyFile`: `u`, `v`, `p_bottom`, `p_top`),
/// balanced as TM5 does. It applies **no surface flux**: the emulator's explicit surface
/// flux follows the correction, as without a prior. The prior conserves the tracer mass
/// exactly, so the mass fixer's target is unchanged.
///
/// It is not differentiated: in multi-step training the gradient reaches earlier steps
/// through the network's inputs only (the prior of a predicted state is computed from its
/// values).
public final class ReferenceTransportPrior: @unchecked Sendable {
    /// The data file whose winds drive it.
    public let path: String
    /// The tracer it advances (`processing.tracer`).
    public let tracer: String
    let source: LayerMeanMeteorologyFile
    let model: Transport3DModel
    let stepSeconds: Double
    /// Transport steps per emulator step.
    let substeps: Int
    let levelCount: Int
    let cellCount: Int

    /// The prior driven by `path`, on `grid` with `levels` layers (CarbonBench's l10 or l20,
    /// which must be the file's layers), for emulator steps of `stepHours` made of transport
    /// steps of `transportStepHours`, advancing the variable `tracer`.
    /// - Throws: `EmulatorError.dataMismatch` naming the file and what it lacks.
    public init(dataFile path: String, grid: EmulatorGrid, levels: Int, stepHours: Double,
                transportStepHours: Double = 1, tracer: String = "co2massmix") throws(EmulatorError) {
        func mismatch(_ issue: String) -> EmulatorError { .dataMismatch(file: path, issues: ["physics prior reference_transport: " + issue]) }
        guard let first = grid.longitudes.first, grid.longitudes.count >= 2 else { throw mismatch("the grid has fewer than 2 longitudes") }
        let step = 360 / Double(grid.longitudes.count)
        let transportGrid: TransportGrid
        do {
            transportGrid = try TransportGrid(latitudeCount: grid.latitudes.count, longitudeCount: grid.longitudes.count,
                                              firstWestEdgeDegrees: first - step / 2)
        } catch {
            throw mismatch("the emulator's grid is not a global lat-lon grid the transport runs on: \(error)")
        }
        let degrees = 180 / Double.pi
        for (j, latitude) in grid.latitudes.enumerated() where abs(transportGrid.centreLatitude(row: j) * degrees - latitude) > 1e-6 {
            throw mismatch("latitude \(latitude)° of row \(j) is not that of an equal-angle global grid (\(transportGrid.centreLatitude(row: j) * degrees)°)")
        }
        let hybrid: HybridLevels
        do {
            hybrid = try Transport3DGeometry.carbonBenchLevels(count: levels)
        } catch {
            throw mismatch("\(levels) levels: the transport runs on CarbonBench's l10 or l20 layers (\(error))")
        }
        let substeps = Int((stepHours / transportStepHours).rounded())
        guard transportStepHours > 0, substeps >= 1, abs(Double(substeps) * transportStepHours - stepHours) < 1e-9 else {
            throw mismatch("a step of \(stepHours) h is not a whole number of \(transportStepHours)-hour transport steps")
        }
        do {
            source = try LayerMeanMeteorologyFile(path: path, grid: transportGrid, levels: hybrid)
        } catch {
            throw mismatch("\(error)")
        }
        guard source.layersMatch else {
            throw mismatch("the file's layers (p_bottom, p_top) are not CarbonBench's \(levels) layers at its surface pressure")
        }
        do {
            let winds = try Transport3DMeteorologyWinds(source: source)
            var model = try Transport3DModel(geometry: try Transport3DGeometry(grid: transportGrid, levels: hybrid), winds: winds)
            model.horizontalDiffusion = CarbonBenchGenerator.defaultHorizontalDiffusion
            self.model = model
        } catch {
            throw mismatch("\(error)")
        }
        self.path = path
        self.tracer = tracer
        self.stepSeconds = transportStepHours * 3600
        self.substeps = substeps
        self.levelCount = levels
        self.cellCount = transportGrid.cellCount
    }

    /// The prior of `definition` (its levels, time step and `physics_prior_step_hours`) driven by `path`.
    public convenience init(dataFile path: String, definition: ModelDefinition, grid: EmulatorGrid) throws(EmulatorError) {
        try self.init(dataFile: path, grid: grid, levels: definition.levels, stepHours: definition.timeStepHours,
                      transportStepHours: definition.processing.physicsPriorStepHours, tracer: definition.processing.tracer)
    }

    /// Sets `batch.prior` to the prior of its tracer state; `records` are each sample's record
    /// in the file at the step's start. The one way training, rollouts and the benchmark
    /// attach a prior.
    public func attach(to batch: inout StepBatch, records: [Int]) throws {
        guard let state = batch.state[tracer] else {
            throw EmulatorError.failed(context: "physics prior (\(path))", reason: "the batch has no '\(tracer)' state")
        }
        batch.prior = [tracer: try advance(state, records: records)]
    }

    /// The tracer after one emulator step from each sample's state.
    /// - Parameters:
    ///   - tracer: mixing ratio, 10⁻⁶ kg/kg, `[batch, level, lat, lon]` (any device; not differentiated).
    ///   - records: each sample's record in the file, the step's start.
    /// - Returns: `[batch, level, lat, lon]` float32 on `tracer`'s device.
    public func advance(_ tracer: Tensor, records: [Int]) throws -> Tensor {
        let shape = tracer.shape
        guard shape.count == 4, shape[0] == records.count, shape[1] == levelCount, shape[2] * shape[3] == cellCount else {
            throw EmulatorError.failed(context: "physics prior (\(path))",
                                       reason: "the tracer has shape \(shape), expected [\(records.count), \(levelCount), lat, lon] with \(cellCount) cells")
        }
        let values = try tracer.detach().to(.float32, device: .cpu).contiguous().toArray(of: Float.self)
        let perSample = levelCount * cellCount
        var out = [Float](repeating: 0, count: values.count)
        for (b, record) in records.enumerated() {
            guard source.recordTimes.indices.contains(record), record + 1 < source.recordTimes.count else {
                throw EmulatorError.failed(context: "physics prior (\(path))",
                                           reason: "record \(record) has no following record to step to (the file has \(source.recordTimes.count))")
            }
            let start = source.recordTimes[record]
            let q = values[(b * perSample)..<((b + 1) * perSample)].map { Double($0) * 1e-6 }
            var state = try model.makeState(mixingRatios: [q], time: start)
            for k in 0..<substeps {
                _ = try model.step(&state, time: start + Double(k) * stepSeconds, duration: stepSeconds)
            }
            let advanced = state.mixingRatio(0)
            for i in 0..<perSample { out[b * perSample + i] = Float(advanced[i] * 1e6) }
        }
        return try Tensor(out, shape: shape).to(device: tracer.device)
    }
}
