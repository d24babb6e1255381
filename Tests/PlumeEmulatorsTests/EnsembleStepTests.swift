import Foundation
import Testing
import PlumeIO
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
            #expect("\(error)".contains("give each member its forcing"))
            #expect("\(error)".contains("airmass"))
        }
        // Mismatched days of the year are refused before anything runs.
        #expect(throws: EmulatorError.self) { _ = try emulator.advance([state], dayOfYear: [0, 1]) }
        // No member: nothing to do.
        #expect(try emulator.advance([], dayOfYear: []).isEmpty)
    }

    /// Members given the data file's forcing step exactly as `Rollout` does (three steps,
    /// records 0 → 3, against its output to the bit); a member with more land flux
    /// ends with more CO2 by exactly what the explicit flux scheme adds (the mass fixer
    /// targets each member's own budget).
    @Test func membersWithForcingStepAsTheRolloutDoes() throws {
        let folder = try RolloutTests.fixture("ensemble-forcing")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = folder + "/model.safetensors", data = folder + "/data.nc"
        _ = try Rollout.run(RolloutRequest(checkpoint: checkpoint, initialFile: data, start: "2000-01-01", steps: 3, output: folder + "/out.nc"))
        let (emulator, _) = try Emulator.load(checkpoint: checkpoint)
        emulator.network.eval()
        let model = ModelFile(definition: emulator.definition, path: checkpoint)
        let file = try EmulatorDataFile(path: data, model: model)
        // Member 2 adds 1e-7 kg m-2 s-1 to the land flux (its CO2 grows by ~0.1 % in 18 h).
        let added: Float = 1e-7
        func forcing(_ record: Int, extraLand: Float) throws -> [String: [Float]] {
            var set: [String: [Float]] = [:]
            for name in emulator.definition.variables.forcing {
                set[name] = try file.read(name, time: record).map { name == "co2flux_land" ? $0 + extraLand : $0 }
            }
            return set
        }
        var members = [["co2massmix": try file.read("co2massmix", time: 0)], ["co2massmix": try file.read("co2massmix", time: 0)]]
        for k in 0..<3 {
            let day = Emulator.dayOfYear(file.times[k])
            members = try emulator.advance(members, forcing: [try forcing(k, extraLand: 0), try forcing(k, extraLand: added)],
                                           forcingNext: [try forcing(k + 1, extraLand: 0), try forcing(k + 1, extraLand: added)], dayOfYear: [day, day])
        }
        let out = try NetCDFFile(path: folder + "/out.nc")
        let rolled = try out.readFloat("co2massmix", Hyperslab(start: [3, 0, 0, 0], count: [1, 2, 32, 64]))
        #expect(members[0]["co2massmix"] == rolled)
        // Global CO2 mass (Σ q·m) of the two members differs by the extra land flux × area × time.
        let airmass = try out.readFloat("airmass", Hyperslab(start: [3, 0, 0, 0], count: [1, 2, 32, 64]))
        func mass(_ q: [Float]) -> Double { zip(q, airmass).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        let area = try #require(file.cellArea)
        let extra = area.reduce(0, +) * Double(added) * 3 * 21_600
        let difference = mass(members[1]["co2massmix"] ?? []) - mass(members[0]["co2massmix"] ?? [])
        // co2massmix in 1e-6 kg/kg and airmass in Pg: Σ q·m is 1e-6 × 1e12 kg = 1e6 kg.
        #expect(abs(difference * 1e6 - extra) <= 1e-3 * abs(extra), "mass difference \(difference * 1e6) kg, extra land flux \(extra) kg")
    }
}
