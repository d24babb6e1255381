import Foundation
import Testing
import Torch
@testable import PlumeEmulators

/// Serialized: the trainer sets libtorch's global thread count and default seed.
@Suite(.serialized) struct TrainerTests {
    static func schedule(steps: Int) -> ModelDefinition.Training {
        var t = ModelDefinition.Training()
        t.batchSize = 3
        t.steps = steps
        t.learningRate = 1e-2
        t.minLearningRate = 1e-4
        t.warmupSteps = 2
        t.weightDecay = 0.01
        t.gradientClip = 1
        t.validateEvery = 3
        t.validationSteps = 2
        t.checkpointEvery = 4
        t.checkpointMinutes = 0
        t.fineTuneCurriculum = []
        t.fineTuneSteps = 0
        t.fineTuneLearningRate = 1e-3
        t.seed = 3
        t.threads = 1
        t.prefetch = 2
        return t
    }

    @Test func prefetchedBatchesEqualDirectReads() throws {
        let definition = TrainingToyData.definition(Self.schedule(steps: 1))
        let (folder, train, _) = try TrainingToyData.files(definition)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sampler = try TrainingSampler(records: train.recordCount, window: 2, batchSize: 3, state: .init(seed: 9))
        let threaded = TrainingBatchLoader(file: train, variables: ["u", "f"], steps: 2, sampler: sampler, batches: 7, prefetch: 2)
        let inline = TrainingBatchLoader(file: train, variables: ["u", "f"], steps: 2, sampler: sampler, batches: 7, prefetch: 0)
        defer { threaded.stop() }
        var reference = sampler
        for _ in 0..<7 {
            let a = try threaded.next(), b = try inline.next()
            let starts = reference.nextBatch()
            #expect(a.starts == starts && b.starts == starts)
            #expect(a.samplerAfter == reference.state && b.samplerAfter == reference.state)
            for k in 0...2 {
                #expect(a.fields[k] == b.fields[k])
                var u: [Float] = []
                for t in starts { u += try train.read("u", time: t + k) }
                #expect(a.fields[k]["u"] == u)
                #expect(a.fields[k]["u"]?.count == 3 * 2 * 32 * 64 && a.fields[k]["f"]?.count == 3 * 32 * 64)
            }
        }
        #expect(throws: EmulatorError.self) { try threaded.next() }
    }

    @Test func lossDecreasesOnTheToyProblem() throws {
        var schedule = Self.schedule(steps: 40)
        schedule.validateEvery = 10
        schedule.checkpointEvery = 0
        let definition = TrainingToyData.definition(schedule)
        let (folder, train, validation) = try TrainingToyData.files(definition)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let emulator = try TrainingToyData.emulator(definition, train: train)
        var lines: [String] = []
        let trainer = try Trainer(emulator: emulator, trainFile: train, validationFile: validation, folder: folder + "/out",
                                  options: TrainingOptions(logEvery: 10), log: { lines.append($0) })
        let summary = try trainer.run()
        let losses = summary.history.map(\.train)
        #expect(losses.count == 40)
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(5).reduce(0, +) / 5
        #expect(last < 0.2 * first, "first \(first), last \(last)")
        let scores = summary.history.compactMap(\.validation)
        #expect(scores.count == 4)
        #expect(try #require(scores.last) < 0.5 * scores[0])
        #expect(summary.bestValidation == scores.min() && summary.bestStep != nil)
        #expect(lines.count == 4 && lines[0].hasPrefix("train  step 10/40  loss "))
        #expect(summary.ioWaitShare >= 0 && summary.ioWaitShare <= 1)
        for name in [Trainer.lastCheckpointName, Trainer.bestCheckpointName, Trainer.lossesName] {
            #expect(FileManager.default.fileExists(atPath: folder + "/out/" + name), "\(name) missing")
        }
        let csv = try String(contentsOfFile: folder + "/out/" + Trainer.lossesName, encoding: .utf8)
        let rows = csv.split(separator: "\n")
        #expect(rows.count == 41 && rows[0] == "step,phase,train_loss,validation_loss")
        #expect(rows[10] == "10,train,\(losses[9]),\(scores[0])")
        // The best checkpoint loads and reproduces the best score's weights' provenance.
        let (best, _) = try Emulator.load(checkpoint: folder + "/out/" + Trainer.bestCheckpointName, device: .cpu,
                                          networkBuilder: TrainingToyData.networkBuilder)
        #expect(best.info.training?.bestValidation == summary.bestValidation)
    }

