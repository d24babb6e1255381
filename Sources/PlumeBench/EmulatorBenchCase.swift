import Foundation
import PlumeEmulators
import PlumeGrids
import PlumeIO
import Torch

/// One model of `plume bench emulators`, prepared: an untrained emulator saved as a checkpoint,
/// a batch made of data records, and the network-level tensors both sides time on, saved for
/// `Benchmarks/emulators_python.py`:
/// - `train.input` `[batch, inputChannels, lat, lon]` (the processor's network input),
/// - `train.target` `[batch, outputChannels, lat, lon]`: the normalised one-step change
///   (q(t+Δt) − q(t) − μΔ[l]) / σΔ[l] the network should output,
/// - `train.weights` `[1, outputChannels, lat, 1]`: cos φ / mean(cos φ) divided by the number of
///   prognostic variables and scaled per channel so that mean(weights ⊙ (output − target)²) is
///   `StepProcessor.loss` before the surface flux (per-variable latitude-weighted MSE, averaged),
/// - `rollout.input` `[1, inputChannels, lat, lon]` (the first sample).
///
/// A model with a physics prior (`processing.physics_prior`) needs a data file with the
/// prior's winds (`--data`); its `Emulator.step` timings include computing the prior, so its
/// simulated days per second are those of a real rollout.
///
/// On a `device` other than the CPU, everything is made on the CPU as above (the saved inputs
/// too), then the emulator is loaded from the checkpoint onto the device and the batches and
/// tensors are copied there: the same weights and inputs on either device.
final class EmulatorBenchCase {
    let name: String
    let model: ModelFile
    let emulator: Emulator
    let device: Device
    let checkpointPath: String
    let inputsPath: String
    let batch: StepBatch
    let single: StepBatch
    /// Prognostic variables at t + Δt, `[batch, level, lat, lon]`.
    let truth: [String: Tensor]
    let trainInput: Tensor
    let trainTarget: Tensor
    let trainWeights: Tensor
    let rolloutInput: Tensor
    /// The physics prior and each batch sample's record (the first is `single`'s).
    let prior: ReferenceTransportPrior?
    let records: [Int]

