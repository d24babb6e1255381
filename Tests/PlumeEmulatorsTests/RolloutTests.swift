import Foundation
import PlumeIO
import Testing
import Torch
@testable import PlumeEmulators

/// Rollouts from an untrained but real network on a synthetic transport file: the budget
/// closes to float32 round-off, a rollout interrupted and resumed writes the same bytes,
/// and bad inputs are refused with messages naming the file and what was expected.
@Suite(.serialized) struct RolloutTests {
    static func definition(levels: Int = 2, architecture: ModelDefinition.Architecture? = nil) -> ModelDefinition {
        var unet = UNetConfiguration()
        unet.embed = 4
        unet.depth = 1
        return ModelDefinition(
            name: "tiny-co2", task: .transport, grid: "latlon5.625", levels: levels,
            variables: .init(prognostic: ["co2massmix"],
                             forcing: ["airmass", "u", "v", "blh", "co2flux_land", "co2flux_ocean", "co2flux_anthro"],
                             static: ["orography"], computed: [.latitude, .timeOfYear]),
            architecture: architecture ?? .unet(unet))
    }

    /// A folder with data.nc and an untrained checkpoint model.safetensors.
    static func fixture(_ name: String, levels: Int = 2, records: Int = 12,
                        architecture: ModelDefinition.Architecture? = nil) throws -> String {
        let folder = NSTemporaryDirectory() + "plume-rollout-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try SyntheticTransportData.write(to: folder + "/data.nc", records: records, levels: levels)
        let model = ModelFile(definition: definition(levels: levels, architecture: architecture), path: "tiny-co2.yaml")
        let file = try EmulatorDataFile(path: folder + "/data.nc", model: model)
        let statistics = try NormalisationStatistics.compute(from: file, model: model.definition)
        var levelsByName: [String: Int] = [:]
        for name in model.definition.variables.fileVariables { levelsByName[name] = file.levelCount(of: name) }
        let emulator = try Emulator(definition: model.definition, statistics: statistics, grid: file.grid, levels: levelsByName,
                                    statics: ["orography": try file.read("orography", time: 0)], cellArea: file.cellArea,
                                    trainingData: TrainingDataDescription(trainFile: "data.nc", validationFile: nil, records: records,
                                                                          firstTime: "2000-01-01", lastTime: "", source: nil),
                                    generator: Generator(seed: 7))
        try emulator.save(to: folder + "/model.safetensors")
        return folder
    }

    static let tinyArchitectures: [ModelDefinition.Architecture] = {
        var unet = UNetConfiguration()
        unet.embed = 4
        unet.depth = 1
        var mesh = MeshGNNConfiguration()
        mesh.hidden = 8
        mesh.processorSteps = 1
        mesh.meshLevel = 2
        var swin = SwinConfiguration()
        swin.embed = 8
        swin.depth = 2
        swin.heads = 2
        swin.positionBiasHidden = 16
        return [.unet(unet), .meshGNN(mesh), .swin(swin)]
    }()

    @Test(arguments: tinyArchitectures) func budgetClosesAndValuesStayPhysical(_ architecture: ModelDefinition.Architecture) throws {
        let folder = try Self.fixture("budget", architecture: architecture)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let request = RolloutRequest(checkpoint: folder + "/model.safetensors", initialFile: folder + "/data.nc",
                                     start: "2000-01-01T06:00", steps: 10, output: folder + "/out.nc", segmentSteps: 3)
        let summary = try Rollout.run(request)
        #expect(summary.stepsRun == 10)
        #expect((summary.worstMassResidual ?? 1) < 2e-6, "worst residual \(summary.worstMassResidual ?? -1)")
        #expect((summary.minimumTracer ?? -1) >= 0)
        let out = try NetCDFFile(path: folder + "/out.nc")
        #expect(out.dataset.dimension("time")?.length == 11)
        #expect(Set(out.variableNames).isSuperset(of: ["co2massmix", "airmass", "cell_area", "co2flux_land", "co2flux_ocean", "co2flux_anthro"]))
        #expect(try out.read("time") == (0...10).map { 6 + 6 * Double($0) })
        // Record 0 is the initial state, exactly.
        let data = try NetCDFFile(path: folder + "/data.nc")
        let initial = try data.readFloat("co2massmix", Hyperslab(start: [1, 0, 0, 0], count: [1, 2, 32, 64]))
        #expect(try out.readFloat("co2massmix", Hyperslab(start: [0, 0, 0, 0], count: [1, 2, 32, 64])) == initial)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.nc.parts"))
    }

