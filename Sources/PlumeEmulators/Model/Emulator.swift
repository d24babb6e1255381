import Foundation
import PlumeSupport
import Torch

/// A trained or trainable emulator: the network, its processing, the normalisation and the
/// static inputs, saved and loaded as one safetensors checkpoint.
///
/// Checkpoint tensors: `network.<name>` (the network's parameters and buffers),
/// `static.<name>` (`[level, lat, lon]` values of each static input), `cell_area` (`[lat, lon]`,
/// m², transport), plus whatever the trainer adds (`optimizer.…`). Metadata: the JSON
/// `EmulatorCheckpointInfo` under the key `"plume"`.
public final class Emulator {
    /// Metadata stored with the checkpoint.
    public private(set) var info: EmulatorCheckpointInfo
    public let network: any EmulatorNetwork
    public let processor: StepProcessor
    /// Static input values, `[level, lat, lon]` row-major.
    public let statics: [String: [Float]]
    /// Cell areas in m², `[lat, lon]` row-major (transport).
    public let cellArea: [Double]?
    public let device: Device

    public var definition: ModelDefinition { info.definition }

    /// A new, untrained emulator (weights from `generator`).
    public convenience init(definition: ModelDefinition, statistics: NormalisationStatistics, grid: EmulatorGrid,
                levels: [String: Int], statics: [String: [Float]], cellArea: [Double]?,
                trainingData: TrainingDataDescription, device: Device = .cpu, generator: Generator? = nil) throws {
        try self.init(definition: definition, statistics: statistics, grid: grid, levels: levels, statics: statics,
                      cellArea: cellArea, trainingData: trainingData, device: device, generator: generator,
                      networkBuilder: NetworkFactory.make)
    }

    /// Builds the network of an architecture: `(architecture, inputChannels, outputChannels, grid, generator)`.
    /// The seam through which tests and the trainer's callers give a network of their own.
    typealias NetworkBuilder = (ModelDefinition.Architecture, Int, Int, EmulatorGrid, Generator?) throws -> any EmulatorNetwork

    /// A new emulator whose network `networkBuilder` makes.
    init(definition: ModelDefinition, statistics: NormalisationStatistics, grid: EmulatorGrid,
         levels: [String: Int], statics: [String: [Float]], cellArea: [Double]?,
         trainingData: TrainingDataDescription, device: Device, generator: Generator?,
         networkBuilder: NetworkBuilder) throws {
        info = EmulatorCheckpointInfo(definition: definition, statistics: statistics, grid: grid, levels: levels,
                                      trainingData: trainingData, plumeVersion: PlumeVersion.current)
        processor = try StepProcessor(definition: definition, statistics: statistics, grid: grid, levels: levels,
                                      statics: statics, cellArea: cellArea, device: device)
        let network = try networkBuilder(definition.architecture, processor.inputChannels, processor.outputChannels, grid, generator)
        if device != .cpu { try network.to(device: device) }
        self.network = network
        self.statics = statics
        self.cellArea = cellArea
        self.device = device
    }

    /// One step for `batch`: the prognostic state at t + Δt (see `StepProcessor.advance`).
    /// `autocast` (training with `precision: bf16`): the network's forward pass runs under
    /// autocast in that dtype and its output is cast back to float32 before the processing.
    public func step(_ batch: StepBatch, fix: Bool, autocast: DType? = nil) throws -> [String: Tensor] {
        let input = try processor.networkInput(batch)
        let output: Tensor
        if let autocast {
            output = try Torch.withAutocast(on: device, dtype: autocast) { try network(input) }.to(.float32)
        } else {
            output = try network(input)
        }
        return try processor.advance(batch, output: output, fix: fix)
    }

    // MARK: Checkpoints

    /// Writes the checkpoint atomically: network, statics, cell areas, `extra` tensors, and the
    /// metadata with `training` progress.
    public func save(to path: String, training: TrainingProgress? = nil, extra: [String: Tensor] = [:]) throws(EmulatorError) {
        var tensors = extra
        do {
            for (name, tensor) in network.stateDict() { tensors["network." + name] = try tensor.detach().to(device: .cpu) }
            let nLat = info.grid.latitudes.count, nLon = info.grid.longitudes.count
            for (name, values) in statics {
                tensors["static." + name] = try Tensor(values, shape: [info.levels[name] ?? 1, nLat, nLon])
            }
            if let cellArea { tensors["cell_area"] = try Tensor(cellArea, shape: [nLat, nLon]) }
            var checkpoint = Checkpoint(tensors: tensors)
            var info = self.info
            info.training = training
            try checkpoint.setInfo(info)
            try checkpoint.save(to: path)
        } catch {
            throw .failed(context: "writing checkpoint \(path)", reason: "\(error)")
        }
    }

