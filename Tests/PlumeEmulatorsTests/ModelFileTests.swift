import Foundation
import PlumeTestSupport
import Testing
@testable import PlumeEmulators

@Suite struct ModelFileTests {
    static let modelsFolder = PythonRunner.packageRoot + "/Pipelines/models"

    @Test func everyShippedModelFileIsValid() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.modelsFolder).filter { $0.hasSuffix(".yaml") }
        #expect(names.count >= 6)
        for name in names {
            let model = try ModelFile.load(path: Self.modelsFolder + "/" + name)
            #expect(model.definition.name + ".yaml" == name)
            #expect(model.definition.timeStepHours == 6)
        }
        let unet = try ModelFile.load(path: Self.modelsFolder + "/unet-lowres-co2.yaml")
        #expect(unet.definition.architecture == .unet({ var c = UNetConfiguration(); c.embed = 32; c.depth = 3; c.blocks = 1; c.latitudePadding = "poles"; return c }()))
        #expect(unet.definition.variables.forcing.contains("airmass"))
        #expect(unet.definition.training.betas == [0.9, 0.95])
        #expect(unet.definition.training.inputNoise == 1.0)
        #expect(unet.line(of: "architecture.embed") == 17)
    }

    @Test func everyProblemIsReportedAtOnceWithItsLine() throws {
        let text = """
            name: broken
            task: transport
            grid: latlon5.625
            levels: 10
            variables:
              prognostic: [co2massmix]
              forcing: [airmass, co2flux_land, co2flux_ocean, co2flux_anthro]
            architecture:
              kind: unet
              embd: 32
              depth: three
            training:
              batch_size: "four"
              learning_rat: 0.001
            """
        do {
            let (file, issues) = try Self.problems(text, "broken.yaml")
            #expect(file == "broken.yaml")
            let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(issues.count == 4, "\(issues)")
            #expect(byPath["architecture.embd"]?.line == 10)
            #expect(byPath["architecture.embd"]?.message.contains("did you mean 'embed'") == true)
            #expect(byPath["architecture.depth"]?.line == 11)
            #expect(byPath["architecture.depth"]?.message.contains("an integer") == true)
            #expect(byPath["training.batch_size"]?.line == 13)
            #expect(byPath["training.learning_rat"]?.line == 14)
        }
    }

    @Test func missingKeysUnknownArchitectureAndValueRules() throws {
        let missing = "name: m\ntask: weather\ngrid: latlon5.625\nvariables:\n  forcing: [u]\narchitecture:\n  kind: transformer\n"
        do {
            let (_, issues) = try Self.problems(missing, "m.yaml")
            #expect(issues.contains { $0.path == "variables.prognostic" && $0.message.contains("required") })
            #expect(issues.contains { $0.path == "architecture.kind" && $0.message.contains("unknown architecture 'transformer'") && $0.line == 7 })
        }
        let rules = """
            name: r
            task: transport
            grid: latlon5.625
            levels: 10
            variables:
              prognostic: [co2massmix]
              forcing: [u]
            architecture: {kind: swin, embed: 30, heads: 4}
            processing: {mass_fixer: rescale}
            training: {betas: [0.9], device: tpu, input_noise: -0.5}
            """
        do {
            let (_, issues) = try Self.problems(rules, "r.yaml")
            let paths = Set(issues.map(\.path))
            #expect(paths.isSuperset(of: ["architecture.heads", "processing.mass_fixer", "training.betas", "training.device",
                                          "training.input_noise", "variables.forcing"]), "\(issues)")
            #expect(issues.first { $0.path == "architecture.heads" }?.line == 8)
            #expect(issues.contains { $0.message.contains("air mass 'airmass'") })
        }
        let padding = """
            name: p
            task: weather
            grid: latlon5.625
            variables:
              prognostic: [h]
            architecture: {kind: unet, latitude_padding: mirror}
            """
        do {
            let (_, issues) = try Self.problems(padding, "p.yaml")
            #expect(issues.contains { $0.path == "architecture.latitude_padding" && $0.message.contains("zeros, poles") && $0.message.contains("'mirror'") },
                    "\(issues)")
        }
    }

    struct Accepted: Error {}

    /// The file and issues of the `invalidModelFile` error that parsing `text` must throw.
    static func problems(_ text: String, _ path: String) throws -> (String, [DefinitionIssue]) {
        do {
            _ = try ModelFile.parse(text, path: path)
        } catch {
            if case .invalidModelFile(let file, let issues) = error { return (file, issues) }
            throw error
        }
        throw Accepted()
    }

    @Test func unreadableAndInvalidYAML() throws {
        #expect(throws: EmulatorError.self) { try ModelFile.load(path: "/nonexistent/model.yaml") }
        #expect(throws: EmulatorError.self) { try ModelFile.parse("name: [unclosed", path: "bad.yaml") }
    }
}
