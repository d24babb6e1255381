import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
import PlumeRegrid
import Torch
import PlumeConservation
import PlumeVerify
import PlumePhysics

/// Errors of `CarbonBenchGenerator` settings.
public enum CarbonBenchError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(name: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let value, let reason): "\(name) '\(value)': \(reason)"
        }
    }
}

/// Where a `CarbonBenchGenerator` run stands (after every 6-hour snapshot).
public struct CarbonBenchProgress: Sendable, Equatable {
    /// Model days done (recorded period; the weather spin-up is not counted).
    public var modelDays: Double
    public var totalModelDays: Double
    /// Wall-clock seconds since the recorded period started.
    public var wallSeconds: Double
    /// The file being written.
    public var file: String
}

/// CarbonBench-mini (`plume generate carbonbench-mini`): the shallow-water weather model
/// (`CarbonBenchWeatherDriver`) drives the 3D reference transport model (`Transport3DModel`,
/// one CO2 tracer with the synthetic land, ocean and anthropogenic fluxes) on a native
/// lat-lon grid, in lockstep (the weather step divides the transport step); every 6 h the
/// state is remapped conservatively to the target grid and written with CarbonBench's names
/// and units, one CF netCDF-4 file per train/val/test period, plus the normalisation
/// statistics of the train split (`<prefix>-stats.json`).
///
/// Winds: the transport fluxes come from ψ = ∇⁻²ζ of the weather model at the corners of
/// the native grid (bilinear from the Gaussian grid; the mean of ψ at the start and end of
/// each transport step), per layer times `CarbonBenchVerticalProfile` (`CarbonBenchWindSnapshot`);
/// the written `u`, `v` are the weather winds remapped conservatively, times the same profile.
///
/// Air: the surface pressure is the standard atmosphere's at the weather model's orography
/// (remapped conservatively to the native grid) and is constant in time (the winds are
/// non-divergent), so `airmass` and `p_bottom`/`p_top` are the same every 6 h.
///
/// Remapping: air mass and CO2 mass are remapped as extensive fields (`Remapper.applyExtensive`,
/// preserving the global totals) and `co2massmix` = CO2 mass / air mass on the target grid;
/// the intensive fields (fluxes, blh, orography, surface pressure) are area-weighted means.
/// So the global CO2 mass in the files changes from one snapshot to the next by
/// Σ (co2flux_land + co2flux_ocean + co2flux_anthro)·cell_area·6 h (the fluxes of time n are
/// the means over [tₙ, tₙ + 6 h]), exactly up to the float32 storage, as long as the uptake
/// limiter never acts (`Summary.clippedUptake` is 0).
///
/// Stand-ins (documented in the files' attributes): `gph_bottom`/`gph_top` and `t` are the
/// standard atmosphere's at the layer interface / mid pressures (`CarbonBenchStandardAtmosphere`),
/// `tisr` the analytic insolation (`CarbonBenchInsolation`), `blh` the diurnal
/// `VerticalBoundaryLayer` of the transport model.
public struct CarbonBenchGenerator {
    public var weather: WeatherConfiguration
    /// The weather model's regular Gaussian grid.
    public var weatherGrid: GaussianGrid
    /// The transport model's grid (global lat-lon, no pole points, latitudes ascending).
    public var nativeGrid: RegularLatLonGrid
    /// The name of the native transport grid `plume generate carbonbench-mini` uses unless told
    /// otherwise (2.8125°, 64 × 128), for LowRes and MidRes alike.
    public static let defaultNativeGridName = "latlon2.8125"
    /// The output grid (same kind).
    public var targetGrid: RegularLatLonGrid
    /// Transport (and output) layers, surface first (e.g. `Transport3DGeometry.carbonBenchLevels(count: 10)`).
    public var levels: HybridLevels
    /// Recorded model days (a multiple of 0.25).
    public var days: Double
    /// Days the weather model runs before the transport starts.
    public var weatherSpinupDays: Double = 30
    /// Whole years the transport runs (from uniform CO2) before the recorded period starts,
    /// so that the recorded fields carry spun-up gradients; the recorded period then starts
    /// at the same phase of the year (1 January).
    public var transportSpinupYears: Int = 0
    /// Transport time step, s; must divide 6 h. The weather step is made to divide it.
    public var transportTimeStep: Double = 3600
    public var seed: UInt64 = 0
    /// Relative lengths of the train, val and test periods (e.g. 3, 1, 1 years, or fractions).
    public var split: [Double] = [3, 1, 1]
    /// Initial CO2 mole fraction everywhere, ppm.
    public var initialPPM: Double = 400
    /// The Hadley cells added to the weather's winds (nil: none). Without them the tropics
    /// exchange air between the hemispheres far too slowly.
    public var overturning: MeridionalOverturning? = MeridionalOverturning()
    /// Subgrid horizontal eddy mixing of the transport (nil: none); see
    /// `defaultHorizontalDiffusion` for the calibrated default and its justification.
    public var horizontalDiffusion: HorizontalEddyDiffusion? = CarbonBenchGenerator.defaultHorizontalDiffusion
    /// The SF6-like tracer of the exchange-time diagnostics (nil: none). When set, the
    /// transport carries it as a second tracer (not written into the split files) from the
    /// start of the transport, and the run writes `<prefix>-exchange.csv` and
    /// `<prefix>-exchange.json` (`CarbonBenchExchangeDiagnostics`).
    public var exchangeTracer: InterhemisphericExchangeTracer?
    public var filePrefix: String = "carbonbench"
    public var deflateLevel: Int32 = 1
    /// Reference date of the time axis (start of the recorded period); the model year has 365 days.
    public var startDate: String = "2000-01-01 00:00:00"
    public var historyLine: String?