    /// Loads a checkpoint written by `save`, onto `device`.
    /// - Returns: the emulator and the checkpoint's other tensors (optimiser state …).
    /// - Throws: `EmulatorError.invalidCheckpoint` naming what is wrong (not safetensors, no
    ///   Plume metadata, another format version, missing or mis-shaped tensors).
    public static func load(checkpoint path: String, device: Device = .cpu) throws(EmulatorError) -> (emulator: Emulator, extra: [String: Tensor]) {
        try load(checkpoint: path, device: device, networkBuilder: NetworkFactory.make)
    }

    /// `load(checkpoint:device:)` with the network made by `networkBuilder`.
    static func load(checkpoint path: String, device: Device, networkBuilder: NetworkBuilder) throws(EmulatorError) -> (emulator: Emulator, extra: [String: Tensor]) {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.load(from: path)
        } catch {
            throw .invalidCheckpoint(file: path, reason: "\(error)")
        }
        guard let text = checkpoint.metadata[Checkpoint.infoKey] else {
            throw .invalidCheckpoint(file: path, reason: "no Plume metadata (key '\(Checkpoint.infoKey)'): not written by plume train")
        }
        struct Version: Decodable { var formatVersion: Int?; var plumeVersion: String? }
        let version = try? JSONDecoder().decode(Version.self, from: Data(text.utf8))
        guard version?.formatVersion == EmulatorCheckpointInfo.currentFormatVersion else {
            throw .invalidCheckpoint(file: path, reason: "format version \(version?.formatVersion.map(String.init) ?? "unknown") (written by Plume \(version?.plumeVersion ?? "unknown")); this Plume (\(PlumeVersion.current)) reads version \(EmulatorCheckpointInfo.currentFormatVersion)")
        }
        let info: EmulatorCheckpointInfo
        do {
            guard let decoded = try checkpoint.decodeInfo(EmulatorCheckpointInfo.self) else {
                throw EmulatorError.invalidCheckpoint(file: path, reason: "no Plume metadata")
            }
            info = decoded
        } catch {
            throw .invalidCheckpoint(file: path, reason: "metadata: \(error)")
        }
        var statics: [String: [Float]] = [:]
        var extra: [String: Tensor] = [:]
        var networkState: [String: Tensor] = [:]
        var cellArea: [Double]?
        do {
            for (name, tensor) in checkpoint.tensors {
                if name.hasPrefix("network.") {
                    networkState[String(name.dropFirst("network.".count))] = tensor
                } else if name.hasPrefix("static.") {
                    statics[String(name.dropFirst("static.".count))] = try tensor.toArray(of: Float.self)
                } else if name == "cell_area" {
                    cellArea = try tensor.toArray(of: Double.self)
                } else {
                    extra[name] = tensor
                }
            }
        } catch {
            throw .invalidCheckpoint(file: path, reason: "\(error)")
        }
        let emulator: Emulator
        do {
            emulator = try Emulator(definition: info.definition, statistics: info.statistics, grid: info.grid,
                                    levels: info.levels, statics: statics, cellArea: cellArea,
                                    trainingData: info.trainingData, device: device, generator: nil,
                                    networkBuilder: networkBuilder)
            try emulator.network.loadStateDict(networkState)
        } catch {
            throw .invalidCheckpoint(file: path, reason: "\(error)")
        }
        emulator.info.training = info.training
        return (emulator, extra)
    }

    /// Checks that `file` fits this emulator: grid, levels and variables. Lists every difference.
    public func checkFits(_ file: EmulatorDataFile, checkpoint: String) throws(EmulatorError) {
        var issues: [String] = []
        if file.grid.shape != info.grid.shape
            || zip(file.grid.latitudes, info.grid.latitudes).contains(where: { abs($0 - $1) > 1e-6 })
            || zip(file.grid.longitudes, info.grid.longitudes).contains(where: { abs($0 - $1) > 1e-6 }) {
            issues.append("grid: the file is \(file.grid.shape[0])×\(file.grid.shape[1]), checkpoint \(checkpoint) was trained on '\(definition.grid)' \(info.grid.shape[0])×\(info.grid.shape[1])")
        }
        for (name, count) in info.levels.sorted(by: { $0.key < $1.key }) where file.provides(name) && file.levelCount(of: name) != count {
            issues.append("variable '\(name)': \(file.levelCount(of: name)) level(s) in the file, \(count) in checkpoint \(checkpoint)")
        }
        if !issues.isEmpty { throw .dataMismatch(file: file.path, issues: issues) }
    }
}
