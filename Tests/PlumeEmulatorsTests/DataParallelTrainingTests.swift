import Foundation
import PlumeSupport
import Testing
import Torch
@testable import PlumeEmulators

#if canImport(Glibc)
import Glibc
#endif

/// `plume train --nproc 2`: data-parallel training on libtorch's c10d (Gloo) in two processes.
/// Runs the executable built by `swift build` / `swift test` (.build/debug/plume).
@Suite(.serialized) struct DataParallelTrainingTests {
    static let executable = TrainCommandResumeTests.executable

    /// A toy Swin model (LayerNorm only: the U-Net's BatchNorm normalises by each rank's own batch,
    /// as DDP without SyncBatchNorm) with input noise (drawn for the global batch and sliced per rank).
    static func model(batch: Int, steps: Int = 24) -> String {
        """
        name: toy-ddp
        task: weather
        grid: latlon5.625
        levels: 2
        time_step_hours: 6
        variables:
          prognostic: [u]
          forcing: [f]
          computed: [latitude]
        architecture: {kind: swin, embed: 16, depth: 1, heads: 2, window: [4, 8], patch: [1, 1], mlp_ratio: 2}
        training: {batch_size: \(batch), steps: \(steps), warmup_steps: 3, validate_every: 8, validation_steps: 2,
                   checkpoint_every: 4, checkpoint_minutes: 1000, fine_tune_curriculum: [2], fine_tune_steps: 6,
                   input_noise: 0.3, threads: 1, prefetch: 1, seed: 11}
        """
    }

    static func data() throws -> String {
        let folder = try TrainingToyData.folder()
        try TrainingToyData.write(to: folder + "/toy-train.nc", records: 24)
        try TrainingToyData.write(to: folder + "/toy-val.nc", records: 8, firstHour: 6 * 400)
        return folder
    }

    static func log(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The model's parameters in `checkpoint` (name → float32 values).
    static func parameters(_ checkpoint: String) throws -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (name, tensor) in try SafeTensors.read(checkpoint).tensors
        where !name.hasPrefix("optimizer.") && !name.hasPrefix("history.") && tensor.dtype == .float32 {
            out[name] = try tensor.toArray(of: Float.self)
        }
        return out
    }

