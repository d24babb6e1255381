import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
import PlumePhysics
import Testing
import Torch

/// The forced-dissipative weather generator: split files with CF metadata, reproducibility by
/// seed, regridded output, and the `plume generate weather` command line. Short runs at T21
/// on a 32 × 64 Gaussian grid (debug builds: a few seconds).
@Suite("Weather generator", .serialized)
struct WeatherGeneratorTests {
    /// A temporary folder, removed by `remove()`.
    struct Folder {
        let path: String
        init() throws {
            path = NSTemporaryDirectory() + "plume-weather-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func file(_ name: String) -> String { path + "/" + name }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// A T21 generator on the N16 Gaussian grid (32 × 64), `days` recorded, no spin-up.
    static func generator(seed: UInt64, days: Double = 2) throws -> WeatherGenerator {
        let grid = try GaussianGrid(name: "gaussian-n16", n: 16)
        var configuration = WeatherConfiguration(truncation: 21)
        configuration.forcingDegrees = 8...18
        var generator = WeatherGenerator(configuration: configuration, modelGrid: grid, seed: seed, days: days)
        generator.spinupDays = 0.5
        return generator
    }

    /// Values of `name` in every split file, concatenated in time order.
    static func values(_ name: String, in folder: Folder) throws -> [Float] {
        try ["train", "val", "test"].flatMap { try NetCDFFile(path: folder.file("weather-\($0).nc")).readFloat(name) }
    }

    @Test("writes the three split files with consecutive times, CF units and global attributes")
    func splitFiles() throws {
        let folder = try Folder()
        defer { folder.remove() }
        var progressCalls = 0
        let summary = try Self.generator(seed: 7).run(to: folder.path) { _ in progressCalls += 1 }
        // 2 days of 6-hourly snapshots: 8 = 6 + 1 + 1 (0.8, 0.1, 0.1 by largest remainder,
        // at least one each).
        #expect(summary.snapshots == [6, 1, 1])
        #expect(summary.files.map { ($0 as NSString).lastPathComponent } == ["weather-train.nc", "weather-val.nc", "weather-test.nc"])
        #expect(progressCalls == 2 + 8)  // 2 spin-up intervals, then one per snapshot
        var times: [Double] = []
        for (name, count) in zip(["train", "val", "test"], [6, 1, 1]) {
            let file = try NetCDFFile(path: folder.file("weather-\(name).nc"))
            let d = file.dataset
            #expect(d.dimension("time")?.length == count)
            #expect(d.dimension("latitude")?.length == 32 && d.dimension("longitude")?.length == 64)
            let expected: [String: (String, String)] = [
                "u": ("eastward_wind", "m s-1"), "v": ("northward_wind", "m s-1"),
                "h": ("geopotential_height", "m"), "vorticity": ("atmosphere_relative_vorticity", "s-1"),
            ]
            for (variable, (standardName, units)) in expected {
                let v = try #require(d.variable(variable), "\(name): \(variable)")
                #expect(v.shape == [count, 32, 64])
                #expect(v.attributes["standard_name"]?.text == standardName)
                #expect(v.units == units)
            }
            #expect(d.variable("time")?.units == "hours since 2000-01-01 00:00:00")
            #expect(d.variable("latitude")?.units == "degrees_north")
            #expect(d.attributes["truncation"]?.double == 21)
            #expect(d.attributes["seed"]?.double == 7)
            #expect(d.attributes["configuration"]?.text?.contains("truncation=T21") == true)
            #expect(d.attributes["split"]?.text == name)
            times += try file.read("time")
        }
        #expect(times == (0..<8).map { Double($0) * 6 })
        // The fields are physical: jets of tens of m/s, a ~10 km free surface, finite vorticity.
        let u = try Self.values("u", in: folder), h = try Self.values("h", in: folder)
        let vorticity = try Self.values("vorticity", in: folder)
        #expect((30...120).contains(u.map(abs).max() ?? 0))
        #expect(h.allSatisfy { (7_000...12_000).contains($0) })
        #expect(vorticity.allSatisfy(\.isFinite) && (vorticity.map(abs).max() ?? 0) < 1e-3)
        // The diagnostics: mass conserved (relaxation of Φ keeps the l = 0 mode; the forcing
        // acts on ζ only), daily samples from the start of the spin-up.
        let d = summary.diagnostics
        #expect(d.days == [-0.5, 0.5, 1.5])
        #expect(d.massDrift < 1e-12)
        #expect(d.zonalMeanWind.count == 32 && d.zonalMeanSamples == 8)
    }

    @Test("the same seed gives identical values, another seed different ones")
    func reproducible() throws {
        let a = try Folder(), b = try Folder(), c = try Folder()
        defer { a.remove(); b.remove(); c.remove() }
        _ = try Self.generator(seed: 11, days: 1).run(to: a.path)
        _ = try Self.generator(seed: 11, days: 1).run(to: b.path)
        _ = try Self.generator(seed: 12, days: 1).run(to: c.path)
        for name in ["u", "v", "h", "vorticity"] {
            let va = try Self.values(name, in: a), vb = try Self.values(name, in: b), vc = try Self.values(name, in: c)
            #expect(va == vb, "\(name): same seed, different values")
            #expect(va != vc, "\(name): another seed, same values")
        }
    }

    @Test("regrids the output to another grid (latlon5.625, conservative and bilinear)")
    func outputGrid() throws {
        let folder = try Folder(), bilinear = try Folder()
        defer { folder.remove(); bilinear.remove() }
        var generator = try Self.generator(seed: 3, days: 1)
        generator.outputGrid = try GridCatalog.grid("latlon5.625")
        _ = try generator.run(to: folder.path)
        generator.regridMethod = .bilinear
        _ = try generator.run(to: bilinear.path)
        let file = try NetCDFFile(path: folder.file("weather-train.nc"))
        #expect(file.dataset.dimension("latitude")?.length == 32 && file.dataset.dimension("longitude")?.length == 64)
        #expect(file.dataset.attributes["output_grid"]?.text == "latlon5.625")
        #expect(file.dataset.attributes["regrid_method"]?.text == "conservative")
        let latitudes = try file.read("latitude")
        #expect(latitudes.count == 32 && abs(abs(latitudes[0]) - 87.1875) < 1e-9)
        let h = try Self.values("h", in: folder), hb = try Self.values("h", in: bilinear)
        #expect(h.count == 4 * 32 * 64 && hb.count == h.count)
        #expect(h.allSatisfy { (7_000...12_000).contains($0) })
        // The two methods agree to a few metres on a smooth field of ~10 km.
        let difference = zip(h, hb).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference < 200)
        #expect(try NetCDFFile(path: bilinear.file("weather-val.nc")).dataset.attributes["regrid_method"]?.text == "bilinear")
    }

