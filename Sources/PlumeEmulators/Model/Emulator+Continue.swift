import Foundation
import Torch

extension Emulator {
    /// A new emulator that starts from this one's weights but trains on `definition`'s
    /// schedule: the way to fine-tune a trained checkpoint further (longer rollouts, more
    /// steps) without its one-step phase. The normalisation statistics, grid, levels, static
    /// fields and training-data description are kept, so the result scores on the same data
    /// as the checkpoint; no optimiser state or progress is carried over.
    ///
    /// - Parameter checkpoint: the checkpoint this emulator was loaded from, for messages.
    /// - Throws: `EmulatorError.invalidCheckpoint` listing every key outside `training` (and
    ///   `name`) in which `definition` differs from the checkpoint's model: those shape the
    ///   network or its processing, so the weights would not mean the same.
    public func continued(as definition: ModelDefinition, checkpoint: String) throws(EmulatorError) -> Emulator {
        try continued(as: definition, checkpoint: checkpoint, networkBuilder: NetworkFactory.make)
    }

    /// `continued(as:checkpoint:)` with the network made by `networkBuilder`.
    func continued(as definition: ModelDefinition, checkpoint: String, networkBuilder: NetworkBuilder) throws(EmulatorError) -> Emulator {
        var differences: [String] = []
        let own = self.definition
        if own.task != definition.task { differences.append("task (\(own.task.rawValue) → \(definition.task.rawValue))") }
        if own.grid != definition.grid { differences.append("grid (\(own.grid) → \(definition.grid))") }
        if own.levels != definition.levels { differences.append("levels (\(own.levels) → \(definition.levels))") }
        if own.timeStepHours != definition.timeStepHours {
            differences.append("time_step_hours (\(own.timeStepHours) → \(definition.timeStepHours))")
        }
        if own.variables != definition.variables { differences.append("variables") }
        if own.architecture != definition.architecture { differences.append("architecture") }
        if own.processing != definition.processing { differences.append("processing") }
        guard differences.isEmpty else {
            throw .invalidCheckpoint(file: checkpoint, reason: "its model differs from the model file in \(differences.joined(separator: ", ")); only name and training may change when continuing from a checkpoint")
        }
        let state = Dictionary(network.stateDict().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        do {
            let next = try Emulator(definition: definition, statistics: info.statistics, grid: info.grid, levels: info.levels,
                                    statics: statics, cellArea: cellArea, trainingData: info.trainingData, device: device,
                                    generator: nil, networkBuilder: networkBuilder)
            try next.network.loadStateDict(state)
            return next
        } catch {
            throw .invalidCheckpoint(file: checkpoint, reason: "\(error)")
        }
    }
}
