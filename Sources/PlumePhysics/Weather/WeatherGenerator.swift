import Foundation
import PlumeGrids
import PlumeIO
import PlumeRegrid
import Torch
import PlumeConservation

/// Generates "weather" data sets from the forced-dissipative shallow-water model: spins the
/// model up, then runs `days` model days writing u, v, the geopotential height of the free
/// surface and the relative vorticity every output interval (6 h) as CF netCDF-4, one file
/// per period of the train/validation/test split, on a chosen output grid.
///
/// Files (`<prefix>-train.nc`, `<prefix>-val.nc`, `<prefix>-test.nc` in the output folder),
/// each written atomically and streamed one snapshot at a time:
/// - dimensions `time` (the period's snapshots) and the output grid's (`latitude`,
///   `longitude`, north → south and from 0° on the model grid; or `cell`);
/// - `time` (float64, "hours since <startDate>", proleptic Gregorian, counted from the end
///   of the spin-up, so consecutive periods continue one another);
/// - `u` (eastward_wind, m s-1), `v` (northward_wind, m s-1), `h` (geopotential_height of
///   the free surface, fluid depth plus orography, m), `vorticity`
///   (atmosphere_relative_vorticity, s-1), float32 [time, lat, lon] (or [time, cell]);
/// - `orography` (surface_altitude, m) [lat, lon] when the configuration has mountains;
/// - global attributes `title`, `truncation`, `seed`, `configuration` (every setting),
///   `model_grid`, `output_grid`, `regrid_method`, `split`, `split_fractions`, `spinup_days`,
///   `time_step_seconds`, `torch_threads`.
///
/// Snapshot k of the recorded period is the state at k·6 h after the spin-up (k = 0: the
/// spun-up state); the run ends after the last snapshot.
///
/// Reproducibility: `WeatherModel` draws every random number from one `Generator(seed:)`
/// in a fixed order, so the same seed, grids, settings and libtorch thread count give
/// bit-identical files (apart from the `history` attribute's time stamp).
///
/// Not `Sendable` (it builds tensors); run it on one task.
public struct WeatherGenerator {
    /// Winds above this (m s⁻¹), or non-finite values, stop the run as a blow-up.
    public static let maximumWind = 400.0

    public var configuration: WeatherConfiguration
    /// The model grid: a regular Gaussian grid (e.g. `gaussian-n32` for T42).
    public var modelGrid: GaussianGrid
    /// Output grid; `nil`: the model grid.
    public var outputGrid: (any Grid)?
    /// Remapping to `outputGrid` (`nil`: conservative for banded grids, else bilinear).
    public var regridMethod: RemapMethod?
    public var seed: UInt64
    /// Recorded model days (a whole number of output intervals).
    public var days: Double
    /// Spin-up days before the recorded period (a whole number of output intervals, ≥ 0).
    public var spinupDays: Double
    public var split: WeatherSplit
    /// Reference date of the time coordinate (the end of the spin-up), "yyyy-MM-dd HH:mm:ss".
    public var startDate: String
    /// File name prefix ("weather").
    public var filePrefix: String
    /// zlib level of the output, 0…9.
    public var deflateLevel: Int32
    /// Line for the files' `history` attribute (the command line).
    public var historyLine: String?
    /// Records `WeatherDiagnostics` (daily KE and mass, zonal-mean wind) during the run.
    public var recordsDiagnostics: Bool

    /// A generator with the defaults: model-grid output, split 0.8/0.1/0.1, no spin-up,
    /// start date 2000-01-01 00:00:00, prefix "weather", deflate 1, diagnostics on.
    public init(configuration: WeatherConfiguration, modelGrid: GaussianGrid, seed: UInt64, days: Double) {
        self.configuration = configuration
        self.modelGrid = modelGrid
        self.seed = seed
        self.days = days
        outputGrid = nil
        regridMethod = nil
        spinupDays = 0
        split = .default
        startDate = "2000-01-01 00:00:00"
        filePrefix = "weather"
        deflateLevel = 1
        historyLine = nil
        recordsDiagnostics = true
    }