    @Test("rejects bad settings, naming them")
    func badSettings() throws {
        #expect(throws: WeatherGeneratorError.self) { try WeatherSplit(parsing: "0.8,0.1") }
        #expect(throws: WeatherGeneratorError.invalidSetting(name: "split", value: "0.5,0.1,0.1", reason: "fractions must sum to 1")) {
            try WeatherSplit(parsing: "0.5,0.1,0.1")
        }
        var generator = try Self.generator(seed: 0, days: 0.3)
        #expect(throws: WeatherGeneratorError.self) { try generator.validate() }
        generator.days = 1
        generator.configuration.truncation = 40  // more than the 32 rows of N16 carry
        let folder = try Folder()
        defer { folder.remove() }
        do {
            _ = try generator.run(to: folder.path)
            Issue.record("T40 on N16 should be refused")
        } catch let error as WeatherGeneratorError {
            #expect("\(error)".contains("gaussian-n16"))
        }
    }

    @Test("the command line rejects bad flags with messages naming them")
    func commandLine() throws {
        let plume = Self.packageRoot + "/.build/debug/plume"
        try #require(FileManager.default.isExecutableFile(atPath: plume), "build the plume executable first (swift build)")
        let folder = try Folder()
        defer { folder.remove() }
        let cases: [([String], String)] = [
            (["--days", "0"], "--days"),
            (["--days", "1.1"], "--days"),
            (["--days", "1", "--split", "0.8,0.3,0.1"], "--split"),
            (["--days", "1", "--split", "a,b"], "--split"),
            (["--days", "1", "--grid", "latlon5.625"], "--grid"),
            (["--days", "1", "--grid", "no-such-grid"], "--grid"),
            (["--days", "1", "--output-grid", "no-such-grid"], "--output-grid"),
            (["--days", "1", "--truncation", "80"], "--grid"),
            (["--days", "1", "--spinup-days", "-1"], "--spinup-days"),
            (["--days", "1", "--threads", "0"], "--threads"),
            (["--days", "1", "--regrid-method", "cubic", "--output-grid", "latlon5.625"], "--regrid-method"),
            (["--days", "1", "--format", "grib1"], "--format"),
        ]
        for (flags, name) in cases {
            let result = try Self.run(plume, ["generate", "weather", "--out", folder.file("out")] + flags)
            #expect(result.status != 0, "\(flags) was accepted")
            #expect(result.stderr.contains(name), "\(flags): '\(result.stderr)' does not name \(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("out/weather-train.nc")))
    }

    /// Runs `executable` with `arguments`; exit status and standard error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = ((try? errors.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
