import Foundation
import Testing
import Torch
@testable import PlumeEmulators

/// `Emulator.advance`, the batched ensemble step the assimilation cycles use.
@Suite(.serialized) struct EnsembleStepTests {
    @Test func anEmulatorThatNeedsForcingIsRefusedWithItsForcingNamed() throws {
        let folder = try RolloutTests.fixture("ensemble")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (emulator, _) = try Emulator.load(checkpoint: folder + "/model.safetensors")
        let state = ["co2massmix": [Float](repeating: 4e-4, count: 2 * 32 * 64)]
        do {
            _ = try emulator.advance([state, state], dayOfYear: [0, 0])
            Issue.record("a transport emulator without forcing must be refused")
        } catch let error as EmulatorError {
            #expect("\(error)".contains("needs forcing"))
            #expect("\(error)".contains("airmass"))
        }
        // Mismatched days of the year are refused before anything runs.
        #expect(throws: EmulatorError.self) { _ = try emulator.advance([state], dayOfYear: [0, 1]) }
        // No member: nothing to do.
        #expect(try emulator.advance([], dayOfYear: []).isEmpty)
    }
}