    /// Training interrupted after `stopAfter` steps (no checkpoint at the stop, as after SIGKILL),
    /// resumed from the last checkpoint in a new emulator and trainer, ends with a loss history
    /// and weights bit-identical to an uninterrupted run, across the one-step and fine-tuning stages.
    @Test(arguments: [(4, 6), (4, 10), (3, 11)])
    func resumeIsBitIdentical(checkpointEvery: Int, stopAfter: Int) throws {
        var schedule = Self.schedule(steps: 8)
        schedule.fineTuneCurriculum = [2]
        schedule.fineTuneSteps = 4
        schedule.checkpointEvery = checkpointEvery
        let definition = TrainingToyData.definition(schedule)
        let (folder, train, validation) = try TrainingToyData.files(definition)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let reference = try Trainer(emulator: try TrainingToyData.emulator(definition, train: train), trainFile: train,
                                    validationFile: validation, folder: folder + "/a").run()
        #expect(reference.history.count == 12)
        #expect(reference.history.map(\.phase) == Array(repeating: "train", count: 8) + Array(repeating: "fine_tune", count: 4))

        var options = TrainingOptions()
        options.stopAfterStep = stopAfter
        let first = try Trainer(emulator: try TrainingToyData.emulator(definition, train: train), trainFile: train,
                                validationFile: validation, folder: folder + "/b", options: options).run()
        #expect(first.history.count == stopAfter)
        let (emulator, extra) = try Emulator.load(checkpoint: folder + "/b/" + Trainer.lastCheckpointName, device: .cpu,
                                                  networkBuilder: TrainingToyData.networkBuilder)
        #expect(emulator.info.training?.step == stopAfter / checkpointEvery * checkpointEvery)
        let resumed = try Trainer(emulator: emulator, trainFile: train, validationFile: validation, folder: folder + "/b",
                                  resume: extra).run()
        #expect(resumed.history.count == 12)
        for (a, b) in zip(reference.history, resumed.history) {
            #expect(a.step == b.step && a.phase == b.phase)
            #expect(a.train.bitPattern == b.train.bitPattern, "step \(a.step): \(a.train) vs \(b.train)")
            #expect(a.validation?.bitPattern == b.validation?.bitPattern, "step \(a.step) validation")
        }
        #expect(reference.bestValidation?.bitPattern == resumed.bestValidation?.bitPattern && reference.bestStep == resumed.bestStep)
        let csvA = try String(contentsOfFile: folder + "/a/" + Trainer.lossesName, encoding: .utf8)
        let csvB = try String(contentsOfFile: folder + "/b/" + Trainer.lossesName, encoding: .utf8)
        #expect(csvA == csvB)
        let (finalA, _) = try Emulator.load(checkpoint: folder + "/a/" + Trainer.lastCheckpointName, device: .cpu,
                                            networkBuilder: TrainingToyData.networkBuilder)
        let weightsA = Dictionary(uniqueKeysWithValues: finalA.network.stateDict().map { ($0.name, $0.tensor) })
        for (name, tensor) in emulator.network.stateDict() {
            let a = try #require(weightsA[name])
            #expect(try a.toArray(of: Float.self).map(\.bitPattern) == tensor.toArray(of: Float.self).map(\.bitPattern), "\(name)")
        }
    }

    /// Trains the toy emulator once with the plain 3-step schedule and `runs` times with
    /// `schedule`, each in its own folder over the same toy files, and returns the summaries.
    static func trainPlainAndModified(_ schedule: ModelDefinition.Training, runs: Int) throws
        -> (plain: TrainingSummary, modified: [TrainingSummary]) {
        let plain = TrainingToyData.definition(Self.schedule(steps: 3))
        let modified = TrainingToyData.definition(schedule)
        let (folder, train, validation) = try TrainingToyData.files(modified, trainRecords: 6, validationRecords: 4)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let a = try Trainer(emulator: TrainingToyData.emulator(plain, train: train), trainFile: train, validationFile: validation,
                            folder: folder + "/plain").run()
        let others = try (0..<runs).map { run in
            try Trainer(emulator: TrainingToyData.emulator(modified, train: train), trainFile: train, validationFile: validation,
                        folder: folder + "/modified\(run)").run()
        }
        return (a, others)
    }

    /// `precision: bf16` runs the training forward passes under autocast: the first loss moves
    /// by bfloat16 rounding (not zero, not more than a few percent), training stays finite and
    /// reproducible, and validation (fp32) scores the same weights as without autocast would.
    @Test func bf16PrecisionRunsTheForwardPassUnderAutocast() throws {
        var schedule = Self.schedule(steps: 3)
        schedule.precision = "bf16"
        let (a, runs) = try Self.trainPlainAndModified(schedule, runs: 2)
        let first = try #require(a.history.first?.train), mixed = try #require(runs[0].history.first?.train)
        let relative = abs(mixed - first) / first
        #expect(relative > 1e-6 && relative < 5e-2, "bf16 against fp32 first loss: \(mixed) vs \(first)")
        #expect(runs[0].history.allSatisfy { $0.train.isFinite })
        #expect(runs[0].history.map(\.train.bitPattern) == runs[1].history.map(\.train.bitPattern))
        let bad = DataParallelTrainingTests.model(batch: 2).replacingOccurrences(of: "seed: 11}", with: "seed: 11, precision: fp16}")
        #expect(bad.contains("precision: fp16"))
        do {
            _ = try ModelFile.parse(bad, path: "bad.yaml")
            Issue.record("precision: fp16 was accepted")
        } catch {
            #expect("\(error)".contains("training.precision"), "\(error)")
        }
    }

