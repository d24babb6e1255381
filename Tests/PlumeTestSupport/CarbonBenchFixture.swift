import Foundation
import PlumeCarbonBench
import PlumeGrids
import PlumePhysics

/// Small CarbonBench-mini data sets for tests: T21 weather on a 32 × 64 Gaussian grid
/// without spin-up, transport and output on latlon5.625 with 10 layers.
public enum CarbonBenchFixture {
    /// Generates `days` days split as `split` into a new temporary folder; `configure` may
    /// change the generator first (e.g. add the SF6-like tracer).
    /// - Returns: the folder (the caller removes it) and the generator's summary.
    public static func generate(days: Double = 2, split: [Double], prefix: String = "plume-carbonbench",
                                configure: (inout CarbonBenchGenerator) -> Void = { _ in }) throws -> (folder: String, summary: CarbonBenchGenerator.Summary) {
        let folder = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        var weather = WeatherConfiguration(truncation: 21)
        weather.forcingDegrees = 8...20
        guard let lowRes = try GridCatalog.grid("latlon5.625") as? RegularLatLonGrid else {
            throw GridError.invalidGeometry(reason: "latlon5.625 is not a regular lat-lon grid")
        }
        var generator = CarbonBenchGenerator(weather: weather, weatherGrid: try GaussianGrid(name: "gaussian-n16", n: 16),
                                             nativeGrid: lowRes, targetGrid: lowRes,
                                             levels: try Transport3DGeometry.carbonBenchLevels(count: 10), days: days)
        generator.weatherSpinupDays = 0
        generator.split = split
        configure(&generator)
        return (folder, try generator.run(to: folder))
    }

    /// Two days in one training file of 8 records, 6 h apart: the folder and the file.
    public static func twoDays(prefix: String) throws -> (folder: String, file: String) {
        let (folder, _) = try generate(split: [1, 0, 0], prefix: prefix)
        return (folder, folder + "/carbonbench-train.nc")
    }
}
