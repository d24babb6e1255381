import Foundation
import PlumeSupport
import Testing
import Torch
@testable import PlumeEmulators

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `plume train` killed with SIGKILL after its first checkpoint and resumed with `--resume`
/// writes the same losses.csv, byte for byte, as an uninterrupted run. Runs the executable
/// built by `swift build` / `swift test` (.build/debug/plume).
@Suite(.serialized) struct TrainCommandResumeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let executable = root + "/.build/debug/plume"

    static let model = """
        name: toy-cli
        task: weather
        grid: latlon5.625
        levels: 2
        time_step_hours: 6
        variables:
          prognostic: [u]
          forcing: [f]
          computed: [latitude]
        architecture: {kind: unet, embed: 8, depth: 1}
        training: {batch_size: 2, steps: 300, warmup_steps: 5, validate_every: 50, validation_steps: 2,
                   checkpoint_every: 10, checkpoint_minutes: 1000, fine_tune_curriculum: [2], fine_tune_steps: 20,
                   threads: 1, prefetch: 2, seed: 4}
        """

    /// Starts `plume train arguments`, stderr to `log`.
    static func train(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["train"] + arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func sigkillThenResumeGivesTheSameLosses() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable),
                     "\(Self.executable) is built by swift build / swift test")
        let folder = try TrainingToyData.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TrainingToyData.write(to: folder + "/toy-train.nc", records: 20)
        try TrainingToyData.write(to: folder + "/toy-val.nc", records: 10, firstHour: 6 * 400)
        try AtomicFile.write(text: Self.model, to: folder + "/model.yaml")

        let full = try Self.train([folder + "/model.yaml", "--data", folder, "--out", folder + "/a"], log: folder + "/log1.txt")
        full.waitUntilExit()
        #expect(full.terminationStatus == 0, "\((try? String(contentsOfFile: folder + "/log1.txt", encoding: .utf8)) ?? "")")

        let killed = try Self.train([folder + "/model.yaml", "--data", folder, "--out", folder + "/b"], log: folder + "/log2.txt")
        // losses.csv is written just after last.safetensors at each checkpoint.
        let last = folder + "/b/" + Trainer.lossesName
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: last) && killed.isRunning && Date() < deadline { usleep(2_000) }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(killed.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        let partial = try String(contentsOfFile: folder + "/b/" + Trainer.lossesName, encoding: .utf8)
        let reference = try String(contentsOfFile: folder + "/a/" + Trainer.lossesName, encoding: .utf8)
        #expect(partial.split(separator: "\n").count < reference.split(separator: "\n").count)

        // Without --resume the existing checkpoint is refused.
        let refused = try Self.train([folder + "/model.yaml", "--data", folder, "--out", folder + "/b"], log: folder + "/log3.txt")
        refused.waitUntilExit()
        #expect(refused.terminationStatus != 0)

        let resumed = try Self.train([folder + "/model.yaml", "--data", folder, "--out", folder + "/b", "--resume"], log: folder + "/log4.txt")
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0, "\((try? String(contentsOfFile: folder + "/log4.txt", encoding: .utf8)) ?? "")")
        let final = try String(contentsOfFile: folder + "/b/" + Trainer.lossesName, encoding: .utf8)
        #expect(final == reference)
        #expect(reference.split(separator: "\n").count == 321)
    }
}