    /// What a run produced.
    public struct Summary {
        /// Paths of the files written, in period order.
        public var files: [String]
        /// Snapshots per written file.
        public var snapshots: [Int]
        /// Wall-clock seconds of the integration (set-up excluded), spin-up and recording.
        public var wallSeconds: Double
        /// Model days integrated, spin-up included.
        public var modelDays: Double
        public var diagnostics: WeatherDiagnostics
        /// The last state (the spun-up run's end), for continuing or inspection.
        public var finalState: ShallowWaterState
        /// The model that ran.
        public var model: WeatherModel

        /// Model days per wall-clock second over the whole run.
        public var daysPerSecond: Double { wallSeconds > 0 ? modelDays / wallSeconds : 0 }
    }

    /// Checks the run settings (the configuration is checked by `WeatherModel`).
    public func validate() throws(WeatherGeneratorError) {
        let interval = configuration.outputIntervalSeconds / PhysicalConstants.day
        func whole(_ x: Double) -> Bool { abs(x / interval - (x / interval).rounded()) < 1e-9 }
        guard days.isFinite, days > 0, whole(days) else {
            throw .invalidSetting(name: "days", value: "\(days)", reason: "must be a positive multiple of the output interval (\(interval) day)")
        }
        guard spinupDays.isFinite, spinupDays >= 0, whole(spinupDays) else {
            throw .invalidSetting(name: "spinupDays", value: "\(spinupDays)", reason: "must be ≥ 0 and a multiple of the output interval (\(interval) day)")
        }
        guard (0...9).contains(deflateLevel) else {
            throw .invalidSetting(name: "deflateLevel", value: "\(deflateLevel)", reason: "must be 0…9")
        }
        guard Self.referenceDate(startDate) != nil else {
            throw .invalidSetting(name: "startDate", value: startDate, reason: "expected yyyy-MM-dd HH:mm:ss")
        }
        guard !filePrefix.isEmpty, !filePrefix.contains("/") else {
            throw .invalidSetting(name: "filePrefix", value: filePrefix, reason: "must be a non-empty file name without '/'")
        }
        _ = try split.counts(total: Int((days / interval).rounded()))
    }

    static func referenceDate(_ text: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.date(from: text)
    }

