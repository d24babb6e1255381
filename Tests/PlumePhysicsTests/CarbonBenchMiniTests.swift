import Foundation
import PlumeGrids
import PlumeIO
import PlumePhysics
import Testing
import PlumeVerify
import PlumeCarbonBench
import PlumeTestSupport

/// CarbonBench-mini on a coarse set-up (debug-friendly): T21 weather on a 32 × 64 Gaussian
/// grid, transport and output on latlon5.625 with 10 layers, 2 days, split 1,0.5,0.5 days.
@Suite("CarbonBench-mini", .serialized)
struct CarbonBenchMiniTests {
    static func run() throws -> (String, CarbonBenchGenerator.Summary) {
        try CarbonBenchFixture.generate(split: [2, 1, 1])
    }

    @Test("a negative transport spin-up is refused, naming the setting")
    func negativeSpinup() throws {
        let lowRes = try #require(try GridCatalog.grid("latlon5.625") as? RegularLatLonGrid)
        var generator = CarbonBenchGenerator(weather: WeatherConfiguration(truncation: 21), weatherGrid: try GaussianGrid(name: "gaussian-n16", n: 16),
                                             nativeGrid: lowRes, targetGrid: lowRes,
                                             levels: try Transport3DGeometry.carbonBenchLevels(count: 10), days: 2)
        generator.transportSpinupYears = -1
        #expect(throws: CarbonBenchError.self) { try generator.validate() }
        do {
            try generator.validate()
        } catch {
            #expect("\(error)".contains("transportSpinupYears"))
        }
    }

    @Test("variables, units, shapes, time steps, mass budget and statistics")
    func dataset() throws {
        let (folder, summary) = try Self.run()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(summary.snapshots == [4, 2, 2])
        #expect(summary.clippedUptake == 0)
        // Native budget, float64.
        for n in summary.appliedSource.indices {
            let residual = summary.nativeMass[n + 1] - summary.nativeMass[n] - summary.appliedSource[n]
            #expect(abs(residual) <= 1e-12 * summary.nativeMass[n])
        }
        let units: [String: String] = [
            "co2massmix": "1e-6 kg kg-1", "airmass": "Pg", "u": "m s-1", "v": "m s-1", "p_bottom": "Pa", "p_top": "Pa",
            "gph_bottom": "m", "gph_top": "m", "t": "K", "blh": "m", "cell_area": "m2", "orography": "m",
            "co2flux_land": "kg m-2 s-1", "co2flux_ocean": "kg m-2 s-1", "co2flux_anthro": "kg m-2 s-1", "tisr": "J m-2",
        ]
        var masses: [Double] = [], sources: [Double] = []
        var hours: [Double] = []
        for (split, count) in zip(["train", "val", "test"], [4, 2, 2]) {
            let file = try NetCDFFile(path: folder + "/carbonbench-\(split).nc")
            for (name, unit) in units {
                let variable = try file.variable(name)
                #expect(variable.attributes["units"]?.text == unit, "\(name)")
                let expected: [Int] = switch name {
                case "cell_area", "orography": [32, 64]
                case "blh", "co2flux_land", "co2flux_ocean", "co2flux_anthro", "tisr": [count, 32, 64]
                default: [count, 10, 32, 64]
                }
                #expect(variable.shape == expected, "\(name)")
            }
            let lat = try file.read("lat")
            #expect(lat.first == -87.1875 && lat.last == 87.1875)
            hours += try file.read("time")
            let area = try file.read("cell_area")
            let q = try file.read("co2massmix"), m = try file.read("airmass")
            let fl = try file.read("co2flux_land"), fo = try file.read("co2flux_ocean"), fa = try file.read("co2flux_anthro")
            let n3 = 10 * 32 * 64, n2 = 32 * 64
            for t in 0..<count {
                var mass = 0.0, source = 0.0
                for c in 0..<n3 { mass += q[t * n3 + c] * 1e-6 * m[t * n3 + c] * 1e12 }
                for c in 0..<n2 { source += (fl[t * n2 + c] + fo[t * n2 + c] + fa[t * n2 + c]) * area[c] * 6 * 3600 }
                masses.append(mass)
                sources.append(source)
            }
            let tisr = try file.read("tisr")
            #expect(tisr.allSatisfy { $0 >= 0 && $0 <= 1361 * 1.04 * 6 * 3600 })
            #expect(try file.read("gph_bottom").allSatisfy { $0 > -500 && $0 < 30_000 })
        }
        #expect(hours == (0..<8).map { Double($0) * 6 })
        // Global CO2 mass from the files changes by the surface source, to float32 precision.
        for n in 0..<(masses.count - 1) {
            let residual = masses[n + 1] - masses[n] - sources[n]
            #expect(abs(residual) <= 3e-7 * masses[n], "step \(n): ΔM − S = \(residual) kg of source \(sources[n]) kg")
            #expect(abs(residual) < 0.1 * abs(sources[n]))
        }
        // Statistics file.
        let data = try Data(contentsOf: URL(fileURLWithPath: summary.statisticsFile))
        let stats = try JSONDecoder().decode(CarbonBenchStatistics.self, from: data)
        #expect(stats.snapshots == 4)
        let co2 = try #require(stats.variables["co2massmix"])
        #expect(abs(co2.mean - 400 * 44.009 / 28.9652) < 5)
        #expect(co2.levelStd?.count == 10)
        #expect(stats.co2massmixDelta.scale.count == 10)
        #expect(stats.co2massmixDelta.scale[0] > stats.co2massmixDelta.scale[9])
        #expect(Set(units.keys).isSubset(of: Set(stats.variables.keys)))

        // `plume plot carbonbench` draws the two acceptance figures from these files.
        try PlumeFigureCommand.expectFigures(kind: "carbonbench", folder: folder, files: ["carbonbench-global-mass.png", "carbonbench-surface-co2.png"])
    }

