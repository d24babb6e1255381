import ArgumentParser
import Foundation
import PlumeEmulators

/// `plume rollout`: a trained emulator run forward from an initial state, every step written
/// to a CF netCDF file; resumable after a kill.
struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Run a trained emulator forward from an initial state and write every step to netCDF.",
        discussion: """
            The checkpoint (from plume train) carries the model, its normalisation and its grid. \
            The initial state is read from --init at --start; the forcing (meteorology, surface \
            fluxes) of every step from the --forcing files (default: the --init file). The output \
            has the data's variable names, record 0 being the initial state; a CO2 rollout also \
            holds airmass, cell_area and the surface fluxes it applied, so its budget can be \
            checked from the file alone. Steps are written in segments to OUT.parts/ as they are \
            made; after a kill, the same command with --resume continues and writes a \
            byte-identical file.
            """)

    @Argument(help: "Emulator checkpoint (.safetensors) written by plume train.")
    var checkpoint: String

    @Option(name: .customLong("init"), help: "File holding the initial state.")
    var initialFile: String

    @Option(help: "Start date, ISO 8601 (2000-03-01 or 2000-03-01T06:00); a record of --init.")
    var start: String

    @Option(help: "Days to run (a whole number of model steps).")
    var days: Double

    @Option(name: .customLong("forcing"), parsing: .upToNextOption, help: "Forcing files (default: the --init file).")
    var forcing: [String] = []

    @Option(name: .customLong("out"), help: "Output netCDF file (must not exist).")
    var out: String

    @Flag(help: "Continue an interrupted rollout to the same output.")
    var resume = false

    @Option(help: "Device: cpu or cuda:N.")
    var device: String = "cpu"

    @Option(name: .customLong("segment-steps"), help: "Steps per segment written on the way (the resume granularity).")
    var segmentSteps: Int = 4

    func run() throws {
        guard let device = EmulatorDevice.parse(device) else { throw ValidationError("--device '\(device)': expected cpu or cuda:N") }
        let (emulator, _) = try Emulator.load(checkpoint: checkpoint, device: .cpu)
        let hours = emulator.definition.timeStepHours
        let exactSteps = days * 24 / hours
        guard exactSteps >= 1, abs(exactSteps - exactSteps.rounded()) < 1e-9 else {
            throw ValidationError("--days \(days): must be a positive whole number of \(hours)-hour steps")
        }
        let request = RolloutRequest(checkpoint: checkpoint, initialFile: initialFile, forcingFiles: forcing, start: start,
                                     steps: Int(exactSteps.rounded()), output: out, segmentSteps: segmentSteps)
        let interactive = isatty(STDERR_FILENO) != 0
        var lastPrinted = -1
        let began = Date()
        let summary = try Rollout.run(request, resume: resume, device: device) { done, total in
            let percent = done * 100 / max(total, 1)
            guard percent != lastPrinted, interactive || percent % 10 == 0 || done == total else { return }
            lastPrinted = percent
            let elapsed = Date().timeIntervalSince(began)
            let text = String(format: "step %d/%d (%d%%), %.1f s", done, total, percent, elapsed)
            FileHandle.standardError.write(Data((interactive ? "\r\(text)\u{1B}[K" : text + "\n").utf8))
        }
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        print("wrote \(out): \(request.steps) steps (\(summary.stepsResumed) resumed), \(String(format: "%.2f", summary.daysPerSecond)) simulated days/s")
        if let residual = summary.worstMassResidual, let minimum = summary.minimumTracer {
            print(String(format: "tracer budget: worst relative residual %.3g per step; minimum %.6g", residual, minimum))
        }
    }
}