    /// Output interval, s.
    public static let outputIntervalSeconds = 6 * 3600.0

    public init(weather: WeatherConfiguration, weatherGrid: GaussianGrid, nativeGrid: RegularLatLonGrid,
                targetGrid: RegularLatLonGrid, levels: HybridLevels, days: Double) {
        self.weather = weather
        self.weatherGrid = weatherGrid
        self.nativeGrid = nativeGrid
        self.targetGrid = targetGrid
        self.levels = levels
        self.days = days
    }

    /// What a run did.
    public struct Summary: Sendable {
        public var files: [String]
        public var snapshots: [Int]
        public var statisticsFile: String
        public var statistics: CarbonBenchStatistics
        /// Global CO2 mass on the native grid at every snapshot, kg (float64).
        public var nativeMass: [Double]
        /// Surface source applied between consecutive snapshots, kg CO2 (float64).
        public var appliedSource: [Double]
        /// Uptake the limiter did not apply, kg CO2 in all (0 when the budget is exact).
        public var clippedUptake: Double
        /// The exchange-time diagnostics (with `exchangeTracer` only) and their files.
        public var exchange: CarbonBenchExchangeDiagnostics?
        public var exchangeFiles: [String] = []
        public var modelDays: Double
        /// Wall-clock seconds of the recorded period, and of the weather spin-up.
        public var wallSeconds: Double
        public var spinupSeconds: Double
        public var daysPerSecond: Double { wallSeconds > 0 ? modelDays / wallSeconds : 0 }
    }

    /// Split counts (snapshots) of `total`.
    func splitCounts(total: Int) throws(CarbonBenchError) -> [Int] {
        guard split.count == 3, split.allSatisfy({ $0.isFinite && $0 >= 0 }), split.reduce(0, +) > 0 else {
            throw .invalidSetting(name: "split", value: "\(split)", reason: "expected three non-negative lengths train,val,test")
        }
        let s = split.reduce(0, +)
        do {
            return try WeatherSplit(train: split[0] / s, validation: split[1] / s, test: split[2] / s).counts(total: total)
        } catch {
            throw .invalidSetting(name: "split", value: "\(split)", reason: "\(error)")
        }
    }

