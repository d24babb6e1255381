import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
import PlumeRegrid
import Testing

/// Acceptance: real ECMWF fields (cfgrib's sample data) regridded conservatively to
/// latlon5.625 keep their area integral to 1e-12.
@Suite("Regridding real data")
struct RealDataRegridTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The sample-data folder, fetched by the project's script (fails when it cannot be had).
    static func samples() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: root + "/Scripts/fetch-sample-data.sh")
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = ((try? pipe.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())
        process.waitUntilExit()
        let folder = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !folder.isEmpty else {
            throw RegridFileError(file: "Scripts/fetch-sample-data.sh", variable: "-", reason: "could not fetch the sample data")
        }
        return folder
    }

    @Test("conservative regridding to latlon5.625 conserves the area integral", arguments: ["reduced_gg.grib", "regular_gg_ml.grib"])
    func conserves(_ name: String) throws {
        let path = try Self.samples() + "/" + name
        let dataset = try DatasetLoader.load(path).dataset
        let source = try GridFromData.grid(from: dataset, source: path)
        let banded = try #require(source as? any BandedGrid)
        let destination = try #require(try GridCatalog.grid("latlon5.625") as? any BandedGrid)
        let remapper = Remapper(ConservativeWeights.make(from: banded, to: destination))
        let sourceArea = remapper.weights.sourceArea, destinationArea = remapper.weights.destinationArea
        var checked = 0
        for v in dataset.dataVariables {
            guard let values = v.data?.doubles, values.count % source.cellCount == 0, values.count > 0 else { continue }
            let fields = values.count / source.cellCount
            let out = try remapper.apply(fields: values, count: fields)
            for f in 0..<fields {
                let field = values[(f * source.cellCount)..<((f + 1) * source.cellCount)]
                let result = out[(f * destination.cellCount)..<((f + 1) * destination.cellCount)]
                let before = zip(field, sourceArea).reduce(0.0) { $0 + $1.0 * $1.1 }
                let after = zip(result, destinationArea).reduce(0.0) { $0 + $1.0 * $1.1 }
                let scale = zip(field, sourceArea).reduce(0.0) { $0 + abs($1.0) * $1.1 }
                #expect(abs(after - before) <= 1e-12 * scale, "\(name) \(v.name) field \(f): \(before) → \(after)")
                checked += 1
            }
        }
        #expect(checked > 0, "\(name): no field on the grid was found")
        print("\(name): \(checked) fields on \(source.name) (\(source.cellCount) cells) conserved")
    }

    @Test("plume regrid writes a CF file whose float32 values match the in-memory remapping")
    func command() throws {
        let path = try Self.samples() + "/regular_gg_ml.grib"
        let out = NSTemporaryDirectory() + "plume-regrid-\(UUID().uuidString).nc"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let destination = try GridCatalog.grid("latlon5.625")
        let summary = try FileRegridder(destination: destination, method: .conservative).run(input: path, output: out)
        #expect(!summary.regridded.isEmpty)
        let file = try NetCDFFile(path: out)
        let dataset = try DatasetLoader.load(path).dataset
        let source = try #require(try GridFromData.grid(from: dataset, source: path) as? any BandedGrid)
        let remapper = Remapper(ConservativeWeights.make(from: source, to: try #require(destination as? any BandedGrid)))
        for name in summary.regridded {
            let input = try #require(dataset.variable(name)?.data?.doubles)
            let expected = try remapper.apply(fields: input, count: input.count / source.cellCount)
            let written = try file.read(name)
            #expect(written.count == expected.count)
            let worst = zip(written, expected).reduce(0.0) { max($0, abs($1.0 - $1.1) / max(1e-30, abs($1.1))) }
            #expect(worst < 1e-6, "\(name): float32 output differs by \(worst) relative")
        }
        #expect(try file.variable("latitude").shape == [32])
    }
}