    @Test("--sf6: the SF6-like tracer holds exactly E·t, stays in the north at first, and the diagnostics files agree")
    func exchangeTracer() throws {
        let (folder, summary) = try CarbonBenchFixture.generate(split: [1, 0, 0], prefix: "plume-carbonbench-sf6") {
            $0.exchangeTracer = InterhemisphericExchangeTracer()
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The CO2 budget is untouched by the second tracer and the eddy diffusion.
        #expect(summary.clippedUptake == 0)
        for n in summary.appliedSource.indices {
            let residual = summary.nativeMass[n + 1] - summary.nativeMass[n] - summary.appliedSource[n]
            #expect(abs(residual) <= 1e-12 * summary.nativeMass[n])
        }
        let exchange = try #require(summary.exchange)
        #expect(exchange.samples.count == 8)
        let rate = InterhemisphericExchangeTracer().emissionRate
        for sample in exchange.samples {
            let total = sample.tracerNorth + sample.tracerSouth
            #expect(abs(total - rate * sample.day * 86_400) <= 1e-12 * max(total, 1), "day \(sample.day): \(total) kg")
            // Emitted at 30–60°N: after under 2 days almost nothing has crossed the equator.
            #expect(sample.tracerSouth <= 1e-6 * max(sample.tracerNorth, 1))
            #expect(sample.surfaceCO2North > 390 && sample.surfaceCO2North < 420)
            #expect(sample.maunaLoaSurface > 390 && sample.maunaLoaSurface < 420)
        }
        // The Mauna-Loa-like cell of latlon5.625 and its ~680 hPa layer (l10: 843–642 hPa, the 6th).
        #expect(abs(exchange.maunaLoaLatitude - 19.6875) < 1e-9)
        #expect(abs(exchange.maunaLoaLongitude - -157.5) < 1e-9)  // cell 199.6875–205.3125°E holds 204.4°E
        #expect(exchange.maunaLoa680Level == 5)
        #expect(exchange.years.isEmpty)
        let csv = try String(contentsOfFile: folder + "/carbonbench-exchange.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 9)
        // Day 0: no tracer yet (τ written as 0) and uniform 400 ppm CO2 in every column.
        let first = lines[1].split(separator: ",").map(String.init)
        #expect(first.count == 8)
        #expect(first.first == "0.00" && first[3] == "0.000000")
        #expect(first[4...].allSatisfy { abs((Double($0) ?? 0) - 400) < 1e-6 }, "\(first)")
        let last = lines[8].split(separator: ",").compactMap { Double($0) }
        #expect(last.count == 8 && abs(last[0] - 1.75) < 1e-9)
        let tau = 2 * (last[1] - last[2]) / rate / (365 * 86_400)
        #expect(abs(last[3] - tau) < 1e-6 && tau > 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/carbonbench-exchange.json"))
        #expect(summary.exchangeFiles.count == 2)
    }
}