    /// Two ranks with batch 2 each end with the parameters of one process with batch 4: every
    /// rank reads its half of the same global batch, and the averaged gradients are those of
    /// the global batch's mean loss, to float32 rounding. A different global batch (one process,
    /// batch 2) ends far from both, so the tolerance separates.
    @Test func twoRanksMatchOneProcessWithTheDoubledBatch() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "\(Self.executable) is built by swift build / swift test")
        let folder = try Self.data()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write(text: Self.model(batch: 2), to: folder + "/model2.yaml")
        try AtomicFile.write(text: Self.model(batch: 4), to: folder + "/model4.yaml")

        let ddp = try TrainCommandResumeTests.train([folder + "/model2.yaml", "--data", folder, "--out", folder + "/ddp", "--nproc", "2"],
                                                    log: folder + "/ddp.txt")
        let single = try TrainCommandResumeTests.train([folder + "/model4.yaml", "--data", folder, "--out", folder + "/one"], log: folder + "/one.txt")
        let other = try TrainCommandResumeTests.train([folder + "/model2.yaml", "--data", folder, "--out", folder + "/half"], log: folder + "/half.txt")
        for (process, log) in [(ddp, "ddp"), (single, "one"), (other, "half")] {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(Self.log(folder + "/\(log).txt"))")
        }
        let ddpLog = Self.log(folder + "/ddp.txt")
        #expect(ddpLog.contains("2 ranks (global batch 4)"))
        #expect(ddpLog.contains("rank 1: gradient all-reduce"), "every rank reports its communication")

        let a = try Self.parameters(folder + "/ddp/last.safetensors")
        let b = try Self.parameters(folder + "/one/last.safetensors")
        let c = try Self.parameters(folder + "/half/last.safetensors")
        #expect(a.count == b.count && a.count > 4)
        var worst = 0.0, separation = 0.0
        for (name, values) in a {
            guard let reference = b[name], let far = c[name], reference.count == values.count else {
                Issue.record("parameter \(name) missing or of another size in the one-process run"); continue
            }
            let scale = Double(reference.map { abs($0) }.max() ?? 0) + 1e-3
            worst = max(worst, (zip(values, reference).map { Double(abs($0 - $1)) }.max() ?? 0) / scale)
            separation = max(separation, (zip(far, reference).map { Double(abs($0 - $1)) }.max() ?? 0) / scale)
        }
        // 30 AdamW steps of float32: the rounding of the bucketed average (g0/2 + g1/2 against
        // the mean over 4 samples) grows to 4e-6 of the largest parameter (measured); another
        // global batch moves the parameters by 0.12.
        #expect(worst < 5e-5, "largest parameter difference \(worst)")
        #expect(separation > 100 * max(worst, 1e-6), "the one-process run with batch 2 differs by \(separation)")
        let losses2 = try String(contentsOfFile: folder + "/ddp/" + Trainer.lossesName, encoding: .utf8).split(separator: "\n")
        let losses1 = try String(contentsOfFile: folder + "/one/" + Trainer.lossesName, encoding: .utf8).split(separator: "\n")
        #expect(losses2.count == losses1.count && losses2.count == 31)
    }

    /// Killing rank 1 with SIGKILL ends rank 0 (its next all-reduce fails) and the launcher,
    /// well within the collective timeout, with a message naming each rank's end; `--resume`
    /// then finishes the run with the same losses, byte for byte, as an uninterrupted 2-rank run;
    /// the same checkpoint also resumes in one process.
    @Test func aKilledRankEndsTheJobWhichResumes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "\(Self.executable) is built by swift build / swift test")
        let folder = try Self.data()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write(text: Self.model(batch: 2, steps: 60), to: folder + "/model.yaml")
        let arguments = [folder + "/model.yaml", "--data", folder, "--nproc", "2", "--collective-timeout", "60"]

        let reference = try TrainCommandResumeTests.train(arguments + ["--out", folder + "/a"], log: folder + "/a.txt")
        reference.waitUntilExit()
        #expect(reference.terminationStatus == 0, "\(Self.log(folder + "/a.txt"))")

        let job = try TrainCommandResumeTests.train(arguments + ["--out", folder + "/b"], log: folder + "/b.txt")
        let losses = folder + "/b/" + Trainer.lossesName
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: losses) && job.isRunning && Date() < deadline { usleep(5_000) }
        let ranks = Self.log(folder + "/b.txt").firstMatch(of: /pids (\d+), (\d+)\)/)
        let rank1 = try #require(ranks.flatMap { Int32($0.2) }, "the launcher names the ranks' pids: \(Self.log(folder + "/b.txt"))")
        let killedAt = Date()
        kill(rank1, SIGKILL)
        job.waitUntilExit()
        let seconds = Date().timeIntervalSince(killedAt)
        let text = Self.log(folder + "/b.txt")
        #expect(job.terminationStatus != 0)
        #expect(seconds < 60, "the job ended \(seconds) s after the kill")
        #expect(text.contains("rank 1 was killed by signal 9"), "\(text)")
        #expect(text.contains("rank 0 of 2: a collective failed"), "\(text)")
        #expect(text.contains("rank 0 exited with status 1"), "\(text)")
        let partial = try String(contentsOfFile: losses, encoding: .utf8).split(separator: "\n").count
        #expect(partial < 67)

        // Rank 0's checkpoint also resumes in one process (the sampler's position is global; the
        // global batch is then one rank's): the run completes, its history before the kill unchanged.
        try FileManager.default.copyItem(atPath: folder + "/b", toPath: folder + "/d")
        let alone = try TrainCommandResumeTests.train([folder + "/model.yaml", "--data", folder, "--out", folder + "/d", "--resume"],
                                                      log: folder + "/d.txt")
        alone.waitUntilExit()
        #expect(alone.terminationStatus == 0, "\(Self.log(folder + "/d.txt"))")
        let aloneLines = try String(contentsOfFile: folder + "/d/" + Trainer.lossesName, encoding: .utf8).split(separator: "\n")
        let fullLines = try String(contentsOfFile: folder + "/a/" + Trainer.lossesName, encoding: .utf8).split(separator: "\n")
        #expect(aloneLines.count == fullLines.count)
        let kept = try String(contentsOfFile: losses, encoding: .utf8).split(separator: "\n")
        #expect(Array(aloneLines.prefix(kept.count)) == kept)

        let resumed = try TrainCommandResumeTests.train(arguments + ["--out", folder + "/b", "--resume"], log: folder + "/c.txt")
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0, "\(Self.log(folder + "/c.txt"))")
        let full = try String(contentsOfFile: folder + "/a/" + Trainer.lossesName, encoding: .utf8)
        #expect(try String(contentsOfFile: losses, encoding: .utf8) == full)
        #expect(try Self.parameters(folder + "/b/last.safetensors") == Self.parameters(folder + "/a/last.safetensors"))
    }
}