    /// Runs the spin-up and the recorded period, writing the split files into `directory`
    /// (created if missing).
    /// - Parameter progress: called after every output interval.
    /// - Throws: `WeatherGeneratorError` (settings, grids, blow-up), `TorchError`,
    ///   `PlumeIOError` (writing); files already complete stay, the one being written is removed.
    public func run(to directory: String, progress: ((WeatherProgress) -> Void)? = nil) throws -> Summary {
        try validate()
        let setup = try WeatherModel(configuration: configuration, grid: modelGrid, seed: seed)
        let output = try WeatherOutputGrid(destination: outputGrid, modelGrid: modelGrid, method: regridMethod)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        let model = setup.model
        let interval = configuration.outputIntervalSeconds
        let stepsPerOutput = configuration.stepsPerOutput
        let perDay = max(1, Int((PhysicalConstants.day / interval).rounded()))
        let spinupOutputs = Int((spinupDays * PhysicalConstants.day / interval).rounded())
        let recordedOutputs = Int((days * PhysicalConstants.day / interval).rounded())
        let counts = try split.counts(total: recordedOutputs)
        let totalDays = spinupDays + days
        let nlat = model.transform.nlat, nlon = model.transform.nlon
        let orography = setup.surfaceHeight
        let hasOrography = configuration.mountainHeight > 0
        let orographyTensor = hasOrography ? try Tensor(orography, shape: [nlat, nlon]) : nil

        var diagnostics = WeatherDiagnostics()
        diagnostics.latitudes = setup.latitudesDegrees
        var zonalSum = [Double](repeating: 0, count: nlat)
        var state = setup.initialState
        var written = 0
        var outputsDone = 0
        let start = Date()

        /// Checks the state, records the diagnostics when due, returns the grid fields and max wind.
        func inspect(_ state: ShallowWaterState, outputIndex: Int, recording: Bool) throws -> (ShallowWaterGridFields, Double) {
            let fields = try model.gridFields(state)
            let speed2 = try fields.u.square() + fields.v.square()
            let maxWind = try speed2.max().item().squareRoot()
            let day = Double(outputIndex) * interval / PhysicalConstants.day
            guard maxWind.isFinite, maxWind <= Self.maximumWind else {
                throw WeatherGeneratorError.blowUp(day: day, maximumWind: maxWind)
            }
            if recordsDiagnostics {
                if outputIndex % perDay == 0 {
                    let mass = try model.integrate(fields.h).item()
                    let ke = try model.integrate(fields.h * speed2 * 0.5).item() / mass
                    diagnostics.days.append(day - spinupDays)
                    diagnostics.kineticEnergy.append(ke)
                    diagnostics.totalMass.append(try model.totalMass(state).item())
                    diagnostics.maximumWind.append(maxWind)
                }
                if recording {
                    let zonal = try fields.u.mean(dims: [-1]).contiguous().toArray(of: Double.self)
                    for i in 0..<nlat { zonalSum[i] += zonal[i] }
                    diagnostics.zonalMeanSamples += 1
                }
            }
            return (fields, maxWind)
        }

        func advance() throws {
            for _ in 0..<stepsPerOutput { state = try model.step(state) }
            outputsDone += 1
        }

        func report(_ phase: WeatherProgress.Phase, file: String?, maxWind: Double) {
            progress?(WeatherProgress(phase: phase, modelDays: Double(outputsDone) * interval / PhysicalConstants.day,
                                      totalModelDays: totalDays, wallSeconds: Date().timeIntervalSince(start),
                                      file: file, snapshotsWritten: written, maximumWind: maxWind))
        }

        // Spin-up: nothing written, the state checked every output interval.
        for _ in 0..<spinupOutputs {
            let (_, maxWind) = try inspect(state, outputIndex: outputsDone, recording: false)
            try advance()
            report(.spinUp, file: nil, maxWind: maxWind)
        }

        // Recorded period, one file per split period.
        var files: [String] = [], snapshots: [Int] = []
        var firstSnapshot = 0
        for (index, count) in counts.enumerated() where count > 0 {
            let name = WeatherSplit.fileName(prefix: filePrefix, index: index)
            let path = (directory as NSString).appendingPathComponent(name)
            let times = (firstSnapshot..<(firstSnapshot + count)).map { Double($0) * interval / 3600 }
            let dataset = makeDataset(output: output, times: times, splitIndex: index, orography: hasOrography ? try output.remap(orography, count: 1) : nil)
            let writer = NetCDFWriter(deflateLevel: deflateLevel, source: "Plume forced-dissipative shallow-water model", historyLine: historyLine)
            let horizontalStart = [Int](repeating: 0, count: output.horizontalShape.count)
            try writer.write(dataset, to: path) { slabs in
                for k in 0..<count {
                    let (fields, maxWind) = try inspect(state, outputIndex: outputsDone, recording: true)
                    var height = fields.h
                    if let orographyTensor { height = try height + orographyTensor }
                    let stacked = try Tensor.stack([fields.u, fields.v, height, fields.vorticity], dim: 0)
                    let values = try output.remap(try stacked.contiguous().toArray(of: Double.self), count: 4)
                    let n = output.cellCount
                    for (f, variable) in ["u", "v", "h", "vorticity"].enumerated() {
                        let slab = values[(f * n)..<((f + 1) * n)].map { Float($0) }
                        try slabs.write(variable, start: [k] + horizontalStart, count: [1] + output.horizontalShape, values: slab)
                    }
                    written += 1
                    // Advance to the next snapshot, except after the very last one.
                    let last = index == counts.lastIndex(where: { $0 > 0 }) && k == count - 1
                    if !last { try advance() }
                    report(.recording, file: name, maxWind: maxWind)
                }
            }
            files.append(path)
            snapshots.append(count)
            firstSnapshot += count
        }
        let wall = Date().timeIntervalSince(start)
        if diagnostics.zonalMeanSamples > 0 {
            diagnostics.zonalMeanWind = zonalSum.map { $0 / Double(diagnostics.zonalMeanSamples) }
        }
        let modelDays = Double(outputsDone) * interval / PhysicalConstants.day
        return Summary(files: files, snapshots: snapshots, wallSeconds: wall, modelDays: modelDays,
                       diagnostics: diagnostics, finalState: state, model: setup)
    }

