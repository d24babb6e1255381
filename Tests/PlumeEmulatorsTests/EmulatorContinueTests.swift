import Foundation
import Testing
import Torch
@testable import PlumeEmulators

/// `Emulator.continued(as:checkpoint:)`, behind `plume train --from`: the weights and the
/// normalisation carry over to a new schedule; a model that differs beyond name and
/// training is refused, naming what differs.
@Suite struct EmulatorContinueTests {
    @Test func keepsWeightsAndStatisticsUnderANewSchedule() throws {
        let definition = TrainingToyData.definition(TrainerTests.schedule(steps: 10))
        let (folder, train, _) = try TrainingToyData.files(definition)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trained = try TrainingToyData.emulator(definition, train: train, seed: 11)
        var next = definition
        next.name = "toy-longer-rollouts"
        next.training.steps = 0
        next.training.fineTuneCurriculum = [4, 8]
        next.training.fineTuneSteps = 30
        let continued = try trained.continued(as: next, checkpoint: "toy.safetensors", networkBuilder: TrainingToyData.networkBuilder)
        #expect(continued.definition == next)
        #expect(continued.info.statistics == trained.info.statistics)
        #expect(continued.info.trainingData == trained.info.trainingData)
        #expect(continued.info.training == nil)
        let before = Dictionary(uniqueKeysWithValues: trained.network.stateDict().map { ($0.name, $0.tensor) })
        let after = continued.network.stateDict()
        #expect(after.count == before.count && !after.isEmpty)
        for (name, tensor) in after {
            let original = try #require(before[name], "\(name) missing from the source network")
            #expect(try tensor.toArray(of: Float.self) == original.toArray(of: Float.self), "\(name)")
        }
        // A fresh emulator from another seed has other weights: the comparison above can fail.
        let other = try TrainingToyData.emulator(definition, train: train, seed: 12)
        let first = try #require(after.first)
        let otherWeights = try #require(other.network.stateDict().first { $0.name == first.name })
        #expect(try otherWeights.tensor.toArray(of: Float.self) != first.tensor.toArray(of: Float.self))
    }

    @Test func refusesAnotherNetworkOrVariables() throws {
        let definition = TrainingToyData.definition(TrainerTests.schedule(steps: 10))
        let (folder, train, _) = try TrainingToyData.files(definition)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trained = try TrainingToyData.emulator(definition, train: train)
        var wider = definition
        var unet = UNetConfiguration()
        unet.embed = 16
        wider.architecture = .unet(unet)
        wider.variables.forcing = []
        do {
            _ = try trained.continued(as: wider, checkpoint: "runs/toy/best.safetensors", networkBuilder: TrainingToyData.networkBuilder)
            Issue.record("a model with another architecture and variables was accepted")
        } catch {
            guard case .invalidCheckpoint(let file, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == "runs/toy/best.safetensors")
            #expect(reason.contains("variables") && reason.contains("architecture"), "\(reason)")
            #expect(!reason.contains("processing"), "\(reason)")
        }
    }
}
