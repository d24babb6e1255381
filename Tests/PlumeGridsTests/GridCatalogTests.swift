import Foundation
import PlumeSupport
@testable import PlumeGrids
import PlumeIO
import Testing

@Suite("Grid catalog and grids")
struct GridCatalogTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func samples() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: root + "/Scripts/fetch-sample-data.sh")
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = ((try? pipe.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sample data could not be fetched")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("every definition in Grids/ loads, and the named ones have the documented sizes")
    func builtIns() throws {
        let names = GridCatalog.availableNames()
        for required in ["latlon5.625", "latlon2.8125", "latlon2x3", "latlon1", "latlon0.25", "gaussian-n32", "gaussian-n80",
                         "icosahedral-m3", "icosahedral-m4", "icosahedral-m5", "icosahedral-m6"] {
            #expect(names.contains(required), "Grids/\(required).yaml missing")
        }
        let expected: [String: [Int]] = [
            "latlon5.625": [32, 64], "latlon2.8125": [64, 128], "latlon2x3": [90, 120], "latlon1": [180, 360],
            "latlon0.25": [721, 1440], "gaussian-n32": [64, 128], "gaussian-n80": [160, 320], "icosahedral-m3": [642],
        ]
        for name in names {
            let grid = try GridCatalog.grid(name)
            #expect(grid.cellCount > 0)
            if let shape = expected[name] { #expect(grid.shape == shape, "\(name): \(grid.shape)") }
        }
        // CarbonBench LowRes coordinates (CarbonBench): lat = linspace(−87.1875, 87.1875, 32), lon 0…354.375.
        let low = try #require(try GridCatalog.grid("latlon5.625") as? RegularLatLonGrid)
        #expect(low.latitudes.first == -87.1875 && low.latitudes.last == 87.1875)
        #expect(low.longitudes.last == 354.375)
        // CarbonTracker: lat −89…89 step 2, lon −178.5…178.5 step 3.
        let ct = try #require(try GridCatalog.grid("latlon2x3") as? RegularLatLonGrid)
        #expect(ct.latitudes.first == -89 && ct.longitudes.first == -178.5 && ct.longitudes.last == 178.5)
    }

    @Test("CarbonBench cell areas: A = R²·|sin φn − sin φs|·Δλ")
    func carbonBenchArea() throws {
        let grid = try GridCatalog.grid("latlon5.625")
        let area = grid.cellAreas()[0] * Sphere.carbonBenchRadius * Sphere.carbonBenchRadius
        let dlon = 5.625 * Double.pi / 180
        let expected = Sphere.carbonBenchRadius * Sphere.carbonBenchRadius * (sin(-84.375 * .pi / 180) - sin(-.pi / 2)) * dlon
        #expect(abs(area / expected - 1) < 1e-12)
    }

    @Test("ERA5 0.25° has half cells at the poles; Gaussian bands carry the quadrature weights")
    func bounds() throws {
        let era5 = try #require(try GridCatalog.grid("latlon0.25") as? RegularLatLonGrid)
        #expect(era5.rows[0].north == 90 && era5.rows[0].south == 89.875)
        #expect(era5.rows[720].south == -90)
        let g = try GaussianGrid(name: "g", n: 8)
        let (_, weights) = GaussianQuadrature.nodesAndWeights(16)
        #expect(abs(weights.reduce(0, +) - 2) < 1e-14)
        for (row, w) in zip(g.rows, weights) {
            let band = sin(row.north * .pi / 180) - sin(row.south * .pi / 180)
            #expect(abs(band - w) < 1e-14)
        }
        // Gauss–Legendre with 16 nodes integrates x^30 exactly.
        let (x, wq) = GaussianQuadrature.nodesAndWeights(16)
        let integral = zip(x, wq).reduce(0.0) { $0 + $1.1 * pow($1.0, 30) }
        #expect(abs(integral - 2.0 / 31) < 1e-15)
    }

    @Test("grids recognised from GRIB files: regular lat-lon with poles, regular and reduced Gaussian")
    func fromFiles() throws {
        let folder = try Self.samples()
        let era5 = try #require(try GridCatalog.resolve(folder + "/era5-levels-members.grib") as? RegularLatLonGrid)
        #expect(era5.shape == [61, 120])
        #expect(era5.firstLatitude == 90 && era5.latitudeStep == -3)
        #expect(era5.isGlobal)
        let gg = try #require(try GridCatalog.resolve(folder + "/regular_gg_ml.grib") as? GaussianGrid)
        #expect(!gg.isReduced)
        #expect(gg.cellCount == 8192)
        let reduced = try #require(try GridCatalog.resolve(folder + "/reduced_gg.grib") as? GaussianGrid)
        #expect(reduced.isReduced)
        #expect(reduced.cellCount == 13280)
        let reducedTotal: Double = reduced.cellAreas().reduce(0, +)
        #expect(abs(reducedTotal / (4 * Double.pi) - 1) < 1e-12)
    }

    @Test("bad definitions name the file and key")
    func badDefinitions() throws {
        let cases: [(String, String)] = [
            ("type: latlon\nlongitudes: {first: 0, count: 4}\n", "latitudes"),
            ("type: gaussian\n", "'n'"),
            ("type: spiral\n", "unknown grid type"),
            ("type: latlon\nlatitudes: {first: 95, step: 1, count: 3}\nlongitudes: {first: 0, count: 4}\n", "latitudes"),
            ("type: [\n", "YAML"),
            ("type: gaussian\nn: 4\npl: [1, 2]\n", "pl"),
        ]
        for (text, expected) in cases {
            let path = NSTemporaryDirectory() + "plume-grid-\(UUID().uuidString).yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try GridCatalog.grid(path)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains(path), "\(error)")
                #expect(error.description.contains(expected), "\(error) should mention \(expected)")
            }
        }
        #expect(throws: GridError.self) { try GridCatalog.grid("no-such-grid") }
    }
}
