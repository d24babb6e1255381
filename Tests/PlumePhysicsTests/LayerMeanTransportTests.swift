import Foundation
import PlumeCarbonBench
import PlumeConservation
import PlumeGrids
import PlumeIngest
import PlumeIO
import PlumePhysics
import PlumeTestSupport
import Testing

/// The reference transport driven by a CarbonBench-layout file (layer-mean winds with their
/// interface pressures), the cost–skill anchor of the emulators: read back exactly, the
/// column mass flux kept when re-layered, and a run from the file's CO2 that follows the
/// file's own truth (made by the same model from the streamfunction) far better than
/// persistence, with a closed budget; and `plume transport --init --start` on the command line.
@Suite("Reference transport from CarbonBench-layout files", .serialized)
struct LayerMeanTransportTests {
    /// Two days of CarbonBench-mini (T21 weather, transport and output on latlon5.625, 10
    /// layers) in one file of 8 records, 6 h apart.
    static func generate() throws -> (folder: String, file: String) { try CarbonBenchFixture.twoDays(prefix: "plume-layer-mean") }

    /// The generator's grid (cell centres from 2.8125° E), so the file's cells are copied.
    static let grid = Result { () throws -> TransportGrid in
        guard let lowRes = try GridCatalog.grid("latlon5.625") as? RegularLatLonGrid else { throw TransportError.invalidValue(name: "latlon5.625", reason: "not lat-lon") }
        return try TransportGrid(lowRes)
    }

    @Test("the file's winds and surface pressure come back exactly; re-layered, every column's mass flux is kept")
    func readBack() throws {
        let (folder, path) = try Self.generate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let grid = try Self.grid.get(), n = grid.cellCount
        let l10 = try Transport3DGeometry.carbonBenchLevels(count: 10)
        #expect(LayerMeanMeteorologyFile.holdsLayerMeans(path))
        let source = try LayerMeanMeteorologyFile(path: path, grid: grid, levels: l10)
        #expect(source.layersMatch)
        #expect(source.startYear == 2000 && source.calendar == .noleap)
        #expect(source.recordTimes == (0..<8).map { Double($0) * 21_600 })
        let file = try NetCDFFile(path: path)
        let slab = Hyperslab(start: [3, 0, 0, 0], count: [1, 10, 32, 64])
        let record = try source.record(at: 3)
        #expect(record.eastwardWind == (try file.read("u", slab)))
        #expect(record.northwardWind == (try file.read("v", slab)))
        #expect(record.surfacePressure == Array(try file.read("p_bottom", slab)[0..<n]))

        // On 20 layers (the TM5 layers grouped in pairs): Σ u·Δp of every column is the file's.
        let l20 = try Transport3DGeometry.carbonBenchLevels(count: 20)
        let fine = try LayerMeanMeteorologyFile(path: path, grid: grid, levels: l20)
        #expect(!fine.layersMatch)
        let relayered = try fine.record(at: 3)
        let bottom = try file.read("p_bottom", slab), top = try file.read("p_top", slab)
        var worst = 0.0
        for c in 0..<n {
            var given = 0.0, kept = 0.0, scale = 0.0
            for l in 0..<10 {
                let dp = bottom[l * n + c] - top[l * n + c]
                given += record.eastwardWind[l * n + c] * dp
                scale += abs(record.eastwardWind[l * n + c]) * dp
            }
            let p = l20.interfacePressures(surfacePressure: relayered.surfacePressure[c])
            for k in 0..<20 { kept += relayered.eastwardWind[k * n + c] * (p[k] - p[k + 1]) }
            worst = max(worst, abs(kept - given) / max(scale, 1))
        }
        #expect(worst < 1e-6, "largest relative change of a column's Σ u·Δp: \(worst)")
        // Not a copy: the 20 layers differ from pairs of the same value somewhere.
        #expect(relayered.eastwardWind[0..<n] != relayered.eastwardWind[n..<(2 * n)])
    }

