import ArgumentParser
import PlumeSupport
import Foundation
import PlumePhysics
import PlumeSpectral
import Torch
import PlumeConservation

/// `plume bench shallow-water`: model days per wall-clock second of `ShallowWaterModel`
/// (float64, RK4, ∇⁸ hyperdiffusion, the suggested time step) from Williamson et al.'s case 6
/// (Rossby–Haurwitz wave) at truncation T on the smallest alias-free Gaussian grid
/// (nlat = 2⌈(3T + 1)/4⌉, nlon = 2·nlat: T42 → 64 × 128, T85 → 128 × 256).
///
/// `Benchmarks/shallow_water.py` implements the same algorithm in PyTorch on the same
/// libtorch; `Benchmarks/shallow_water.sh` runs both with the same thread count and checks
/// that h agrees after the same steps. Prints one JSON line (`"method": "swift"`): `seconds`
/// is the best of `--repeat` timed runs of `--days` after one warm-up step (not counted),
/// `days_per_second` = days / seconds. With `--h-out FILE`, h (m) after the timed steps is
/// written as raw little-endian float64 [nlat, nlon] (north → south, from 0°).
struct ShallowWaterBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shallow-water",
        abstract: "Time the spectral shallow-water model (model days per second) from Williamson case 6.",
        discussion: "Side by side with PyTorch: Benchmarks/shallow_water.sh (runs Benchmarks/shallow_water.py).")

    @Option(help: "Triangular truncation T.")
    var truncation: Int = 42

    @Option(help: "Model days per timed run.")
    var days: Double = 1

    @Option(help: "libtorch intra-op threads.")
    var threads: Int = 1

    @Option(name: .customLong("repeat"), help: "Timed runs (the best is reported).")
    var repetitions: Int = 1

    @Option(name: .customLong("h-out"), help: "Write h after the timed steps here (raw float64 [nlat, nlon]).")
    var hOut: String?

    func validate() throws {
        guard truncation >= 2 else { throw ValidationError("--truncation must be at least 2, got \(truncation)") }
        guard days.isFinite, days > 0 else { throw ValidationError("--days must be positive, got \(days)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1, got \(repetitions)") }
    }

    /// nlat of the smallest alias-free Gaussian grid for T (even), nlon = 2·nlat.
    static func gridSize(truncation: Int) -> (nlat: Int, nlon: Int) {
        let half = (3 * truncation + 1 + 3) / 4  // ⌈(3T + 1)/4⌉
        return (2 * half, 4 * half)
    }

    func run() throws {
        try Torch.setThreadCount(threads)
        let (nlat, nlon) = Self.gridSize(truncation: truncation)
        let transform = try SphericalHarmonicTransform(nlat: nlat, nlon: nlon, lmax: truncation + 1, mmax: truncation + 1,
                                                       grid: .gaussian, radius: PhysicalConstants.earthRadius, dtype: .float64)
        let dt = ShallowWaterConfiguration.suggestedTimeStep(truncation: truncation)
        let model = try ShallowWaterModel(transform: transform, configuration: ShallowWaterConfiguration(timeStep: dt))
        let initial = try model.state(from: ShallowWaterTestCase.williamson6.state(latitudes: model.latitudesDegrees,
                                                                                    longitudes: model.longitudesDegrees))
        let steps = Int((days * PhysicalConstants.day / dt).rounded())
        _ = try model.step(initial)  // warm-up (allocator, thread pool), not timed
        var best = Double.infinity
        var final = initial
        for _ in 0..<repetitions {
            var state = initial
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { state = try model.step(state) }
            let h = try model.gridFields(state).h  // include the last synthesis, as Python does
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            _ = h
            best = min(best, seconds)
            final = state
        }
        let h = try model.gridFields(final).h.contiguous().toArray(of: Double.self)
        if let hOut {
            let data = h.withUnsafeBufferPointer { Data(buffer: $0) }
            try AtomicFile.write(data, to: hOut)
        }
        let modelDays = Double(steps) * dt / PhysicalConstants.day
        let mean = h.reduce(0, +) / Double(h.count)
        print("{\"method\": \"swift\", \"truncation\": \(truncation), \"nlat\": \(nlat), \"nlon\": \(nlon), "
              + "\"threads\": \(Torch.threadCount), \"time_step\": \(dt), \"steps\": \(steps), \"days\": \(modelDays), "
              + "\"seconds\": \(best), \"days_per_second\": \(modelDays / best), \"h_mean\": \(mean)}")
    }
}
