import Foundation
import PlumeCarbonBench
import PlumeGrids
import PlumeIngest
import PlumeIO
import PlumePhysics
import PlumeTestSupport
import Testing
import Torch
@testable import PlumeEmulators

/// `processing.physics_prior: reference_transport`: the prior is the reference transport
/// over one step (checked against `MeteorologyTransportRun`, the code path of
/// `plume transport`), a hybrid emulator whose network outputs zero rolls out exactly the
/// prior, a hybrid trains, and the definition rules refuse what cannot work.
@Suite(.serialized) struct PhysicsPriorTests {
    /// Two days of CarbonBench-mini on latlon5.625 with 10 layers: one file of 8 records, 6 h apart.
    static func data() throws -> (folder: String, file: String) { try CarbonBenchFixture.twoDays(prefix: "plume-prior") }

    static func definition(surfaceFlux: Bool = true, massFixer: String = "scale") -> ModelDefinition {
        var unet = UNetConfiguration()
        unet.embed = 4
        unet.depth = 1
        var d = ModelDefinition(
            name: "tiny-hybrid", task: .transport, grid: "latlon5.625", levels: 10,
            variables: .init(prognostic: ["co2massmix"],
                             forcing: ["airmass", "u", "v", "blh", "co2flux_land", "co2flux_ocean", "co2flux_anthro"],
                             static: ["orography"], computed: [.latitude, .timeOfYear]),
            architecture: .unet(unet))
        d.processing.physicsPrior = "reference_transport"
        d.processing.surfaceFlux = surfaceFlux
        d.processing.massFixer = massFixer
        d.training.batchSize = 2
        d.training.steps = 3
        d.training.validationSteps = 2
        d.training.validateEvery = 3
        d.training.fineTuneCurriculum = [2]
        d.training.fineTuneSteps = 1
        return d
    }

    static func emulator(_ definition: ModelDefinition, file: EmulatorDataFile) throws -> Emulator {
        let statistics = try NormalisationStatistics.compute(from: file, model: definition)
        var levels: [String: Int] = [:]
        for name in definition.variables.fileVariables { levels[name] = file.levelCount(of: name) }
        return try Emulator(definition: definition, statistics: statistics, grid: file.grid, levels: levels,
                            statics: ["orography": try file.read("orography", time: 0)], cellArea: file.cellArea,
                            trainingData: TrainingDataDescription(trainFile: file.path, validationFile: nil, records: file.recordCount,
                                                                  firstTime: "2000-01-01", lastTime: "", source: nil),
                            generator: Generator(seed: 3))
    }

    static func co2(_ path: String, record: Int) throws -> [Float] {
        try NetCDFFile(path: path).readFloat("co2massmix", Hyperslab(start: [record, 0, 0, 0], count: [1, 10, 32, 64]))
    }

