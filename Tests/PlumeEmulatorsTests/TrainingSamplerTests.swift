import Foundation
import Testing
@testable import PlumeEmulators

@Suite struct TrainingSamplerTests {
    @Test func startsStayInsideTheFileAndEveryEpochIsAPermutation() throws {
        // 20 records, 3-step windows: starts 0 … 16 (t + 3 ≤ 19), 17 of them.
        var sampler = try TrainingSampler(records: 20, window: 3, batchSize: 5, state: .init(seed: 11))
        #expect(sampler.startCount == 17)
        var drawn: [Int] = []
        for _ in 0..<14 { drawn += sampler.nextBatch() }  // 70 = 4 epochs + 2
        #expect(drawn.allSatisfy { (0...16).contains($0) })
        var epochs: [[Int]] = []
        for e in 0..<4 {
            let epoch = Array(drawn[(e * 17)..<((e + 1) * 17)])
            #expect(epoch.sorted() == Array(0...16), "epoch \(e) is not a permutation: \(epoch)")
            epochs.append(epoch)
        }
        #expect(Set(epochs).count == 4, "epochs repeat the same order")
        #expect(epochs[0] != Array(0...16))
        #expect(sampler.state.epoch == 4 && sampler.state.position == 2)
    }

    @Test func sameSeedSameBatchesAndRestoredStateContinues() throws {
        var a = try TrainingSampler(records: 30, window: 1, batchSize: 4, state: .init(seed: 5))
        var b = try TrainingSampler(records: 30, window: 1, batchSize: 4, state: .init(seed: 5))
        var c = try TrainingSampler(records: 30, window: 1, batchSize: 4, state: .init(seed: 6))
        var sequenceA: [[Int]] = [], sequenceC: [[Int]] = []
        var saved: TrainingSampler.State?
        var afterSave: [[Int]] = []
        for i in 0..<20 {
            let batch = a.nextBatch()
            sequenceA.append(batch)
            #expect(b.nextBatch() == batch)
            sequenceC.append(c.nextBatch())
            if i == 8 { saved = a.state } else if i > 8 { afterSave.append(batch) }
        }
        #expect(sequenceA != sequenceC)
        let state = try #require(saved)
        // The state survives JSON (as in a checkpoint) and continues the same sequence.
        let decoded = try JSONDecoder().decode(TrainingSampler.State.self, from: JSONEncoder().encode(state))
        var restored = try TrainingSampler(records: 30, window: 1, batchSize: 4, state: decoded)
        for batch in afterSave { #expect(restored.nextBatch() == batch) }
    }

    @Test func tooShortFileIsRefused() {
        #expect(throws: EmulatorError.self) { try TrainingSampler(records: 3, window: 3, batchSize: 1, state: .init(seed: 0)) }
    }

    @Test func dayOfYearCountsFromFirstJanuary() {
        #expect(TrainingWindow.dayOfYear(.init(year: 2001, month: 1, day: 1)) == 0)
        #expect(TrainingWindow.dayOfYear(.init(year: 2001, month: 3, day: 1, hour: 12)) == 59.5)
        #expect(TrainingWindow.dayOfYear(.init(year: 2000, month: 3, day: 1)) == 60)
        #expect(TrainingWindow.dayOfYear(.init(year: 1900, month: 12, day: 31)) == 364)
    }
}
