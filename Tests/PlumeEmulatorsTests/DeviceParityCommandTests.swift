import Foundation
import PlumeTestSupport
import Testing
import Torch
@testable import PlumeEmulators

/// `plume bench device-parity` (Scripts/device-check.sh's CPU/GPU comparison) and
/// `plume bench emulators --device`, run through the executable built by `swift build`.
/// Without a GPU: the comparison of two CPU copies, the MidRes model files on their grid's
/// synthetic data, and a loud failure for `--device cuda`.
@Suite(.serialized) struct DeviceParityCommandTests {
    static let executable = TrainCommandResumeTests.executable
    static let models = PythonRunner.packageRoot + "/Pipelines/models"

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let (out, err, status) = try Shell.run(executable, arguments, allowFailure: true, workingDirectory: PythonRunner.packageRoot)
        return (status, out + err)
    }

    /// The same checkpoint loaded twice on the CPU gives the same outputs and gradients, to the
    /// bit: every comparison is made, reported and passes, with errors of 0.
    @Test func twoCPUCopiesAgreeExactly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "\(Self.executable) is built by swift build / swift test")
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("plume-parity-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let (status, output) = try Self.run(["bench", "device-parity", "--device", "cpu", "--models", Self.models + "/swin-lowres-co2.yaml",
                                             "--batch", "2", "--json", json])
        #expect(status == 0, "\(output)")
        #expect(output.contains("7 passed, 0 failed"), "\(output)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        let comparisons = report?["comparisons"] as? [[String: Any]] ?? []
        #expect(comparisons.map { $0["quantity"] as? String ?? "" } == [
            "network output", "network loss", "network gradients", "step Δco2massmix", "step loss", "step gradients",
            "rollout step Δco2massmix",
        ])
        for c in comparisons {
            #expect(c["relativeError"] as? Double == 0, "\(c)")
            #expect(c["passed"] as? Bool == true)
            #expect((c["referenceRMS"] as? Double ?? 0) > 0, "a quantity that is all zeros compares nothing: \(c)")
        }
        // The gradients are those of every parameter (154,282 for this Swin).
        #expect(comparisons.first { $0["quantity"] as? String == "network gradients" }?["count"] as? Int == 154_282)
    }

    /// Asking for a GPU that libtorch does not see fails at once, saying why, in both commands.
    @Test func cudaWithoutAGPUFailsLoudly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable))
        guard !Device.isCUDAAvailable else { return }  // a machine with a GPU and a CUDA libtorch: nothing to see here
        for arguments in [["bench", "device-parity", "--device", "cuda"],
                          ["bench", "emulators", "--device", "cuda:0", "--no-python", "--reference-days", "0"]] {
            let (status, output) = try Self.run(arguments)
            #expect(status == 1, "\(arguments): \(output)")
            #expect(output.contains("sees no CUDA device") && output.contains("LIBTORCH"), "\(arguments): \(output)")
        }
        let (status, output) = try Self.run(["bench", "device-parity", "--device", "gpu"])
        #expect(status != 0 && output.contains("expected cuda, cuda:N or cpu"), "\(output)")
    }

    /// The MidRes model files build on latlon2.8125 with 20 levels from synthetic data on that grid
    /// (64 × 128), with the M4 mesh for the graph network; the benchmark writes each model's timings.
    @Test func midResModelsRunOnTheirGrid() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable))
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("plume-midres-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let names = ["unet", "mesh-gnn", "swin"].map { "\($0)-midres-co2" }
        let (status, output) = try Self.run(["bench", "emulators", "--device", "cpu", "--no-python", "--reference-days", "0",
                                             "--batch", "1", "--repeats", "1", "--warmup", "0", "--json", json,
                                             "--models"] + names.map { Self.models + "/\($0).yaml" })
        #expect(status == 0, "\(output)")
        for name in names { #expect(output.contains("\(name): ") && output.contains("input [1, 153, 64, 128]"), "\(output)") }
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(report?["device"] as? String == "cpu")
        let results = report?["models"] as? [[String: Any]] ?? []
        #expect(results.map { $0["name"] as? String ?? "" } == names)
        for r in results {
            let train = (r["swift"] as? [String: Any])?["train"] as? [String: Any]
            #expect((train?["median"] as? Double ?? 0) > 0, "\(r)")
        }
    }

    /// Synthetic data on MidRes has LowRes's fields at the same places: the cell areas add up to
    /// the sphere on both grids, and the grid written is the one asked for.
    @Test func syntheticDataOnAnotherGrid() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plume-synthetic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let latitudes = (0..<64).map { -88.59375 + 2.8125 * Double($0) }, longitudes = (0..<128).map { 2.8125 * Double($0) }
        try SyntheticTransportData.write(to: folder + "/mid.nc", records: 3, levels: 20, latitudes: latitudes, longitudes: longitudes)
        try SyntheticTransportData.write(to: folder + "/low.nc", records: 3, levels: 10)
        let mid = try EmulatorDataFile(path: folder + "/mid.nc", model: try ModelFile.load(path: Self.models + "/unet-midres-co2.yaml"))
        let low = try EmulatorDataFile(path: folder + "/low.nc", model: try ModelFile.load(path: Self.models + "/unet-lowres-co2.yaml"))
        #expect(mid.grid.latitudes == latitudes && mid.grid.longitudes == longitudes)
        let sphere = 4 * Double.pi * 6.3781e6 * 6.3781e6
        for file in [mid, low] {
            let area = try #require(file.cellArea).reduce(0, +)
            #expect(abs(area / sphere - 1) < 1e-5, "\(area) against \(sphere)")
        }
        // The same field at the same fraction of the grid: MidRes row 2k is LowRes row k, and
        // MidRes column 2m is LowRes column m (first level, first record).
        let co2Mid = try mid.read("co2massmix", time: 0), co2Low = try low.read("co2massmix", time: 0)
        #expect(co2Mid.count == 20 * 64 * 128 && co2Low.count == 10 * 32 * 64)
        for (k, m) in [(1, 0), (5, 7), (20, 40)] {
            #expect(abs(co2Mid[2 * k * 128 + 2 * m] - co2Low[k * 64 + m]) < 1e-3, "row \(k), column \(m)")
        }
        #expect(Set(co2Mid).count > 1000, "a field, not a constant")
        #expect(throws: (any Error).self) {
            try SyntheticTransportData.write(to: folder + "/bad.nc", latitudes: [0], longitudes: [0, 1])
        }
    }
}
