import Foundation
import Testing

/// `plume osse weather` end to end on a small twin: a T21 shallow-water truth, a tiny
/// emulator trained for a few steps, synthetic observations at the TEMP stations of
/// pdbufr's sample file. The analysis must beat the background where it starts, the cycle
/// table must be reproducible to the byte, and bad arguments must be refused by name.
@Suite(.serialized) struct WeatherTwinCommandTests {
    static let plume = SampleData.packageRoot + "/.build/debug/plume"

    /// Runs plume; a failure shows its standard error.
    static func plume(_ arguments: [String]) throws -> (stdout: String, stderr: String, status: Int32) {
        try Shell.run(plume, arguments, allowFailure: true)
    }

    /// A folder with data/weather-{train,val,test}.nc (T21, 7 days, latlon5.625) and
    /// train/best.safetensors (a 2-level U-Net, a few steps).
    static func fixture() throws -> TemporaryFolder {
        try #require(FileManager.default.isExecutableFile(atPath: plume), "build the plume executable first (swift build)")
        let folder = try TemporaryFolder()
        try "name: gaussian-n16\ntype: gaussian\nn: 16\n".write(toFile: folder.file("gaussian-n16.yaml"), atomically: true, encoding: .utf8)
        try """
            name: twin-tiny
            task: weather
            grid: latlon5.625
            levels: 1
            time_step_hours: 6
            variables:
              prognostic: [u, v, h]
              static: [orography]
              computed: [latitude, time_of_year]
            architecture: {kind: unet, embed: 4, depth: 1}
            processing: {mass_fixer: none, surface_flux: false}
            training: {batch_size: 2, steps: 6, learning_rate: 1.0e-3, warmup_steps: 1, validate_every: 6, validation_steps: 1,
                       checkpoint_every: 6, fine_tune_curriculum: [2], fine_tune_steps: 2, fine_tune_learning_rate: 1.0e-4, seed: 0, threads: 1}
            """.write(toFile: folder.file("model.yaml"), atomically: true, encoding: .utf8)
        var run = try plume(["generate", "weather", "--grid", folder.file("gaussian-n16.yaml"), "--truncation", "21", "--days", "7",
                             "--spinup-days", "1", "--split", "0.6,0.1,0.3", "--seed", "2", "--output-grid", "latlon5.625",
                             "--threads", "1", "--out", folder.file("data")])
        try #require(run.status == 0, "generate: \(run.stderr)")
        run = try plume(["train", folder.file("model.yaml"), "--data", folder.file("data"), "--out", folder.file("train")])
        try #require(run.status == 0, "train: \(run.stderr)")
        return folder
    }

    static func rows(_ csv: String) -> [[String: String]] {
        let lines = csv.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
    }

