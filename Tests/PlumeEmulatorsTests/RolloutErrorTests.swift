import Foundation
import Testing
import Torch
@testable import PlumeEmulators

/// Bad inputs to a rollout: each gives one error that names the file (or date) and what was
/// expected, and nothing is left under the output name.
@Suite(.serialized) struct RolloutErrorTests {
    /// Runs a rollout that must fail; returns its message after checking no output was left.
    static func failure(_ folder: String, initial: String? = nil, checkpoint: String? = nil, start: String = "2000-01-01",
                        steps: Int = 4, forcing: [String] = []) -> String {
        let out = folder + "/out.nc"
        let request = RolloutRequest(checkpoint: checkpoint ?? folder + "/model.safetensors",
                                     initialFile: initial ?? folder + "/data.nc", forcingFiles: forcing,
                                     start: start, steps: steps, output: out)
        var message = ""
        do {
            _ = try Rollout.run(request)
            Issue.record("the rollout was accepted")
        } catch {
            message = "\(error)"
        }
        #expect(!FileManager.default.fileExists(atPath: out), "output left behind after: \(message)")
        return message
    }

    @Test func badInputsAreRefusedClearly() throws {
        let folder = try RolloutTests.fixture("errors")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fm = FileManager.default

        // 1. Data on another grid (latitudes north to south).
        try SyntheticTransportData.write(to: folder + "/flipped.nc", descendingLatitudes: true)
        var m = Self.failure(folder, initial: folder + "/flipped.nc")
        #expect(m.contains("flipped.nc") && m.contains("not the model's grid 'latlon5.625'"), "\(m)")

        // 2. Another number of levels than the checkpoint.
        try SyntheticTransportData.write(to: folder + "/levels3.nc", levels: 3)
        m = Self.failure(folder, initial: folder + "/levels3.nc")
        #expect(m.contains("levels3.nc") && m.contains("expected 2 levels"), "\(m)")

        // 3. A variable the model needs is missing.
        try SyntheticTransportData.write(to: folder + "/noblh.nc", omit: ["blh"])
        m = Self.failure(folder, initial: folder + "/noblh.nc")
        #expect(m.contains("noblh.nc") && m.contains("variable 'blh' is missing") && m.contains("forcing"), "\(m)")

        // 4. NaN in the initial state.
        try SyntheticTransportData.write(to: folder + "/nan.nc") { name, values in
            if name == "co2massmix" { values[5] = .nan }
        }
        m = Self.failure(folder, initial: folder + "/nan.nc")
        #expect(m.contains("nan.nc") && m.contains("'co2massmix'") && m.contains("must be finite"), "\(m)")

        // 5. A corrupted checkpoint (bytes cut off).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/model.safetensors"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: folder + "/cut.safetensors"))
        m = Self.failure(folder, checkpoint: folder + "/cut.safetensors")
        #expect(m.contains("cut.safetensors") && m.contains("not a usable Plume checkpoint"), "\(m)")

        // 6. A safetensors file that is not a Plume checkpoint.
        try SafeTensors.write(["w": try Tensor([Float(1)])], to: folder + "/foreign.safetensors")
        m = Self.failure(folder, checkpoint: folder + "/foreign.safetensors")
        #expect(m.contains("foreign.safetensors") && m.contains("no Plume metadata"), "\(m)")

        // 7. A checkpoint of another format version.
        var checkpoint = try Checkpoint.load(from: folder + "/model.safetensors")
        checkpoint.metadata[Checkpoint.infoKey] = checkpoint.metadata[Checkpoint.infoKey]?
            .replacingOccurrences(of: "\"formatVersion\":1", with: "\"formatVersion\":99")
        try checkpoint.save(to: folder + "/future.safetensors")
        m = Self.failure(folder, checkpoint: folder + "/future.safetensors")
        #expect(m.contains("future.safetensors") && m.contains("format version 99"), "\(m)")

        // 8. A start date the initial file does not hold.
        m = Self.failure(folder, start: "2001-06-01")
        #expect(m.contains("data.nc") && m.contains("no record at the start 2001-06-01"), "\(m)")

        // 9. Forcing that ends before the rollout does (12 records = 2.75 days).
        m = Self.failure(folder, steps: 40)
        #expect(m.contains("no forcing at") && m.contains("data.nc"), "\(m)")

        // 10. An output that exists is never overwritten.
        fm.createFile(atPath: folder + "/out.nc", contents: Data("keep".utf8))
        do {
            _ = try Rollout.run(RolloutRequest(checkpoint: folder + "/model.safetensors", initialFile: folder + "/data.nc",
                                               start: "2000-01-01", steps: 2, output: folder + "/out.nc"))
            Issue.record("an existing output was overwritten")
        } catch {
            #expect("\(error)".contains("out.nc exists"))
        }
        #expect(try String(contentsOfFile: folder + "/out.nc", encoding: .utf8) == "keep")
        try fm.removeItem(atPath: folder + "/out.nc")

        // 11. A start that is not a date.
        m = Self.failure(folder, start: "yesterday")
        #expect(m.contains("--start 'yesterday'") && m.contains("ISO 8601"), "\(m)")

        // 12. An initial file that is not netCDF.
        fm.createFile(atPath: folder + "/notes.nc", contents: Data("not a netCDF file".utf8))
        m = Self.failure(folder, initial: folder + "/notes.nc")
        #expect(m.contains("notes.nc") && m.contains("cannot open"), "\(m)")
    }
}