    @Test("the prior is 6 h of the reference transport without surface flux, sample by sample")
    func priorIsTheReferenceTransport() throws {
        let (folder, path) = try Self.data()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try EmulatorDataFile(path: path, model: ModelFile(definition: Self.definition(), path: "tiny-hybrid.yaml"))
        let prior = try ReferenceTransportPrior(dataFile: path, grid: file.grid, levels: 10, stepHours: 6)
        let q2 = try Self.co2(path, record: 2), q5 = try Self.co2(path, record: 5)
        let advanced = try prior.advance(try Tensor(q2 + q5, shape: [2, 10, 32, 64]), records: [2, 5]).toArray(of: Float.self)

        // The same 6 h through `MeteorologyTransportRun` (what `plume transport` runs).
        let lowRes = try #require(try GridCatalog.grid("latlon5.625") as? RegularLatLonGrid)
        let grid = try TransportGrid(lowRes)
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let source = try LayerMeanMeteorologyFile(path: path, grid: grid, levels: levels)
        let winds = try Transport3DMeteorologyWinds(source: source)
        var model = try Transport3DModel(geometry: try Transport3DGeometry(grid: grid, levels: levels), winds: winds)
        model.horizontalDiffusion = CarbonBenchGenerator.defaultHorizontalDiffusion
        let n = 10 * 32 * 64
        var worst = 0.0
        for (sample, (record, q)) in [(2, q2), (5, q5)].enumerated() {
            var run = MeteorologyTransportRun(model: model, winds: winds)
            run.startTime = source.recordTimes[record]
            run.duration = 6 * 3600
            run.initialMixingRatio = q.map { Double($0) * 1e-6 }
            let directory = folder + "/run\(record)"
            let summary = try run.run(directory: directory)
            let expected = try NetCDFFile(path: summary.outputPath).readFloat("co2massmix", Hyperslab(start: [1, 0, 0, 0], count: [1, 10, 32, 64]))
            for i in 0..<n { worst = max(worst, Double(abs(advanced[sample * n + i] - expected[i]))) }
            // It moved the tracer, and towards the truth 6 h later above the boundary layer
            // (below it, the truth also has the surface fluxes, which the prior leaves out;
            // convection still lifts some of them higher).
            let truth = try Self.co2(path, record: record + 1)
            var moved = 0.0, priorError = 0.0, persistenceError = 0.0
            for i in (4 * 32 * 64)..<n {
                let p = Double(advanced[sample * n + i])
                moved = max(moved, abs(p - Double(q[i])))
                priorError += (p - Double(truth[i])) * (p - Double(truth[i]))
                persistenceError += (Double(q[i]) - Double(truth[i])) * (Double(q[i]) - Double(truth[i]))
            }
            #expect(moved > 0.05, "record \(record): largest change above layer 4 \(moved)")
            #expect(priorError < 0.75 * persistenceError, "record \(record): squared error \(priorError) against persistence \(persistenceError)")
        }
        #expect(worst <= 1e-4, "largest difference from plume transport: \(worst) (1e-6 kg/kg)")
    }

    @Test("a hybrid emulator whose network outputs zero rolls out exactly the prior")
    func zeroCorrectionRollsOutThePrior() throws {
        let (folder, path) = try Self.data()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let definition = Self.definition(surfaceFlux: false, massFixer: "none")
        let file = try EmulatorDataFile(path: path, model: ModelFile(definition: definition, path: "tiny-hybrid.yaml"))
        let emulator = try Self.emulator(definition, file: file)
        // State, prior, forcing at t and t + Δt (airmass, u, v: 10 levels; blh and 3 fluxes: 1), orography, latitude, time of year.
        #expect(emulator.processor.inputChannels == 10 + 10 + 2 * (3 * 10 + 4) + 1 + 2 + 2)
        // The checkpoint's channel list (what the PyTorch twins build from) names the prior's.
        #expect(emulator.info.inputChannels.count == emulator.processor.inputChannels)
        #expect(Array(emulator.info.inputChannels[10..<12]) == ["co2massmix[0]@prior(t+dt)", "co2massmix[1]@prior(t+dt)"])
        try Torch.withoutGrad {
            for (_, parameter) in emulator.network.namedParameters() { try parameter.zeroInPlace() }
        }
        try emulator.save(to: folder + "/zero.safetensors")
        let request = RolloutRequest(checkpoint: folder + "/zero.safetensors", initialFile: path, start: "2000-01-01T12:00",
                                     steps: 2, output: folder + "/out.nc")
        _ = try Rollout.run(request)
        let out = try NetCDFFile(path: folder + "/out.nc")
        let prior = try ReferenceTransportPrior(dataFile: path, grid: file.grid, levels: 10, stepHours: 6)
        var q = try Tensor(try Self.co2(path, record: 2), shape: [1, 10, 32, 64])
        for k in 1...2 {
            q = try prior.advance(q, records: [1 + k])
            let written = try out.readFloat("co2massmix", Hyperslab(start: [k, 0, 0, 0], count: [1, 10, 32, 64]))
            #expect(written == (try q.toArray(of: Float.self)), "step \(k)")
        }
    }

