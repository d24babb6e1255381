import Foundation
import PlumeIO
import Testing

/// `plume osse co2` end to end on a small twin: 9 days of T21 CarbonBench-mini data on
/// latlon5.625, one weekly cycle with a small ensemble, by the reference transport and by a
/// tiny CO2 emulator. The inversion must fit the observations better than its prior, the
/// truth must be in plausible ppm, the outputs must be reproducible to the byte, and bad
/// arguments must be refused by name with nothing left behind.
@Suite(.serialized) struct CO2TwinCommandTests {
    static let plume = WeatherTwinCommandTests.plume

    static func plume(_ arguments: [String]) throws -> (stdout: String, stderr: String, status: Int32) {
        try Shell.run(plume, arguments, allowFailure: true)
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    @Test func theInversionFitsTheObservationsReproduciblyWithEitherTransport() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.plume), "build the plume executable first (swift build)")
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try "name: gaussian-n16\ntype: gaussian\nn: 16\n".write(toFile: folder.file("gaussian-n16.yaml"), atomically: true, encoding: .utf8)
        var run = try Self.plume(["generate", "carbonbench-mini", "--grid", "latlon5.625", "--native-grid", "latlon5.625",
                                  "--weather-grid", folder.file("gaussian-n16.yaml"), "--truncation", "21", "--spinup-days", "0",
                                  "--days", "9", "--split", "1,0,0", "--out", folder.file("data")])
        try #require(run.status == 0, "generate: \(run.stderr)")
        let data = folder.file("data/carbonbench-train.nc")
        let common = ["osse", "co2", "--data", data, "--weeks", "1", "--lag", "1", "--members", "6", "--time-step", "7200"]
        // ref-2 spreads the 6 members over 2 ranks (c10d Gloo): the same inversion, byte for byte.
        for out in ["ref-1", "ref-2"] {
            run = try Self.plume(common + ["--out", folder.file(out)] + (out == "ref-2" ? ["--nproc", "2"] : []))
            try #require(run.status == 0, "osse co2: \(run.stderr)")
        }
        #expect(run.stderr.contains("plume osse co2: 2 ranks") && run.stdout.contains("members spread over 2 ranks"), "\(run.stdout)")
        for file in ["budgets.csv", "observations.csv", "weekly-factors.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: folder.file("ref-1/" + file)))
            let b = try Data(contentsOf: URL(fileURLWithPath: folder.file("ref-2/" + file)))
            #expect(a == b, "\(file) differs between one process and two ranks")
        }
        // The netCDF files name their own command line (and so --out) in their history: their values must agree.
        for (file, variables) in [("posterior-fluxes.nc", ["co2flux_land", "co2flux_ocean", "co2flux_anthro", "co2flux_land_sigma"]), ("posterior-co2.nc", ["co2massmix"])] {
            let a = try NetCDFFile(path: folder.file("ref-1/" + file)), b = try NetCDFFile(path: folder.file("ref-2/" + file))
            for name in variables { #expect(try a.read(name) == b.read(name), "\(file): \(name) differs between one process and two ranks") }
        }
        // Posterior fluxes: the prior land flux × the week's factor; CO2: two records (start and end of the week), the first the data's.
        let fluxes = try NetCDFFile(path: folder.file("ref-1/posterior-fluxes.nc"))
        #expect(try fluxes.read("co2flux_land").count == 32 * 64)
        let co2 = try NetCDFFile(path: folder.file("ref-1/posterior-co2.nc"))
        #expect(co2.dataset.dimension("time")?.length == 2)
        let first = try co2.read("co2massmix").prefix(10 * 32 * 64)
        let recorded = try NetCDFFile(path: data).readFloat("co2massmix", Hyperslab(start: [0, 0, 0, 0], count: [1, 10, 32, 64]))
        #expect(zip(first, recorded).allSatisfy { abs($0 - Double($1)) <= 1e-4 * abs(Double($1)) })
        let rows = WeatherTwinCommandTests.rows(try String(contentsOfFile: folder.file("ref-1/observations.csv"), encoding: .utf8))
        #expect(rows.count > 100)
        // CO2 in ppm by volume (not 1e-6 kg/kg, which would read ~600).
        let truth = rows.compactMap { Double($0["truth_ppm"] ?? "") }
        #expect(truth.count == rows.count && truth.allSatisfy { (340...500).contains($0) }, "truth \(truth.min() ?? 0)…\(truth.max() ?? 0) ppm")
        let used = rows.filter { $0["assimilated"] == "1" }
        #expect(used.count >= rows.count * 9 / 10)
        let before = Self.mean(used.compactMap { Double($0["o_minus_b_ppm"] ?? "") }.map { $0 * $0 })
        let after = Self.mean(used.compactMap { Double($0["o_minus_a_ppm"] ?? "") }.map { $0 * $0 })
        #expect(after < 0.8 * before, "mean (O − A)² \(after) against (O − B)² \(before)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.file("ref-1/summary.json")))) as? [String: Any]
        #expect(summary?["observations"] as? Int == rows.count)
        #expect(FileManager.default.fileExists(atPath: folder.file("ref-1/osse-co2-budgets.png")))

        // The same inversion through a tiny CO2 emulator (trained for a few steps on the data).
        try """
            name: co2-tiny
            task: transport
            grid: latlon5.625
            levels: 10
            time_step_hours: 6
            variables:
              prognostic: [co2massmix]
              forcing: [airmass, u, v, blh, co2flux_land, co2flux_ocean, co2flux_anthro]
              static: [orography]
              computed: [latitude, time_of_year]
            architecture: {kind: unet, embed: 4, depth: 1}
            processing: {mass_fixer: scale}
            training: {batch_size: 2, steps: 4, warmup_steps: 1, validate_every: 4, validation_steps: 1, checkpoint_every: 4,
                       fine_tune_curriculum: [], seed: 0, threads: 1}
            """.write(toFile: folder.file("co2.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: data, toPath: folder.file("data/carbonbench-val.nc"))
        run = try Self.plume(["train", folder.file("co2.yaml"), "--data", folder.file("data"), "--out", folder.file("train")])
        try #require(run.status == 0, "train: \(run.stderr)")
        run = try Self.plume(common + ["--transport", "emulator", "--checkpoint", folder.file("train/best.safetensors"), "--threads", "1",
                                       "--out", folder.file("emulator")])
        try #require(run.status == 0, "osse co2 --transport emulator: \(run.stderr)")
        let emulated = WeatherTwinCommandTests.rows(try String(contentsOfFile: folder.file("emulator/observations.csv"), encoding: .utf8))
        #expect(emulated.count == rows.count)
        // The truth is the reference model's in both runs, the same observations.
        #expect(emulated.map { $0["value_ppm"] } == rows.map { $0["value_ppm"] })
        #expect(emulated.allSatisfy { Double($0["o_minus_a_ppm"] ?? "")?.isFinite == true })
        let emulatorSummary = try String(contentsOfFile: folder.file("emulator/summary.json"), encoding: .utf8)
        #expect(emulatorSummary.contains("emulator"))
        // The emulator for the members' deviations, the reference for the mean: the mean of the
        // members' equivalents is the reference's run of the mean, so O − B at the first week's
        // first observations (before any update) stays close to the reference twin's.
        run = try Self.plume(common + ["--transport", "emulator-perturbations", "--checkpoint", folder.file("train/best.safetensors"),
                                       "--threads", "1", "--out", folder.file("perturbations")])
        try #require(run.status == 0, "osse co2 --transport emulator-perturbations: \(run.stderr)")
        let perturbed = WeatherTwinCommandTests.rows(try String(contentsOfFile: folder.file("perturbations/observations.csv"), encoding: .utf8))
        let meanDifference = Self.mean(zip(perturbed, rows).compactMap { a, b in
            guard let x = Double(a["o_minus_b_ppm"] ?? ""), let y = Double(b["o_minus_b_ppm"] ?? "") else { return nil }
            return abs(x - y)
        })
        let meanInnovation = Self.mean(rows.compactMap { Double($0["o_minus_b_ppm"] ?? "") }.map(abs))
        #expect(meanDifference < 0.25 * meanInnovation, "O − B differs by \(meanDifference) ppm on average (|O − B| \(meanInnovation) ppm)")

        // The same inversion as a pipeline's assimilate stage gives the same budgets, to the byte.
        try """
            pipeline: twin
            description: the CO2 twin as a stage
            run: \(folder.file("run"))
            cycles: {calendar: noleap, at: 2000-01-01}
            stages:
              inversion:
                uses: assimilate
                when: once
                with: {twin: co2, data: "\(data)", weeks: 1, lag: 1, members: 6, time_step: 7200}
            """.write(toFile: folder.file("twin.yaml"), atomically: true, encoding: .utf8)
        run = try Self.plume(["run", folder.file("twin.yaml")])
        try #require(run.status == 0, "plume run: \(run.stdout) \(run.stderr)")
        let staged = try Data(contentsOf: URL(fileURLWithPath: folder.file("run/inversion/budgets.csv")))
        #expect(staged == (try Data(contentsOf: URL(fileURLWithPath: folder.file("ref-1/budgets.csv")))))
        // A weather parameter on the CO2 twin is refused when the pipeline is checked.
        try String(contentsOfFile: folder.file("twin.yaml"), encoding: .utf8).replacingOccurrences(of: "time_step: 7200", with: "time_step: 7200, method: oi")
            .write(toFile: folder.file("bad.yaml"), atomically: true, encoding: .utf8)
        run = try Self.plume(["run", folder.file("bad.yaml"), "--dry-run"])
        #expect(run.status == 2 && (run.stdout + run.stderr).contains("method: applies to twin: weather only"), "\(run.stdout) \(run.stderr)")

        // Refusals name what is wrong and leave nothing behind.
        run = try Self.plume(common + ["--transport", "emulator", "--out", folder.file("refused-1")])
        #expect(run.status != 0 && run.stderr.contains("--checkpoint"))
        run = try Self.plume(["osse", "co2", "--data", data, "--weeks", "3", "--out", folder.file("refused-2")])
        #expect(run.status != 0 && run.stderr.contains(data) && run.stderr.contains("3 weeks"), "\(run.stderr)")
        run = try Self.plume(common + ["--bands", "-90,10,0,90", "--out", folder.file("refused-3")])
        #expect(run.status != 0 && run.stderr.contains("band edges"), "\(run.stderr)")
        for out in ["refused-1", "refused-2", "refused-3"] {
            #expect(!FileManager.default.fileExists(atPath: folder.file(out)) && !FileManager.default.fileExists(atPath: folder.file(out + ".partial")))
        }
    }
}