    /// Global attributes common to the data and diagnostics files.
    public func globalAttributes(output: WeatherOutputGrid?) -> [Attribute] {
        var attributes: [Attribute] = [
            Attribute("title", .text("Plume forced-dissipative shallow-water weather")),
            Attribute("truncation", .integers([Int64(configuration.truncation)])),
            seed <= UInt64(Int64.max) ? Attribute("seed", .integers([Int64(seed)])) : Attribute("seed", .text(String(seed))),
            Attribute("configuration", .text(configuration.summary)),
            Attribute("model_grid", .text(modelGrid.name)),
            Attribute("spinup_days", .doubles([spinupDays])),
            Attribute("time_step_seconds", .doubles([configuration.effectiveTimeStep])),
            Attribute("torch_threads", .integers([Int64(Torch.threadCount)])),
            Attribute("split_fractions", .doubles(split.fractions)),
        ]
        if let output {
            attributes.append(Attribute("output_grid", .text(output.grid.name)))
            attributes.append(Attribute("regrid_method", .text(output.method?.rawValue ?? "none (model grid)")))
        }
        return attributes
    }

    /// The CF dataset of one split file, big variables without data (streamed).
    func makeDataset(output: WeatherOutputGrid, times: [Double], splitIndex: Int, orography: [Double]?) -> Dataset {
        let nt = times.count
        let horizontal = output.horizontalDimensions
        let shape = [nt] + output.horizontalShape
        let cellCoordinates = horizontal == ["cell"] ? [Attribute("coordinates", .text("latitude longitude"))] : []
        func field(_ name: String, _ standardName: String, _ longName: String, _ units: String) -> Variable {
            Variable(name: name, dimensions: ["time"] + horizontal, shape: shape, dataType: .float32,
                     attributes: [Attribute("standard_name", .text(standardName)), Attribute("long_name", .text(longName)),
                                  Attribute("units", .text(units))] + cellCoordinates)
        }
        var variables = output.coordinates
        variables.insert(Variable(name: "time", dimensions: ["time"], shape: [nt],
                                  attributes: [Attribute("standard_name", .text("time")), Attribute("long_name", .text("time")),
                                               Attribute("units", .text("hours since \(startDate)")),
                                               Attribute("calendar", .text("proleptic_gregorian")), Attribute("axis", .text("T"))],
                                  data: .float64(times)), at: 0)
        variables += [
            field("u", "eastward_wind", "eastward wind", "m s-1"),
            field("v", "northward_wind", "northward wind", "m s-1"),
            field("h", "geopotential_height", "geopotential height of the free surface (fluid depth + orography)", "m"),
            field("vorticity", "atmosphere_relative_vorticity", "relative vorticity", "s-1"),
        ]
        if let orography {
            variables.append(Variable(name: "orography", dimensions: horizontal, shape: output.horizontalShape,
                                      attributes: [Attribute("standard_name", .text("surface_altitude")),
                                                   Attribute("long_name", .text("idealised orography")),
                                                   Attribute("units", .text("m"))] + cellCoordinates,
                                      data: .float32(orography.map { Float($0) })))
        }
        var attributes = globalAttributes(output: output)
        attributes.append(Attribute("split", .text(WeatherSplit.names[splitIndex])))
        return Dataset(dimensions: [PlumeIO.Dimension(name: "time", length: nt)] + output.dimensions,
                       variables: variables, attributes: attributes)
    }
}