    struct Killed: Error {}

    @Test func interruptedRolloutResumesToTheSameBytes() throws {
        let folder = try Self.fixture("resume")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func request(_ out: String) -> RolloutRequest {
            RolloutRequest(checkpoint: folder + "/model.safetensors", initialFile: folder + "/data.nc",
                           start: "2000-01-01", steps: 11, output: folder + "/" + out, segmentSteps: 4)
        }
        _ = try Rollout.run(request("straight.nc"))
        #expect(throws: Killed.self) {
            _ = try Rollout.run(request("resumed.nc")) { done, _ in if done == 6 { throw Killed() } }
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/resumed.nc"))
        #expect(FileManager.default.fileExists(atPath: folder + "/resumed.nc.parts/segment-000000.nc"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/resumed.nc.parts/segment-000004.nc"))
        // Without --resume the leftover is refused, naming the folder.
        do {
            _ = try Rollout.run(request("resumed.nc"))
            Issue.record("an interrupted rollout was restarted silently")
        } catch {
            #expect("\(error)".contains("resumed.nc.parts") && "\(error)".contains("--resume"))
        }
        let summary = try Rollout.run(request("resumed.nc"), resume: true)
        #expect(summary.stepsResumed == 3 && summary.stepsRun == 8)
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/straight.nc"))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder + "/resumed.nc"))
        #expect(a == b, "resumed file differs from the uninterrupted one")
    }

    /// A rollout in two legs — the second from the first's output file, with the data file
    /// as forcing (a pipeline's ${rollout[-1]}) — gives the same states as one rollout.
    @Test func aLegFromTheEndOfAnotherContinuesItExactly() throws {
        let folder = try Self.fixture("legs")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = folder + "/model.safetensors", data = folder + "/data.nc"
        _ = try Rollout.run(RolloutRequest(checkpoint: checkpoint, initialFile: data, start: "2000-01-01", steps: 8, output: folder + "/whole.nc"))
        _ = try Rollout.run(RolloutRequest(checkpoint: checkpoint, initialFile: data, start: "2000-01-01", steps: 4, output: folder + "/leg1.nc"))
        // The first leg's file holds the state but not the forcing: alone it is refused…
        #expect(throws: EmulatorError.self) {
            _ = try Rollout.run(RolloutRequest(checkpoint: checkpoint, initialFile: folder + "/leg1.nc", start: "2000-01-02",
                                               steps: 4, output: folder + "/refused.nc"))
        }
        // … with the data file as forcing it continues.
        _ = try Rollout.run(RolloutRequest(checkpoint: checkpoint, initialFile: folder + "/leg1.nc", forcingFiles: [data],
                                           start: "2000-01-02", steps: 4, output: folder + "/leg2.nc"))
        let whole = try NetCDFFile(path: folder + "/whole.nc"), leg2 = try NetCDFFile(path: folder + "/leg2.nc")
        for k in 0...4 {
            let a = try whole.readFloat("co2massmix", Hyperslab(start: [4 + k, 0, 0, 0], count: [1, 2, 32, 64]))
            let b = try leg2.readFloat("co2massmix", Hyperslab(start: [k, 0, 0, 0], count: [1, 2, 32, 64]))
            #expect(a == b, "record \(4 + k) of the whole rollout differs from record \(k) of the second leg")
        }
        #expect(try leg2.read("time") == (0...4).map { 24 + 6 * Double($0) })
    }
}
