import ArgumentParser
import Foundation
import PlumeAssimilation
import PlumeEmulators
import Torch

/// The inversion's transport by a CO2 emulator: all members stepped as one Torch batch
/// (`Emulator.advance` with per-member forcing), each with the data file's meteorology and
/// its own scaled land and ocean fluxes as forcing, so that the network, the explicit
/// surface-flux scheme and the mass fixer all see the member's fluxes.
struct EmulatorEnsembleTransport: InversionTransport {
    let emulator: Emulator
    let file: EmulatorDataFile
    /// The regions on the emulator's grid (its rows, in its order).
    let regions: FluxRegions
    let stepSeconds: Double
    /// Model time (s) of the file's record 0.
    let fileStart: Double
    let tracer: String
    let levels: Int
    let cellCount: Int

    /// - Parameters:
    ///   - checkpoint: a transport emulator (`plume train`) without a physics prior.
    ///   - dataPath: the file whose records give the forcing (the twin's data file).
    ///   - bandEdges: the regions' latitude bands (as the twin's).
    ///   - fileStart: model time (s) of the file's first record.
    init(checkpoint: String, dataPath: String, bandEdges: [Double], fileStart: Double) throws {
        let (emulator, _) = try Emulator.load(checkpoint: checkpoint, device: .cpu)
        emulator.network.eval()
        let definition = emulator.definition
        guard definition.task == .transport else {
            throw ValidationError("--checkpoint \(checkpoint): a transport emulator is needed, this one is a \(definition.task.rawValue) emulator")
        }
        guard !definition.processing.usesPhysicsPrior else {
            throw ValidationError("--checkpoint \(checkpoint): its physics prior (\(definition.processing.physicsPrior)) runs the reference transport inside every step; use an emulator without one")
        }
        for name in ["co2flux_land", "co2flux_ocean"] where !definition.variables.forcing.contains(name) {
            throw ValidationError("--checkpoint \(checkpoint): the emulator has no forcing '\(name)', so the members' fluxes cannot reach it")
        }
        let model = ModelFile(definition: definition, path: checkpoint)
        file = try EmulatorDataFile(path: dataPath, model: model)
        try emulator.checkFits(file, checkpoint: checkpoint)
        self.emulator = emulator
        let grid = emulator.processor.grid
        regions = try FluxRegions(edgesDegrees: bandEdges, latitudes: grid.latitudes, longitudeCount: grid.longitudes.count)
        stepSeconds = definition.timeStepHours * 3600
        self.fileStart = fileStart
        tracer = definition.processing.tracer
        levels = emulator.info.levels[tracer] ?? 1
        cellCount = grid.latitudes.count * grid.longitudes.count
    }

    /// Every forcing variable of `record`, the land and ocean fluxes scaled by `factors`.
    private func forcing(record: Int, shared: [String: [Float]], factors: [Double]) -> [String: [Float]] {
        var set = shared
        let nLon = regions.longitudeCount
        for (name, offset) in [("co2flux_land", 0), ("co2flux_ocean", 1)] {
            guard let flux = shared[name] else { continue }
            var scaled = flux
            for c in 0..<min(flux.count, cellCount) {
                scaled[c] = Float(Double(flux[c]) * factors[2 * regions.bandOfRow[c / nLon] + offset])
            }
            set[name] = scaled
        }
        return set
    }

    mutating func run(initial: [Double], start: Double, steps: Int, factors: [[[Double]]],
                      observe: (Int, [[Double]]) throws -> Void) throws -> [[Double]] {
        let first = Int(((start - fileStart) / stepSeconds).rounded())
        guard first >= 0, first + steps < file.recordCount else {
            throw ValidationError("\(file.path): the emulator needs records \(first)…\(first + steps) as forcing; the file has \(file.recordCount)")
        }
        let week = 7 * 86_400.0
        var members = factors.map { _ in [tracer: initial.map { Float($0) }] }
        func record(_ k: Int) throws -> [String: [Float]] {
            var fields: [String: [Float]] = [:]
            for name in emulator.definition.variables.forcing { fields[name] = try file.read(name, time: k) }
            return fields
        }
        var next = try record(first)
        for step in 0..<steps {
            let k = first + step
            // The forcing at t is the last step's at t + Δt: each record is read once.
            let now = next
            next = try record(k + 1)
            // The week (of the run) that each member's fluxes at t and t + Δt fall in.
            let stepSeconds = self.stepSeconds
            let weekNow = { (m: Int) in min(factors[m].count - 1, Int((Double(step) * stepSeconds / week).rounded(.down))) }
            let weekNext = { (m: Int) in min(factors[m].count - 1, Int((Double(step + 1) * stepSeconds / week).rounded(.down))) }
            members = try emulator.advance(
                members,
                forcing: factors.indices.map { forcing(record: k, shared: now, factors: factors[$0][weekNow($0)]) },
                forcingNext: factors.indices.map { forcing(record: k + 1, shared: next, factors: factors[$0][weekNext($0)]) },
                dayOfYear: [Double](repeating: Emulator.dayOfYear(file.times[k]), count: factors.count))
            try observe(step, members.map { member in (member[tracer] ?? []).prefix(cellCount).map(Double.init) })
        }
        return members.map { ($0[tracer] ?? []).map(Double.init) }
    }
}