    @Test("from the file's CO2 at 06 UTC, 36 h of the reference follow the truth better than persistence; budget closed")
    func followsTheTruth() throws {
        let (folder, path) = try Self.generate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let grid = try Self.grid.get()
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let source = try LayerMeanMeteorologyFile(path: path, grid: grid, levels: levels)
        let winds = try Transport3DMeteorologyWinds(source: source)
        let fluxes = try SurfaceFluxFile.load(paths: [path], grid: grid)
        #expect(fluxes.year == 2000)
        var model = try Transport3DModel(geometry: try Transport3DGeometry(grid: grid, levels: levels), winds: winds,
                                         surfaceFluxes: fluxes.fluxes)
        model.horizontalDiffusion = CarbonBenchGenerator.defaultHorizontalDiffusion
        var run = MeteorologyTransportRun(model: model, winds: winds)
        run.startTime = 21_600
        run.duration = 36 * 3600
        let file = try NetCDFFile(path: path)
        func co2(_ record: Int) throws -> [Double] { try file.read("co2massmix", Hyperslab(start: [record, 0, 0, 0], count: [1, 10, 32, 64])) }
        run.initialMixingRatio = try co2(1).map { $0 * 1e-6 }
        run.label = "coarse reference"
        let directory = NSTemporaryDirectory() + "plume-layer-mean-run-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try run.run(directory: directory)
        #expect(summary.steps == 36)
        #expect(summary.worstStepResidual < 1e-13)
        #expect(abs(summary.snapshots.last?.relativeResidual ?? 1) < 1e-13)

        let output = try NetCDFFile(path: summary.outputPath)
        #expect(output.dataset.attributes["plume_model"]?.text == "coarse reference")
        #expect(output.dataset.attributes["plume_init_time"]?.text == "2000-01-01T06:00:00")
        #expect(output.dataset.variable("time")?.attributes["calendar"]?.text == "noleap")
        #expect(try output.read("time") == (1...7).map { Double($0) * 6 })
        let first = try output.read("co2massmix", Hyperslab(start: [0, 0, 0, 0], count: [1, 10, 32, 64]))
        #expect(zip(first, try co2(1)).allSatisfy { abs($0 - $1) <= 1e-4 })
        let last = try output.read("co2massmix", Hyperslab(start: [6, 0, 0, 0], count: [1, 10, 32, 64]))
        let truth = try co2(7), initial = try co2(1)
        // Cell-mass-weighted RMS difference, 1e-6 kg/kg.
        let airMass = try file.read("airmass", Hyperslab(start: [7, 0, 0, 0], count: [1, 10, 32, 64]))
        func rms(_ a: [Double]) -> Double {
            var sum = 0.0, weight = 0.0
            for i in a.indices {
                sum += airMass[i] * (a[i] - truth[i]) * (a[i] - truth[i])
                weight += airMass[i]
            }
            return (sum / weight).squareRoot()
        }
        let reference = rms(last), persistence = rms(initial)
        print("36 h: RMS difference from the truth, reference \(reference), persistence \(persistence) (1e-6 kg/kg)")
        #expect(persistence > 0.05)
        #expect(reference < 0.15 * persistence)
    }

    @Test("plume transport --init --start: starts from the file's record; a bad start, diffusion or init file is refused")
    func commandLine() throws {
        let (folder, path) = try Self.generate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/reference"
        let base = ["transport", "--met", path, "--fluxes", path, "--init", path, "--grid", "latlon5.625", "--levels", "l10"]
        let ok = try Self.plume(base + ["--start", "2000-01-01T12:00", "--hours", "12", "--eddy-diffusion", "carbonbench", "--out", out])
        #expect(ok.status == 0, "\(ok.output)")
        let output = try NetCDFFile(path: out + "/transport.nc")
        #expect(output.dataset.attributes["plume_model"]?.text == "reference transport latlon5.625")
        let start = try output.read("co2massmix", Hyperslab(start: [0, 0, 0, 0], count: [1, 10, 32, 64]))
        let given = try NetCDFFile(path: path).read("co2massmix", Hyperslab(start: [2, 0, 0, 0], count: [1, 10, 32, 64]))
        #expect(zip(start, given).allSatisfy { abs($0 - $1) <= 1e-4 })
        #expect(try output.read("time") == [12, 18, 24])

        let cases: [([String], String)] = [
            (["--start", "2001-03-01", "--hours", "6"], "--start 2001-03-01T00:00:00: outside the meteorology's records (2000-01-01T00:00:00 … 2000-01-02T18:00:00)"),
            (["--start", "2000-01-01T06:00", "--hours", "6", "--eddy-diffusion", "strong"], "--eddy-diffusion 'strong'"),
            (["--start", "2000-01-01T03:00", "--hours", "6"], "no record at 2000-01-01T03:00"),
            (["--start", "yesterday", "--hours", "6"], "--start 'yesterday'"),
        ]
        for (extra, message) in cases {
            let bad = folder + "/bad"
            let result = try Self.plume(base + extra + ["--out", bad])
            #expect(result.status != 0, "\(extra)")
            #expect(result.output.contains(message), "\(extra): \(result.output)")
            #expect(!FileManager.default.fileExists(atPath: bad + "/transport.nc"))
        }
        let notNetCDF = try Self.plume(["transport", "--met", path, "--init", folder + "/carbonbench-stats.json", "--grid", "latlon5.625",
                                        "--levels", "l10", "--hours", "6", "--out", folder + "/bad"])
        #expect(notNetCDF.status != 0)
        #expect(notNetCDF.output.contains("--init \(folder)/carbonbench-stats.json: cannot be read as netCDF"), "\(notNetCDF.output)")
    }

    /// Runs the debug `plume` binary built with the tests; stdout and stderr together.
    static func plume(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/plume").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