    @Test func oiAndLETKFCycleReproduciblyAndAnalysesBeatTheirBackground() throws {
        let folder = try Self.fixture()
        defer { folder.remove() }
        let temp = try SampleData.path("bufr/temp.bufr")
        let common = ["osse", "weather", "--checkpoint", folder.file("train/best.safetensors"), "--truth", folder.file("data/weather-test.nc"),
                      "--nmc", folder.file("data/weather-train.nc"), "--stations", temp, "--threads", "1"]
        for out in ["oi-1", "oi-2"] {
            let run = try Self.plume(common + ["--days", "1", "--out", folder.file(out)])
            try #require(run.status == 0, "osse: \(run.stderr)")
        }
        let csv = try String(contentsOfFile: folder.file("oi-1/cycles.csv"), encoding: .utf8)
        #expect(csv == (try String(contentsOfFile: folder.file("oi-2/cycles.csv"), encoding: .utf8)), "the same inputs and seed give the same table")
        let table = Self.rows(csv)
        #expect(table.count == 4)
        for row in table {
            let analysis = try #require(Double(row["rmse_h_analysis"] ?? "")), background = try #require(Double(row["rmse_h_background"] ?? ""))
            #expect(analysis < background, "cycle \(row["cycle"] ?? ""): analysis \(analysis) m, background \(background) m")
            #expect(Int(row["used"] ?? "") ?? 0 > 500, "the TEMP stations observe h, u and v")
            #expect((Double(row["chi2_per_obs"] ?? "") ?? 0) > 0)
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("oi-1/summary.json")))) as? [String: Any])
        #expect(summary["cycles"] as? Int == 4)
        #expect((summary["upperAirStations"] as? Int ?? 0) > 100)
        #expect(FileManager.default.fileExists(atPath: folder.file("oi-1/osse-weather-rmse-h.png")))

        let letkf = try Self.plume(common + ["--days", "0.5", "--method", "letkf", "--members", "4", "--out", folder.file("letkf")])
        try #require(letkf.status == 0, "osse letkf: \(letkf.stderr)")
        let letkfRows = Self.rows(try String(contentsOfFile: folder.file("letkf/cycles.csv"), encoding: .utf8))
        #expect(letkfRows.count == 2)
        let first = try #require(letkfRows.first)
        #expect((Double(first["rmse_h_analysis"] ?? "") ?? .infinity) < (Double(first["rmse_h_background"] ?? "") ?? 0))
        // The additive inflation (default 1 × σb) is what keeps the members apart: without it
        // the analysed spread is smaller (here 30.7 m against 36.8 m).
        let bare = try Self.plume(common + ["--days", "0.5", "--method", "letkf", "--members", "4", "--additive-inflation", "0", "--out", folder.file("letkf-bare")])
        try #require(bare.status == 0, "osse letkf: \(bare.stderr)")
        let bareRows = Self.rows(try String(contentsOfFile: folder.file("letkf-bare/cycles.csv"), encoding: .utf8))
        let inflatedSpread = try #require(Double(first["spread_h"] ?? "")), bareSpread = try #require(Double(bareRows.first?["spread_h"] ?? ""))
        #expect(inflatedSpread > 1.1 * bareSpread, "spread with additive inflation \(inflatedSpread) m, without \(bareSpread) m")

        // The members spread over 2 ranks (c10d Gloo: each rank forecasts half, all gather them)
        // give the one-process table.
        let spread = try Self.plume(common + ["--days", "0.5", "--method", "letkf", "--members", "4", "--nproc", "2", "--out", folder.file("letkf-2")])
        try #require(spread.status == 0, "osse letkf --nproc 2: \(spread.stderr)")
        #expect(spread.stderr.contains("plume osse weather: 2 ranks"))
        let spreadCSV = try String(contentsOfFile: folder.file("letkf-2/cycles.csv"), encoding: .utf8)
        #expect(spreadCSV == (try String(contentsOfFile: folder.file("letkf/cycles.csv"), encoding: .utf8)))

        // Bad arguments: refused by name, nothing written.
        let cases: [([String], String)] = [
            (["--method", "3dvar"], "--method"),
            (["--additive-inflation", "-1"], "--additive-inflation"),
            (["--members", "1", "--method", "letkf"], "--members"),
            (["--days", "0.3"], "--days"),
            (["--truth", folder.file("missing.nc")], "missing.nc"),
            (["--stations", folder.file("model.yaml")], "model.yaml"),
            (["--out", folder.file("oi-1")], "exists"),
        ]
        for (flags, name) in cases {
            var arguments = common + ["--days", "0.5", "--out", folder.file("bad")]
            for (k, flag) in flags.enumerated() where flag.hasPrefix("--") {
                if let i = arguments.firstIndex(of: flag), i + 1 < arguments.count, k + 1 < flags.count {
                    arguments[i + 1] = flags[k + 1]
                } else if k + 1 < flags.count {
                    arguments += [flag, flags[k + 1]]
                }
            }
            let run = try Self.plume(arguments)
            #expect(run.status != 0, "\(flags) was accepted")
            #expect(run.stderr.contains(name), "\(flags): '\(run.stderr)' does not name \(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("bad")))
        #expect(!FileManager.default.fileExists(atPath: folder.file("bad.partial")))
    }
}