    /// With `spectral_loss_weight` > 0 the loss gains the spectral term, so it differs from the
    /// plain MSE of the same weights and window; training with it runs and stays finite.
    @Test func spectralLossWeightAddsTheSpectralTerm() throws {
        var schedule = Self.schedule(steps: 3)
        schedule.spectralLossWeight = 0.5
        let (a, runs) = try Self.trainPlainAndModified(schedule, runs: 1)
        let b = runs[0]
        let first = try #require(a.history.first?.train), withSpectral = try #require(b.history.first?.train)
        #expect(withSpectral > first, "the spectral term is non-negative and zero only for matching spectra")
        #expect(b.history.allSatisfy { $0.train.isFinite })
    }

    /// `input_noise` perturbs the start of every training window by noise × σΔ: the loss of the
    /// first step changes, two runs with the same seed draw the same noise (bit-identical
    /// histories), and the perturbation is 2 σΔ[level] times libtorch's seeded standard normal draws.
    @Test func inputNoisePerturbsTrainingWindowsReproducibly() throws {
        var schedule = Self.schedule(steps: 3)
        schedule.inputNoise = 2
        let (a, runs) = try Self.trainPlainAndModified(schedule, runs: 2)
        let b = runs[0], c = runs[1]
        let first = try #require(a.history.first?.train), withNoise = try #require(b.history.first?.train)
        #expect(abs(withNoise - first) > 1e-3 * first, "noise of 2 σΔ changes the first loss: \(first) vs \(withNoise)")
        #expect(b.history.map(\.train.bitPattern) == c.history.map(\.train.bitPattern))
        #expect(b.history.allSatisfy { $0.train.isFinite })

        let noisy = TrainingToyData.definition(schedule)
        let (folder, train, _) = try TrainingToyData.files(noisy, trainRecords: 6, validationRecords: 4)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let emulator = try TrainingToyData.emulator(noisy, train: train)
        let window = try TrainingWindow.read(train, starts: [0, 1], steps: 1, variables: noisy.variables.prognostic)
        let p = emulator.processor
        let state = try window.tensors(noisy.variables.prognostic, at: 0, levels: p.levels, grid: p.grid, device: .cpu)
        try Torch.manualSeed(7)
        let perturbed = try p.perturbed(state, noise: 2)
        try Torch.manualSeed(7)
        for name in noisy.variables.prognostic {
            let x = try #require(state[name]), y = try #require(perturbed[name])
            let draws = try Tensor.randn(x.shape, dtype: x.dtype).toArray(of: Float.self)
            let difference = try (y - x).toArray(of: Float.self)
            let sigma = try #require(p.statistics.deltas[name]?.std)
            let shape = x.shape, perLevel = shape[2] * shape[3]
            #expect(sigma.count == shape[1] && difference.count == draws.count)
            var worst = 0.0
            for (i, (d, z)) in zip(difference, draws).enumerated() {
                let expected = 2 * Double(z) * sigma[(i / perLevel) % shape[1]]
                worst = max(worst, abs(Double(d) - expected) / max(abs(expected), 1e-3))
            }
            #expect(worst < 1e-3, "\(name): the noise is not 2 σΔ[level] × the seeded standard normal draws (worst relative \(worst))")
        }
    }

    @Test func resumeWithAnotherScheduleIsRefused() throws {
        var schedule = Self.schedule(steps: 4)
        schedule.checkpointEvery = 2
        let definition = TrainingToyData.definition(schedule)
        let (folder, train, validation) = try TrainingToyData.files(definition, trainRecords: 8, validationRecords: 4)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = TrainingOptions()
        options.stopAfterStep = 3
        _ = try Trainer(emulator: try TrainingToyData.emulator(definition, train: train), trainFile: train,
                        validationFile: validation, folder: folder + "/out", options: options).run()
        let (emulator, extra) = try Emulator.load(checkpoint: folder + "/out/" + Trainer.lastCheckpointName, device: .cpu,
                                                  networkBuilder: TrainingToyData.networkBuilder)
        let error = #expect(throws: EmulatorError.self) {
            try Trainer(emulator: emulator, trainFile: train, validationFile: validation, folder: folder + "/out",
                        options: TrainingOptions(steps: 6), resume: extra)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("schedule of 4 steps, this run schedules 6"))
    }
}