    var definition: ModelDefinition { model.definition }
    var parameterCount: Int { emulator.network.parameters().reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// - Parameters:
    ///   - data: a data file for the model, or nil for a synthetic one written in `folder`.
    ///   - batch: samples of the training batch, drawn (with a generator seeded by `seed`) from
    ///     the file's records that have a successor.
    /// - Throws: `EmulatorBenchSkip` when the factory cannot build the model's architecture.
    init(model: ModelFile, data: String?, folder: String, batch batchSize: Int, seed: UInt64, device: Device = .cpu) throws {
        self.model = model
        self.device = device
        let definition = model.definition
        name = definition.name
        let dataPath: String
        if let data {
            dataPath = data
        } else {
            // On the model's grid (LowRes, MidRes, any regular global lat-lon grid).
            guard let grid = try? GridCatalog.grid(definition.grid) as? RegularLatLonGrid else {
                throw EmulatorBenchSkip(reason: "no synthetic data on grid \(definition.grid) (not a regular lat-lon grid): give --data")
            }
            dataPath = folder + "/synthetic-\(definition.grid)-l\(definition.levels).nc"
            if !FileManager.default.fileExists(atPath: dataPath) {
                try SyntheticTransportData.write(to: dataPath, records: max(8, batchSize + 2), levels: definition.levels,
                                                 latitudes: grid.latitudes, longitudes: grid.longitudes)
            }
        }
        let file = try EmulatorDataFile(path: dataPath, model: model)
        let statistics = try NormalisationStatistics.compute(from: file, model: definition)
        var levels: [String: Int] = [:]
        for name in definition.variables.fileVariables { levels[name] = file.levelCount(of: name) }
        var statics: [String: [Float]] = [:]
        for name in definition.variables.static { statics[name] = try file.read(name, time: 0) }
        let description = TrainingDataDescription(trainFile: dataPath, validationFile: nil, records: file.recordCount,
                                                  firstTime: file.times.first.map { "\($0)" } ?? "", lastTime: file.times.last.map { "\($0)" } ?? "",
                                                  source: nil)
        let emulator: Emulator
        do {
            emulator = try Emulator(definition: definition, statistics: statistics, grid: file.grid, levels: levels, statics: statics,
                                    cellArea: file.cellArea, trainingData: description, generator: try Generator(seed: seed))
        } catch let error as EmulatorError {
            if case .invalidRequest(let message) = error, message.contains("not built") {
                throw EmulatorBenchSkip(reason: message)
            }
            throw error
        }
        checkpointPath = folder + "/\(name).safetensors"
        inputsPath = folder + "/\(name)-inputs.safetensors"
        try emulator.save(to: checkpointPath)
        self.emulator = device == .cpu ? emulator : try Emulator.load(checkpoint: checkpointPath, device: device).emulator

        // The batch: records t (state, forcing) and t + 1 (forcing, truth).
        guard file.recordCount >= 2 else {
            throw EmulatorError.dataMismatch(file: dataPath, issues: ["\(file.recordCount) record(s): a step needs at least 2"])
        }
        var random = SplitMix(seed: seed)
        let records = (0..<batchSize).map { _ in Int(random.next() % UInt64(file.recordCount - 1)) }
        let nLat = file.grid.latitudes.count, nLon = file.grid.longitudes.count
        func stacked(_ name: String, offset: Int, samples: [Int]) throws -> Tensor {
            var values: [Float] = []
            for t in samples { values += try file.read(name, time: t + offset) }
            return try Tensor(values, shape: [samples.count, levels[name] ?? 1, nLat, nLon])
        }
        func stepBatch(_ samples: [Int]) throws -> StepBatch {
            var state: [String: Tensor] = [:], forcing: [String: Tensor] = [:], forcingNext: [String: Tensor] = [:]
            for name in definition.variables.prognostic { state[name] = try stacked(name, offset: 0, samples: samples) }
            for name in definition.variables.forcing {
                forcing[name] = try stacked(name, offset: 0, samples: samples)
                forcingNext[name] = try stacked(name, offset: 1, samples: samples)
            }
            let days = samples.map { Self.dayOfYear(file.times[$0]) }
            return StepBatch(state: state, forcing: forcing, forcingNext: forcingNext, dayOfYear: days)
        }
        if !definition.processing.usesPhysicsPrior {
            prior = nil
        } else {
            guard data != nil else {
                throw EmulatorBenchSkip(reason: "its physics prior needs the winds of a real data file (--data, e.g. carbonbench-train.nc)")
            }
            prior = try ReferenceTransportPrior(dataFile: dataPath, definition: definition, grid: file.grid)
        }
        self.records = records
        var batch = try stepBatch(records)
        var single = try stepBatch([records[0]])
        try prior?.attach(to: &batch, records: records)
        try prior?.attach(to: &single, records: [records[0]])
        self.batch = try Self.moved(batch, to: device)
        self.single = try Self.moved(single, to: device)
        var truth: [String: Tensor] = [:]
        for name in definition.variables.prognostic { truth[name] = try stacked(name, offset: 1, samples: records) }
        self.truth = try truth.mapValues { try $0.to(device: device) }

        // Network-level tensors.
        let processor = emulator.processor
        let trainInput = try Torch.withoutGrad { () throws -> Tensor in try processor.networkInput(batch) }
        let rolloutInput = try Torch.withoutGrad { () throws -> Tensor in try processor.networkInput(single) }
        var targets: [Tensor] = [], weights: [Tensor] = []
        let prognostic = definition.variables.prognostic
        let radians = file.grid.latitudes.map { $0 * Double.pi / 180 }
        let meanCos = radians.map { cos($0) }.reduce(0, +) / Double(max(radians.count, 1))
        let outputChannels = prognostic.map { levels[$0] ?? 1 }.reduce(0, +)
        for name in prognostic {
            guard let moments = statistics.deltas[name], let state = batch.state[name], let next = truth[name] else {
                throw EmulatorError.invalidRequest("no one-step change statistics or data for '\(name)'")
            }
            let count = levels[name] ?? 1
            let mean = try Tensor(moments.mean.map(Float.init), shape: [1, count, 1, 1])
            let std = try Tensor(moments.std.map(Float.init), shape: [1, count, 1, 1])
            targets.append(try (next - state - mean) / std)
            // mean over all channels × this factor = this variable's mean / number of variables.
            let factor = Double(outputChannels) / (Double(prognostic.count) * Double(count))
            var values: [Float] = []
            for _ in 0..<count { values += radians.map { Float(cos($0) / meanCos * factor) } }
            weights.append(try Tensor(values, shape: [1, count, nLat, 1]))
        }
        let trainTarget = try Tensor.cat(targets, dim: 1)
        let trainWeights = try Tensor.cat(weights, dim: 1)
        try SafeTensors.write([("train.input", trainInput), ("train.target", trainTarget), ("train.weights", trainWeights),
                               ("rollout.input", rolloutInput)], to: inputsPath)
        self.trainInput = try trainInput.to(device: device)
        self.rolloutInput = try rolloutInput.to(device: device)
        self.trainTarget = try trainTarget.to(device: device)
        self.trainWeights = try trainWeights.to(device: device)
    }

    /// `batch` with every tensor on `device`.
    static func moved(_ batch: StepBatch, to device: Device) throws -> StepBatch {
        func move(_ tensors: [String: Tensor]) throws -> [String: Tensor] {
            try tensors.mapValues { try $0.to(device: device) }
        }
        var moved = StepBatch(state: try move(batch.state), forcing: try move(batch.forcing), forcingNext: try move(batch.forcingNext),
                              dayOfYear: batch.dayOfYear)
        moved.prior = try move(batch.prior)
        return moved
    }

    /// Waits for the device's queued work: reading one value back to the CPU is queued behind
    /// all of it (libtorch's CUDA work is asynchronous; the CPU's is not).
    func settle(_ tensor: Tensor) throws(TorchError) {
        guard device != .cpu else { return }
        _ = try tensor.detach().reshape([-1]).narrow(dim: 0, start: 0, length: 1).item()
    }

    /// Day of the year of `date` (0 = 1 January 00:00, proleptic Gregorian).
    static func dayOfYear(_ date: CFDate) -> Double {
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        let leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0
        let month = min(max(date.month, 1), 12)
        let days = cumulative[month - 1] + (leap && month > 2 ? 1 : 0) + date.day - 1
        return Double(days) + (Double(date.hour) + (Double(date.minute) + date.second / 60) / 60) / 24
    }

    /// Times `body`: `warmup` untimed runs, then `repeats` timed ones.
    static func time(warmup: Int, repeats: Int, _ body: () throws -> Void) rethrows -> Timing {
        for _ in 0..<warmup { try body() }
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Timing(seconds)
    }

    /// Runs the Swift side's four timings: network-level rollout, network-level training (its
    /// first loss is on the checkpoint's weights, as PyTorch's), then `Emulator.step` training
    /// and rollout. On a GPU each timed iteration ends when the device has done its work.
    func measure(warmup: Int, repeats: Int) throws -> EmulatorBenchResult {
        let network = emulator.network
        let training = definition.training
        let parameters = network.namedParameters()
        let tensors = parameters.map(\.tensor)
        func optimiser() -> AdamW {
            AdamW(parameters, learningRate: training.learningRate,
                  betas: (training.betas.first ?? 0.9, training.betas.dropFirst().first ?? 0.999),
                  weightDecay: training.weightDecay)
        }

        network.eval()
        let rollout = try Self.time(warmup: warmup, repeats: repeats) {
            let y = try Torch.withoutGrad { () throws -> Tensor in try network(rolloutInput) }
            try settle(y)
        }

        network.train()
        var firstLoss = Double.nan
        let adamW = optimiser()
        let train = try Self.time(warmup: warmup, repeats: repeats) {
            for p in tensors { try p.setGrad(nil) }
            let loss = try ((network(trainInput) - trainTarget).square() * trainWeights).mean()
            try loss.backward()
            if firstLoss.isNaN { firstLoss = try loss.item() }
            try clipGradientNorm(tensors, maxNorm: training.gradientClip)
            try adamW.step()
            if let p = tensors.first { try settle(p) }
        }

        let emulatorAdamW = optimiser()
        let emulatorTrain = try Self.time(warmup: warmup, repeats: repeats) {
            for p in tensors { try p.setGrad(nil) }
            var stepped = batch
            try prior?.attach(to: &stepped, records: records)  // the prior is part of a training step's cost
            let predicted = try emulator.step(stepped, fix: false)
            let loss = try emulator.processor.loss(predicted: predicted, truth: truth)
            try loss.backward()
            try clipGradientNorm(tensors, maxNorm: training.gradientClip)
            try emulatorAdamW.step()
            if let p = tensors.first { try settle(p) }
        }

        network.eval()
        let emulatorRollout = try Self.time(warmup: warmup, repeats: repeats) {
            let next = try Torch.withoutGrad { () throws -> [String: Tensor] in
                var stepped = single
                try prior?.attach(to: &stepped, records: [records[0]])  // and of a rollout step's
                return try emulator.step(stepped, fix: true)
            }
            if let q = next.values.first { try settle(q) }
        }
        for p in tensors { try p.setGrad(nil) }

        let kind: String
        switch definition.architecture {
        case .unet: kind = "unet"
        case .meshGNN: kind = "mesh_gnn"
        case .swin: kind = "swin"
        }
        return EmulatorBenchResult(
            name: name, architecture: kind, parameters: parameterCount, timeStepHours: definition.timeStepHours,
            swift: SwiftTimings(train: train, rollout: rollout, emulatorTrain: emulatorTrain, emulatorRollout: emulatorRollout,
                                firstLoss: firstLoss),
            python: nil, reference: nil)
    }
}

/// SplitMix64: a small seeded generator for the choice of records.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
