import Foundation
import PlumeIO
import Testing

/// Acceptance 4: 1,000 randomly truncated or byte-mutated copies of the sample files fed
/// to the readers: no crash, no hang, every failure a thrown Swift error naming the file.
@Suite struct RobustnessTests {
    /// A small deterministic generator (SplitMix64) so that a failing case can be replayed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let files = [
        "era5-levels-members.grib", "regular_gg_ml.grib", "regular_gg_pl.grib", "reduced_gg.grib", "regular_ll_msl.grib",
        "alternate-scanning.grib", "lambert_grid.grib", "fields_with_missing_values.grib", "step_60m.grib",
        "era5-levels-corrupted.grib", "hpa_and_pa.grib", "spherical_harmonics.grib", "era5-levels-members.nc",
    ]

    @Test func mutatedAndTruncatedFiles() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["PLUME_FUZZ_SEED"] ?? "") ?? 20_261_129
        var rng = SplitMix64(state: seed)
        let samples = try Self.files.map { name in (name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: try SampleData.path(name))))) }
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var outcomes = (ok: 0, thrown: 0)
        let verbose = ProcessInfo.processInfo.environment["PLUME_FUZZ_VERBOSE"] != nil
        let started = Date()
        for i in 0..<1000 {
            let (name, original) = samples[Int.random(in: 0..<samples.count, using: &rng)]
            var bytes = original
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            case 1:  // flip a few bytes, biased toward headers where damage matters most
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let limit = Bool.random(using: &rng) ? min(bytes.count, 2048) : bytes.count
                    bytes[Int.random(in: 0..<limit, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            default:  // both
                bytes = Array(bytes.prefix(Int.random(in: bytes.count / 2..<bytes.count, using: &rng)))
                for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= 0xFF }
            }
            let ext = name.hasSuffix(".nc") ? "nc" : "grib"
            let path = temp.file("case-\(i).\(ext)")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if verbose { FileHandle.standardError.write(Data("case \(i): \(name), \(bytes.count) bytes\n".utf8)) }
            do {
                let loaded = try DatasetLoader.load(path)
                _ = loaded.dataset.variables.count
                outcomes.ok += 1
            } catch let error as PlumeIOError {
                #expect("\(error)".hasPrefix(path), "case \(i) (\(name), seed \(seed)): error does not name the file: \(error)")
                outcomes.thrown += 1
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(outcomes.ok + outcomes.thrown == 1000)
        #expect(outcomes.thrown > 100, "mutations should break a good share of the files")
        #expect(seconds < 300, "1,000 cases took \(seconds) s: something hangs")
        print("robustness: \(outcomes.ok) loaded, \(outcomes.thrown) rejected with an error, in \(String(format: "%.1f", seconds)) s (seed \(seed))")
    }
}