    /// Checks the settings.
    public func validate() throws(CarbonBenchError) {
        let quarter = (days * 4).rounded()
        guard days.isFinite, days > 0, abs(days * 4 - quarter) < 1e-9 else {
            throw .invalidSetting(name: "days", value: "\(days)", reason: "must be a positive multiple of 0.25")
        }
        guard transportSpinupYears >= 0 else {
            throw .invalidSetting(name: "transportSpinupYears", value: "\(transportSpinupYears)", reason: "must be ≥ 0")
        }
        guard weatherSpinupDays.isFinite, weatherSpinupDays >= 0 else {
            throw .invalidSetting(name: "weatherSpinupDays", value: "\(weatherSpinupDays)", reason: "must be ≥ 0")
        }
        let ratio = Self.outputIntervalSeconds / transportTimeStep
        guard transportTimeStep.isFinite, transportTimeStep > 0, abs(ratio - ratio.rounded()) < 1e-9 else {
            throw .invalidSetting(name: "transportTimeStep", value: "\(transportTimeStep)", reason: "must divide 6 h (21600 s)")
        }
        guard levels.count >= 1 else { throw .invalidSetting(name: "levels", value: levels.name, reason: "no layers") }
        guard initialPPM.isFinite, initialPPM >= 0 else {
            throw .invalidSetting(name: "initialPPM", value: "\(initialPPM)", reason: "must be ≥ 0")
        }
        guard !filePrefix.isEmpty, !filePrefix.contains("/") else {
            throw .invalidSetting(name: "filePrefix", value: filePrefix, reason: "must be a file name without '/'")
        }
        if let horizontalDiffusion {
            do { try horizontalDiffusion.validate() } catch {
                throw .invalidSetting(name: "horizontalDiffusion", value: "\(horizontalDiffusion)", reason: "\(error)")
            }
        }
        guard (0...9).contains(deflateLevel) else {
            throw .invalidSetting(name: "deflateLevel", value: "\(deflateLevel)", reason: "must be 0…9")
        }
        _ = try splitCounts(total: Int(quarter))
    }

    /// The weather configuration actually run: its time step made to divide the transport step.
    public var effectiveWeather: WeatherConfiguration {
        var w = weather
        let n = max(1, (transportTimeStep / w.effectiveTimeStep - 1e-9).rounded(.up))
        w.timeStep = transportTimeStep / n
        return w
    }

