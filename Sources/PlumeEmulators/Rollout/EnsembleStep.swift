import PlumeIO
import Torch

extension Emulator {
    /// One step of every member of an ensemble, run as one batch: the prognostic variables
    /// at t + Δt of each member, from its state at t. Each state holds every prognostic
    /// variable as float32 values `[level, lat, lon]` on the emulator's grid.
    ///
    /// For emulators that need nothing but their state, statics and the time of year (the
    /// weather emulators); one with forcing variables takes them per member in
    /// `advance(_:forcing:forcingNext:dayOfYear:)`.
    /// - Parameter dayOfYear: each member's day of the year at t (0 = 1 January 00:00).
    /// - Throws: `EmulatorError` for a state of the wrong shape, an emulator that needs forcing,
    ///   or a step that produces non-finite values (named by member and variable).
    public func advance(_ members: [[String: [Float]]], dayOfYear: [Double]) throws -> [[String: [Float]]] {
        guard !members.isEmpty else { return [] }
        guard definition.variables.forcing.isEmpty else {
            throw EmulatorError.invalidRequest("\(definition.name) needs forcing (\(definition.variables.forcing.joined(separator: ", "))): give each member its forcing (advance(_:forcing:forcingNext:dayOfYear:)) or run it with plume rollout")
        }
        let none = [[String: [Float]]](repeating: [:], count: members.count)
        return try advance(members, forcing: none, forcingNext: none, dayOfYear: dayOfYear)
    }

    /// One step of every member of an ensemble with its own forcing (an inversion's members,
    /// each with its own surface fluxes): `forcing[m]` holds every forcing variable of the
    /// model at t (surface fluxes: the mean over [t, t + Δt]) and `forcingNext[m]` at t + Δt,
    /// float32 `[level, lat, lon]` each. The mass fixer and the explicit surface-flux scheme
    /// act on each member with its own fluxes, as in a rollout.
    /// - Throws: `EmulatorError` for a state or forcing of the wrong shape, a missing forcing
    ///   variable, an emulator with a physics prior (it needs the data files: `Rollout`), or
    ///   a step that produces non-finite values (named by member and variable).
    public func advance(_ members: [[String: [Float]]], forcing: [[String: [Float]]], forcingNext: [[String: [Float]]],
                        dayOfYear: [Double]) throws -> [[String: [Float]]] {
        guard !members.isEmpty else { return [] }
        guard dayOfYear.count == members.count, forcing.count == members.count, forcingNext.count == members.count else {
            throw EmulatorError.invalidRequest("\(members.count) members need as many days of the year and forcing sets, got \(dayOfYear.count), \(forcing.count) and \(forcingNext.count)")
        }
        let definition = self.definition
        guard !definition.processing.usesPhysicsPrior else {
            throw EmulatorError.invalidRequest("\(definition.name) has a physics prior (\(definition.processing.physicsPrior)): run it with plume rollout")
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
            func stacked(_ sets: [[String: [Float]]], _ name: String, _ what: String) throws -> Tensor {
                let size = levels(name) * nLat * nLon
                var values: [Float] = []
                values.reserveCapacity(sets.count * size)
                for (m, set) in sets.enumerated() {
                    guard let field = set[name], field.count == size else {
                        let reason = set[name] == nil ? "is missing" : "has \(set[name]?.count ?? 0) values"
                        throw EmulatorError.invalidRequest("member \(m + 1): forcing '\(name)' \(what) \(reason) (needs \(size) values [\(levels(name)), \(nLat), \(nLon)])")
                    }
                    values += field
                }
                return try Tensor(values, shape: [sets.count, levels(name), nLat, nLon]).to(device: device)
            }
            var forcingNow: [String: Tensor] = [:], forcingLater: [String: Tensor] = [:]
            for name in definition.variables.forcing {
                forcingNow[name] = try stacked(forcing, name, "at t")
                forcingLater[name] = try stacked(forcingNext, name, "at t + Δt")
            }
            let batch = StepBatch(state: state, forcing: forcingNow, forcingNext: forcingLater, dayOfYear: dayOfYear)
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
