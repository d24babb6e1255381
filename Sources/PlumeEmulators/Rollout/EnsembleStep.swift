import PlumeIO
import Torch

extension Emulator {
    /// One step of every member of an ensemble, run as one batch: the prognostic variables
    /// at t + Δt of each member, from its state at t. Each state holds every prognostic
    /// variable as float32 values `[level, lat, lon]` on the emulator's grid.
    ///
    /// For emulators that need nothing but their state, statics and the time of year (the
    /// weather emulators); one with forcing variables or a physics prior needs the data files
    /// `Rollout` reads.
    /// - Parameter dayOfYear: each member's day of the year at t (0 = 1 January 00:00).
    /// - Throws: `EmulatorError` for a state of the wrong shape, an emulator that needs forcing,
    ///   or a step that produces non-finite values (named by member and variable).
    public func advance(_ members: [[String: [Float]]], dayOfYear: [Double]) throws -> [[String: [Float]]] {
        guard !members.isEmpty else { return [] }
        guard dayOfYear.count == members.count else {
            throw EmulatorError.invalidRequest("\(members.count) members need as many days of the year, got \(dayOfYear.count)")
        }
        let definition = self.definition
        guard definition.variables.forcing.isEmpty, !definition.processing.usesPhysicsPrior else {
            throw EmulatorError.invalidRequest("\(definition.name) needs forcing (\(definition.variables.forcing.joined(separator: ", "))) or a physics prior: run it with plume rollout")
        }
        let nLat = processor.grid.latitudes.count, nLon = processor.grid.longitudes.count
        let prognostic = definition.variables.prognostic
        func levels(_ name: String) -> Int { info.levels[name] ?? 1 }
        return try Torch.withoutGrad { () throws -> [[String: [Float]]] in
            var state: [String: Tensor] = [:]
            for name in prognostic {
                let size = levels(name) * nLat * nLon
                var values: [Float] = []
                values.reserveCapacity(members.count * size)
                for (m, member) in members.enumerated() {
                    guard let field = member[name], field.count == size else {
                        throw EmulatorError.invalidRequest("member \(m + 1): '\(name)' needs \(size) values [\(levels(name)), \(nLat), \(nLon)], got \(member[name]?.count ?? 0)")
                    }
                    values += field
                }
                state[name] = try Tensor(values, shape: [members.count, levels(name), nLat, nLon]).to(device: device)
            }
            let batch = StepBatch(state: state, forcing: [:], forcingNext: [:], dayOfYear: dayOfYear)
            let result = try step(batch, fix: true)
            var out = [[String: [Float]]](repeating: [:], count: members.count)
            for name in prognostic {
                guard let tensor = result[name] else { continue }
                let values = try tensor.to(device: .cpu).contiguous().toArray(of: Float.self)
                let size = levels(name) * nLat * nLon
                for m in members.indices {
                    let field = Array(values[(m * size)..<((m + 1) * size)])
                    if let bad = field.firstIndex(where: { !$0.isFinite }) {
                        throw EmulatorError.failed(context: "ensemble step, member \(m + 1)", reason: "'\(name)' became \(field[bad]) at element \(bad): the emulator is unstable here")
                    }
                    out[m][name] = field
                }
            }
            return out
        }
    }
}

extension Emulator {
    /// The day of the year the emulators are given for `date` (0 = 1 January 00:00,
    /// fractional), as in training.
    public static func dayOfYear(_ date: CFDate) -> Double { TrainingWindow.dayOfYear(date) }
}