    @Test("a hybrid rollout killed midway and resumed writes the same bytes")
    func hybridRolloutResumes() throws {
        let (folder, path) = try Self.data()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let definition = Self.definition()
        let file = try EmulatorDataFile(path: path, model: ModelFile(definition: definition, path: "tiny-hybrid.yaml"))
        try Self.emulator(definition, file: file).save(to: folder + "/hybrid.safetensors")
        func request(_ out: String) -> RolloutRequest {
            RolloutRequest(checkpoint: folder + "/hybrid.safetensors", initialFile: path, start: "2000-01-01T06:00",
                           steps: 5, output: folder + "/" + out, segmentSteps: 2)
        }
        let straight = try Rollout.run(request("straight.nc"))
        #expect((straight.worstMassResidual ?? 1) < 2e-6)
        #expect(throws: RolloutTests.Killed.self) {
            _ = try Rollout.run(request("resumed.nc")) { done, _ in if done == 3 { throw RolloutTests.Killed() } }
        }
        let summary = try Rollout.run(request("resumed.nc"), resume: true)
        #expect(summary.stepsResumed == 3 && summary.stepsRun == 2)
        let a = try Data(contentsOf: URL(fileURLWithPath: folder + "/straight.nc"))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder + "/resumed.nc"))
        #expect(a == b, "resumed hybrid rollout differs from the uninterrupted one")
    }

    @Test("a hybrid trains, fine-tunes through two-step windows and validates")
    func hybridTrains() throws {
        let (folder, path) = try Self.data()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let definition = Self.definition()
        let file = try EmulatorDataFile(path: path, model: ModelFile(definition: definition, path: "tiny-hybrid.yaml"))
        let trainer = try Trainer(emulator: try Self.emulator(definition, file: file), trainFile: file, validationFile: file,
                                  folder: folder + "/run", options: TrainingOptions(validationSamples: 2))
        let summary = try trainer.run()
        #expect(summary.history.count == 4)
        #expect(summary.history.allSatisfy { $0.train.isFinite && $0.train > 0 })
        #expect(summary.bestValidation.map { $0.isFinite } == true)
    }

    @Test("physics_prior: an unknown prior, a weather model, a second prognostic variable or a step that does not divide the model's is refused")
    func definitionRules() throws {
        var unknown = Self.definition()
        unknown.processing.physicsPrior = "tm5"
        #expect(DefinitionRules.check(unknown).contains { $0.path == "processing.physics_prior" && $0.message.contains("none or reference_transport") })
        var weather = Self.definition()
        weather.task = .weather
        #expect(DefinitionRules.check(weather).contains { $0.path == "processing.physics_prior" && $0.message.contains("only a transport emulator") })
        var two = Self.definition()
        two.variables.prognostic = ["co2massmix", "blh"]
        two.variables.forcing.removeAll { $0 == "blh" }
        #expect(DefinitionRules.check(two).contains { $0.path == "processing.physics_prior" && $0.message.contains("the only prognostic variable") })
        var step = Self.definition()
        step.processing.physicsPriorStepHours = 4
        #expect(DefinitionRules.check(step).contains { $0.path == "processing.physics_prior_step_hours" && $0.message.contains("whole divisor of time_step_hours (6.0)") })
        step.processing.physicsPriorStepHours = 3
        #expect(DefinitionRules.check(step).isEmpty)
        // Without a prior the prior's step is not checked: a 30-minute model is fine.
        var halfHour = Self.definition()
        halfHour.processing.physicsPrior = "none"
        halfHour.timeStepHours = 0.5
        #expect(!DefinitionRules.check(halfHour).contains { $0.path == "processing.physics_prior_step_hours" })
        #expect(DefinitionRules.check(Self.definition()).isEmpty)
    }
}