    /// Runs the spin-up and the recorded period, writing into `directory` (created if missing).
    /// - Throws: `CarbonBenchError`, `WeatherGeneratorError`, `TransportError`, `RemapError`,
    ///   `TorchError`, `PlumeIOError`.
    public func run(to directory: String, progress: ((CarbonBenchProgress) -> Void)? = nil) throws -> Summary {
        try validate()
        let weatherConfiguration = effectiveWeather
        try weatherConfiguration.validate()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let spinupStart = Date()
        var driver = try CarbonBenchWeatherDriver(configuration: weatherConfiguration, grid: weatherGrid, seed: seed)
        let weatherSteps = Int((transportTimeStep / driver.timeStep).rounded())
        try driver.advance(steps: Int((weatherSpinupDays * PhysicalConstants.day / driver.timeStep).rounded()))
        _ = try driver.winds(day: 0)
        let spinupSeconds = Date().timeIntervalSince(spinupStart)

        // Grids, remappers, geometry.
        let native = try TransportGrid(nativeGrid), target = try TransportGrid(targetGrid)
        let nativeToTarget = Remapper(ConservativeWeights.make(from: nativeGrid, to: targetGrid))
        let gaussToNative = Remapper(ConservativeWeights.make(from: weatherGrid, to: nativeGrid))
        let gaussToTarget = Remapper(ConservativeWeights.make(from: weatherGrid, to: targetGrid))
        let orographyNative = try gaussToNative.apply(driver.weather.surfaceHeight)
        let plausible = HybridLevels.plausibleSurfacePressures
        let psNative = orographyNative.map {
            min(max(CarbonBenchStandardAtmosphere.pressure(height: $0), plausible.lowerBound), plausible.upperBound)
        }
        let geometry = try Transport3DGeometry(grid: native, levels: levels, surfacePressure: psNative)
        let factors = CarbonBenchVerticalProfile.factors(geometry: geometry)
        let fluxes = try SyntheticSurfaceFluxes(grid: native)
        var model = try Transport3DModel(geometry: geometry, surfaceFluxes: fluxes, tracerFluxes: [.all, []],
                                         landFraction: fluxes.landFraction)
        model.horizontalDiffusion = horizontalDiffusion
        let L = geometry.levelCount, nNative = native.cellCount, nTarget = target.cellCount
        let q0 = initialPPM * 1e-6 * PhysicalConstants.molarMassCO2 / PhysicalConstants.molarMassAir
        var initial = [[Double](repeating: q0, count: L * nNative)]
        if exchangeTracer != nil { initial.append([Double](repeating: 0, count: L * nNative)) }
        var state = try model.makeState(mixingRatios: initial)
        // The SF6-like tracer (tracer 1): its emission per transport step, and the diagnostics.
        let exchangeEmission = try exchangeTracer.map { try $0.emission(grid: native, duration: transportTimeStep) }
        var recorder = exchangeTracer.map {
            CarbonBenchExchangeRecorder(geometry: geometry, tracer: 1, exchange: $0, diffusion: horizontalDiffusion)
        }
        var transportDays = 0.0
        recorder?.record(state, day: 0)
        var exchangeFiles: [String] = []
        func writeExchange() throws {
            if let recorder {
                let written = try recorder.diagnostics.write(to: directory, prefix: filePrefix)
                exchangeFiles = [written.csv, written.json]
            }
        }

        // Static target fields.
        let cellArea = target.cellAreas()
        let orography = try nativeToTarget.apply(orographyNative)
        let psTarget = try nativeToTarget.apply(psNative)
        var airMassTarget = [Double](repeating: 0, count: L * nTarget)
        for k in 0..<L {
            let slice = Array(geometry.airMass[(k * nNative)..<((k + 1) * nNative)])
            let remapped = try nativeToTarget.applyExtensive(slice)
            for c in 0..<nTarget { airMassTarget[k * nTarget + c] = remapped[c] }
        }
        var pBottom = [Double](repeating: 0, count: L * nTarget), pTop = pBottom
        var gphBottom = pBottom, gphTop = pBottom, temperature = pBottom
        for c in 0..<nTarget {
            let p = levels.interfacePressures(surfacePressure: psTarget[c])
            for k in 0..<L {
                let i = k * nTarget + c
                pBottom[i] = p[k]
                pTop[i] = p[k + 1]
                gphBottom[i] = CarbonBenchStandardAtmosphere.height(pressure: p[k])
                gphTop[i] = CarbonBenchStandardAtmosphere.height(pressure: p[k + 1])
                temperature[i] = CarbonBenchStandardAtmosphere.temperature(pressure: 0.5 * (p[k] + p[k + 1]))
            }
        }
        let targetLatitudes = (0..<target.latitudeCount).map { target.centreLatitude(row: $0) }
        let targetLongitudes = (0..<target.longitudeCount).map { target.centreLongitude(column: $0) }

        // Time axis.
        let interval = Self.outputIntervalSeconds
        let total = Int((days * 4).rounded())
        let counts = try splitCounts(total: total)
        let stepsPerOutput = Int((interval / transportTimeStep).rounded())
        var psiStart = try driver.cornerStreamfunction(grid: native)
        var nativeMass = [state.totalTracerMass(0)], applied: [Double] = [], clipped = 0.0
        var time = 0.0
        var accumulator = CarbonBenchStatisticsAccumulator(levelCount: L)
        var files: [String] = [], snapshots: [Int] = []
        var start = Date()
        var done = 0
        let shape3 = [1, L, target.latitudeCount, target.longitudeCount], shape2 = [1, target.latitudeCount, target.longitudeCount]

        func advanceOutput() throws {
            var source = 0.0
            for _ in 0..<stepsPerOutput {
                try driver.advance(steps: weatherSteps)
                let psiEnd = try driver.cornerStreamfunction(grid: native)
                model.winds = CarbonBenchWindSnapshot(cornerStreamfunction: zip(psiStart, psiEnd).map { 0.5 * ($0 + $1) },
                                                      factors: factors, overturning: overturning)
                let report = try model.step(&state, time: time, duration: transportTimeStep)
                source += report.appliedSource[0]
                clipped += report.clippedUptake[0]
                if let exchangeEmission {
                    // Into the lowest layer after the step (no sink: nothing to limit).
                    state.tracerMass[1].withUnsafeMutableBufferPointer { rm in
                        for c in 0..<nNative { rm[c] += exchangeEmission[c] }
                    }
                }
                time += transportTimeStep
                psiStart = psiEnd
            }
            applied.append(source)
            nativeMass.append(state.totalTracerMass(0))
            transportDays += interval / PhysicalConstants.day
            recorder?.record(state, day: transportDays)
            // Rewritten every 30 model days and at each year's end, so long runs can be followed.
            let isYearEnd = abs(transportDays / 365 - (transportDays / 365).rounded()) < 1e-9
            let isMonthMark = abs(transportDays / 30 - (transportDays / 30).rounded()) < 1e-9
            if recorder != nil, isYearEnd || isMonthMark { try writeExchange() }
        }

        if transportSpinupYears > 0 {
            let spinupOutputs = transportSpinupYears * 365 * 4
            for k in 0..<spinupOutputs {
                try advanceOutput()
                if (k + 1) % 4 == 0 {
                    progress?(CarbonBenchProgress(modelDays: Double(k + 1) / 4, totalModelDays: Double(spinupOutputs) / 4,
                                                  wallSeconds: Date().timeIntervalSince(start), file: "transport spin-up"))
                }
            }
            time = 0
            applied.removeAll()
            nativeMass = [state.totalTracerMass(0)]
            clipped = 0
            start = Date()  // `Summary.wallSeconds` is the recorded period's
        }

        for (index, count) in counts.enumerated() where count > 0 {
            let name = WeatherSplit.fileName(prefix: filePrefix, index: index)
            let path = (directory as NSString).appendingPathComponent(name)
            let times = (done..<(done + count)).map { Double($0) * interval / 3600 }
            let dataset = makeDataset(times: times, splitIndex: index, levelMidPressures: geometry.referenceMidPressures(),
                                      cellArea: cellArea, orography: orography)
            let writer = NetCDFWriter(deflateLevel: deflateLevel, source: "Plume CarbonBench-mini (shallow-water weather + reference transport)",
                                      historyLine: historyLine)
            let isTrain = index == 0
            try writer.write(dataset, to: path) { slabs in
                for k in 0..<count {
                    let day = time / PhysicalConstants.day
                    var fields3: [(String, String, [Double])] = []
                    var fields2: [(String, String, [Double])] = []
                    // CO2 and air.
                    var co2 = [Double](repeating: 0, count: L * nTarget)
                    for l in 0..<L {
                        let rm = Array(state.tracerMass[0][(l * nNative)..<((l + 1) * nNative)])
                        let remapped = try nativeToTarget.applyExtensive(rm)
                        for c in 0..<nTarget { co2[l * nTarget + c] = remapped[c] / airMassTarget[l * nTarget + c] * 1e6 }
                    }
                    fields3.append(("co2massmix", "1e-6 kg kg-1", co2))
                    fields3.append(("airmass", "Pg", airMassTarget.map { $0 / 1e12 }))
                    // Winds.
                    let w = try driver.winds(day: day)
                    let uv = try gaussToTarget.apply(fields: w.u + w.v, count: 2)
                    var u = [Double](repeating: 0, count: L * nTarget), v = u
                    for l in 0..<L {
                        for c in 0..<nTarget {
                            u[l * nTarget + c] = factors[l] * uv[c]
                            v[l * nTarget + c] = factors[l] * uv[nTarget + c]
                            if let overturning {
                                v[l * nTarget + c] += overturning.meridionalWind(
                                    latitude: targetLatitudes[c / target.longitudeCount], bottom: pBottom[l * nTarget + c],
                                    top: pTop[l * nTarget + c], surfacePressure: psTarget[c], time: time)
                            }
                        }
                    }
                    fields3 += [("u", "m s-1", u), ("v", "m s-1", v), ("p_bottom", "Pa", pBottom), ("p_top", "Pa", pTop),
                                ("gph_bottom", "m", gphBottom), ("gph_top", "m", gphTop), ("t", "K", temperature)]
                    // Surface fields.
                    let blh = try nativeToTarget.apply(model.boundaryLayer.heights(grid: native, landFraction: model.landFraction, time: time))
                    let f = try fluxes.meanFluxes(from: time, to: time + interval)
                    let flux = try nativeToTarget.apply(fields: f.land + f.ocean + f.anthropogenic, count: 3)
                    fields2 += [("blh", "m", blh),
                                ("co2flux_land", "kg m-2 s-1", Array(flux[0..<nTarget])),
                                ("co2flux_ocean", "kg m-2 s-1", Array(flux[nTarget..<(2 * nTarget)])),
                                ("co2flux_anthro", "kg m-2 s-1", Array(flux[(2 * nTarget)..<(3 * nTarget)])),
                                ("tisr", "J m-2", CarbonBenchInsolation.accumulated(latitudes: targetLatitudes, longitudes: targetLongitudes,
                                                                                      from: time, duration: interval))]
                    for (variable, units, values) in fields3 {
                        try slabs.write(variable, start: [k, 0, 0, 0], count: shape3, values: values.map { Float($0) })
                        if isTrain { accumulator.add(variable, units: units, values: values.map { Double(Float($0)) }, levels: true) }
                    }
                    for (variable, units, values) in fields2 {
                        try slabs.write(variable, start: [k, 0, 0], count: shape2, values: values.map { Float($0) })
                        if isTrain { accumulator.add(variable, units: units, values: values.map { Double(Float($0)) }, levels: false) }
                    }
                    if isTrain {
                        accumulator.addCO2(co2.map { Double(Float($0)) })
                        accumulator.snapshots += 1
                    }
                    done += 1
                    if done < total { try advanceOutput() }
                    progress?(CarbonBenchProgress(modelDays: Double(done) * interval / PhysicalConstants.day, totalModelDays: days,
                                                  wallSeconds: Date().timeIntervalSince(start), file: name))
                }
            }
            files.append(path)
            snapshots.append(count)
        }
        if accumulator.snapshots > 0 {
            accumulator.add("cell_area", units: "m2", values: cellArea, levels: false)
            accumulator.add("orography", units: "m", values: orography, levels: false)
        }
        try writeExchange()
        let statistics = accumulator.result(split: WeatherSplit.names[0])
        let statisticsPath = (directory as NSString).appendingPathComponent("\(filePrefix)-stats.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(encoder.encode(statistics), to: statisticsPath)
        return Summary(files: files, snapshots: snapshots, statisticsFile: statisticsPath, statistics: statistics,
                       nativeMass: nativeMass, appliedSource: applied, clippedUptake: clipped,
                       exchange: recorder?.diagnostics, exchangeFiles: exchangeFiles,
                       modelDays: Double(max(0, total - 1)) * interval / PhysicalConstants.day,
                       wallSeconds: Date().timeIntervalSince(start), spinupSeconds: spinupSeconds)
    }

    /// The CF dataset of one split file (time-dependent variables streamed).
    func makeDataset(times: [Double], splitIndex: Int, levelMidPressures: [Double], cellArea: [Double], orography: [Double]) -> Dataset {
        let nt = times.count, L = levels.count, nlat = targetGrid.latitudeCount, nlon = targetGrid.longitudeCount
        func attrs(_ longName: String, _ units: String, _ standardName: String? = nil, note: String? = nil) -> [Attribute] {
            var a = [Attribute("long_name", .text(longName)), Attribute("units", .text(units))]
            if let standardName { a.insert(Attribute("standard_name", .text(standardName)), at: 0) }
            if let note { a.append(Attribute("comment", .text(note))) }
            return a
        }
        func field3(_ name: String, _ a: [Attribute]) -> Variable {
            Variable(name: name, dimensions: ["time", "level", "lat", "lon"], shape: [nt, L, nlat, nlon], dataType: .float32, attributes: a)
        }
        func field2(_ name: String, _ a: [Attribute]) -> Variable {
            Variable(name: name, dimensions: ["time", "lat", "lon"], shape: [nt, nlat, nlon], dataType: .float32, attributes: a)
        }
        let isa = "stand-in: US standard atmosphere (288.15 K, 6.5 K/km to 11 km, 216.65 K above) at the layer pressures"
        let variables: [Variable] = [
            Variable(name: "time", dimensions: ["time"], shape: [nt],
                     attributes: [Attribute("standard_name", .text("time")), Attribute("units", .text("hours since \(startDate)")),
                                  Attribute("calendar", .text("365_day")), Attribute("axis", .text("T"))], data: .float64(times)),
            Variable(name: "level", dimensions: ["level"], shape: [L],
                     attributes: [Attribute("long_name", .text("layer mid pressure at 1013.25 hPa surface pressure (label)")),
                                  Attribute("units", .text("hPa")), Attribute("positive", .text("down"))],
                     data: .float64(levelMidPressures.map { $0 / 100 })),
            Variable(name: "lat", dimensions: ["lat"], shape: [nlat],
                     attributes: [Attribute("standard_name", .text("latitude")), Attribute("units", .text("degrees_north"))],
                     data: .float64((0..<nlat).map { targetGrid.firstLatitude + Double($0) * targetGrid.latitudeStep })),
            Variable(name: "lon", dimensions: ["lon"], shape: [nlon],
                     attributes: [Attribute("standard_name", .text("longitude")), Attribute("units", .text("degrees_east"))],
                     data: .float64((0..<nlon).map { targetGrid.firstLongitude + Double($0) * targetGrid.longitudeStep })),
            Variable(name: "cell_area", dimensions: ["lat", "lon"], shape: [nlat, nlon],
                     attributes: attrs("cell area", "m2", "cell_area", note: "R = \(PhysicalConstants.earthRadius) m"),
                     data: .float32(cellArea.map { Float($0) })),
            Variable(name: "orography", dimensions: ["lat", "lon"], shape: [nlat, nlon],
                     attributes: attrs("idealised orography of the weather model", "m", "surface_altitude"),
                     data: .float32(orography.map { Float($0) })),
            field3("co2massmix", attrs("CO2 mass mixing ratio", "1e-6 kg kg-1", "mass_fraction_of_carbon_dioxide_in_air")),
            field3("airmass", attrs("air mass per cell", "Pg")),
            field3("u", attrs("eastward wind (shallow-water wind times the vertical profile)", "m s-1", "eastward_wind")),
            field3("v", attrs("northward wind (shallow-water wind times the vertical profile, plus the Hadley cells)", "m s-1", "northward_wind")),
            field3("p_bottom", attrs("pressure at the layer bottom", "Pa", "air_pressure")),
            field3("p_top", attrs("pressure at the layer top", "Pa", "air_pressure")),
            field3("gph_bottom", attrs("geopotential height of the layer bottom", "m", "geopotential_height", note: isa)),
            field3("gph_top", attrs("geopotential height of the layer top", "m", "geopotential_height", note: isa)),
            field3("t", attrs("temperature", "K", "air_temperature", note: isa)),
            field2("blh", attrs("boundary-layer height (diurnal, land/ocean)", "m", "atmosphere_boundary_layer_thickness")),
            field2("co2flux_land", attrs("land CO2 flux, mean over [t, t + 6 h]", "kg m-2 s-1")),
            field2("co2flux_ocean", attrs("ocean CO2 flux, mean over [t, t + 6 h]", "kg m-2 s-1")),
            field2("co2flux_anthro", attrs("anthropogenic CO2 flux, mean over [t, t + 6 h]", "kg m-2 s-1")),
            field2("tisr", attrs("TOA incident solar radiation accumulated over [t, t + 6 h]", "J m-2", "toa_incoming_shortwave_flux",
                                 note: "analytic, S0 = 1361 W m-2, no equation of time")),
        ]
        let attributes = [
            Attribute("title", .text("Plume CarbonBench-mini")),
            Attribute("split", .text(WeatherSplit.names[splitIndex])),
            Attribute("native_grid", .text(nativeGrid.name)), Attribute("target_grid", .text(targetGrid.name)),
            Attribute("levels", .text(levels.name)),
            Attribute("weather_grid", .text(weatherGrid.name)),
            Attribute("weather_configuration", .text(effectiveWeather.summary)),
            Attribute("weather_spinup_days", .doubles([weatherSpinupDays])),
            Attribute("transport_spinup_years", .integers([Int64(transportSpinupYears)])),
            Attribute("transport_time_step_seconds", .doubles([transportTimeStep])),
            seed <= UInt64(Int64.max) ? Attribute("seed", .integers([Int64(seed)])) : Attribute("seed", .text(String(seed))),
            Attribute("initial_co2_ppm", .doubles([initialPPM])),
            Attribute("vertical_profile", .text("layer winds = shallow-water wind x (0.25 + s)/1.25, s = 1 - p_mid/1013.25 hPa")),
            Attribute("meridional_overturning", .text(overturning.map {
                "Hadley cells: \($0.strength) kg/s annual-mean peak, seasonal contrast \($0.seasonalContrast), ITCZ ±\($0.itczAmplitude) deg, edges ±\($0.edgeLatitude) deg, top \($0.topPressure) Pa (v includes them)"
            } ?? "none")),
            Attribute("horizontal_eddy_diffusion", .text(horizontalDiffusion.map {
                "K(lat) = \($0.extratropicalCoefficient) + (\($0.tropicalCoefficient) - \($0.extratropicalCoefficient)) exp(-(lat/\($0.tropicalHalfWidthDegrees) deg)^2) m2/s, flux form, every layer"
            } ?? "none")),
            Attribute("regrid_method", .text("conservative; airmass and CO2 mass extensive, co2massmix = CO2 mass / air mass")),
        ]
        return Dataset(dimensions: [PlumeIO.Dimension(name: "time", length: nt), PlumeIO.Dimension(name: "level", length: L),
                                    PlumeIO.Dimension(name: "lat", length: nlat), PlumeIO.Dimension(name: "lon", length: nlon)],
                       variables: variables, attributes: attributes)
    }
}
