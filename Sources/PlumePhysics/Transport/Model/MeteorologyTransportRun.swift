import Foundation
import PlumeSupport
import PlumeIO
import PlumeConservation

/// A CO2 run of the reference transport model driven by winds and surface pressure from
/// files (`Transport3DMeteorologyWinds`), with the synthetic or file surface fluxes:
/// what `plume transport` runs.
///
/// Output (written under temporary names, then renamed):
/// - `transport.nc`: CF netCDF-4, every `outputIntervalSeconds` from the first record,
///   `co2massmix` (1e-6 kg kg⁻¹, `[time, level, lat, lon]`), `airmass` (Pg, same shape),
///   `surface_pressure` (Pa, `[time, lat, lon]`, after the global-mass shift);
/// - `transport-budget.json`: per output time the global CO2 mass (PgC), the surface
///   source applied since the start (PgC), the budget residual, and the run's worst
///   per-step residual, air-mass drift and balancing correction.
public struct MeteorologyTransportRun: Sendable {
    public var model: Transport3DModel
    public let winds: Transport3DMeteorologyWinds
    /// Transport step, s (divides `outputIntervalSeconds`).
    public var timeStep: Double = 3600
    /// Output interval, s.
    public var outputIntervalSeconds: Double = 21_600
    /// Initial CO2, ppm by volume (uniform; converted to a mass mixing ratio).
    public var initialPPM: Double = 400
    /// Model seconds to run (default: to the last record).
    public var duration: Double?
    /// Model time of the start, s (a time the records cover; default: the first record).
    public var startTime: Double?
    /// Initial CO2 mass mixing ratio, kg kg⁻¹, `[level, lat, lon]` (default: uniform `initialPPM`).
    public var initialMixingRatio: [Double]?
    /// What the output's `plume_model` attribute calls this run (`plume evaluate` labels its
    /// series with it).
    public var label = "reference transport"

    /// Per output time.
    public struct Snapshot: Codable, Sendable, Equatable {
        /// Hours since the first record.
        public var hours: Double
        /// Global CO2 mass, PgC.
        public var massPgC: Double
        /// Surface source applied since the start, PgC.
        public var appliedSourcePgC: Double
        /// (mass − initial mass − applied source) / mass.
        public var relativeResidual: Double
        /// Smallest and largest mixing ratio, 1e-6 kg kg⁻¹.
        public var minimumMixingRatio: Double
        public var maximumMixingRatio: Double
    }

    /// What the run did.
    public struct Summary: Codable, Sendable, Equatable {
        public var outputPath: String
        public var budgetPath: String
        public var steps: Int
        public var modelDays: Double
        /// Wall-clock time of the run and its speed (printed, not written to the budget file;
        /// 0 when decoded from it).
        public var wallSeconds: Double = 0
        public var simulatedDaysPerSecond: Double = 0
        /// Largest |Δmass − source| / mass of one step.
        public var worstStepResidual: Double
        /// Largest relative difference of a cell's air mass from the surface pressure's.
        public var worstAirMassDrift: Double
        /// Largest relative size of the TM5 balancing correction of a step.
        public var largestBalancingCorrection: Double
        public var snapshots: [Snapshot]

        /// What `transport-budget.json` holds: everything but the wall-clock timings, so the
        /// same inputs give the same file.
        enum CodingKeys: String, CodingKey {
            case outputPath, budgetPath, steps, modelDays, worstStepResidual, worstAirMassDrift, largestBalancingCorrection, snapshots
        }
    }

    /// Progress after each step: model days done, model days in all, wall seconds.
    public typealias Progress = @Sendable (Double, Double, Double) -> Void

    public init(model: Transport3DModel, winds: Transport3DMeteorologyWinds) {
        self.model = model
        self.winds = winds
    }

    public func run(directory: String, historyLine: String? = nil, progress: Progress? = nil) throws -> Summary {
        guard timeStep > 0, outputIntervalSeconds > 0,
              abs((outputIntervalSeconds / timeStep).rounded() * timeStep - outputIntervalSeconds) < 1e-9 * outputIntervalSeconds else {
            throw TransportError.invalidValue(name: "time step", reason: "\(timeStep) s must be positive and divide the output interval \(outputIntervalSeconds) s")
        }
        guard initialPPM.isFinite, initialPPM >= 0 else {
            throw TransportError.invalidValue(name: "initial CO2", reason: "\(initialPPM) ppm must be ≥ 0")
        }
        let range = winds.timeRange
        let start = startTime ?? range.lowerBound
        guard range.contains(start) else {
            throw TransportError.invalidValue(name: "start", reason: "model time \(start / 3600) h is outside the records' \(range.lowerBound / 3600)…\(range.upperBound / 3600) h")
        }
        let length = duration ?? (range.upperBound - start)
        guard length > 0, start + length <= range.upperBound + 1e-6 else {
            throw TransportError.invalidValue(name: "duration",
                                              reason: "\(length / 3600) h from the start; the records cover \((range.upperBound - start) / 3600) h from it")
        }
        let stepsPerOutput = Int((outputIntervalSeconds / timeStep).rounded())
        let outputs = Int((length / outputIntervalSeconds + 1e-9).rounded(.down))
        guard outputs >= 1 else {
            throw TransportError.invalidValue(name: "duration", reason: "\(length / 3600) h is shorter than one output interval (\(outputIntervalSeconds / 3600) h)")
        }
        let geometry = model.geometry
        let grid = geometry.grid, L = geometry.levelCount, n = grid.cellCount
        let q0 = initialPPM * 1e-6 * PhysicalConstants.molarMassCO2 / PhysicalConstants.molarMassAir
        let initial = initialMixingRatio ?? [Double](repeating: q0, count: L * n)
        guard initial.count == L * n else {
            throw TransportError.shapeMismatch(name: "initial CO2 [level, lat, lon]", expected: L * n, actual: initial.count)
        }
        if let bad = initial.firstIndex(where: { !($0.isFinite && $0 >= 0) }) {
            throw TransportError.invalidValue(name: "initial CO2", reason: "\(initial[bad]) kg/kg at element \(bad) (expected finite values ≥ 0)")
        }
        var state = try model.makeState(mixingRatios: [initial], time: start)

        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("transport.nc")
        let budgetPath = (directory as NSString).appendingPathComponent("transport-budget.json")
        let toPgC = CO2Mass.carbonPerCO2 / 1e12
        let initialMass = state.totalTracerMass(0)
        var applied = 0.0, worstResidual = 0.0, worstDrift = 0.0, worstCorrection = 0.0
        var snapshots: [Snapshot] = []
        var steps = 0
        let clock = Date()
        let totalDays = Double(outputs) * outputIntervalSeconds / PhysicalConstants.day

        let dataset = makeDataset(times: (0...outputs).map { Double($0) * outputIntervalSeconds / 3600 }, startTime: start)
        let writer = NetCDFWriter(deflateLevel: 1, source: "Plume reference transport driven by meteorology files", historyLine: historyLine)
        var time = start
        try writer.write(dataset, to: path) { slabs in
            for k in 0...outputs {
                if k > 0 {
                    for _ in 0..<stepsPerOutput {
                        let before = state.totalTracerMass(0)
                        let report = try model.step(&state, time: time, duration: timeStep)
                        worstCorrection = max(worstCorrection, report.balance?.relativeCorrection ?? 0)
                        let after = state.totalTracerMass(0)
                        worstResidual = max(worstResidual, abs(after - before - report.appliedSource[0]) / after)
                        worstDrift = max(worstDrift, report.airMassDrift)
                        applied += report.appliedSource[0]
                        time += timeStep
                        steps += 1
                        progress?(Double(steps) * timeStep / PhysicalConstants.day, totalDays, Date().timeIntervalSince(clock))
                    }
                }
                let q = state.mixingRatio(0).map { $0 * 1e6 }
                let ps = try winds.surfacePressure(at: time).field
                try slabs.write("co2massmix", start: [k, 0, 0, 0], count: [1, L, grid.latitudeCount, grid.longitudeCount], values: q.map { Float($0) })
                try slabs.write("airmass", start: [k, 0, 0, 0], count: [1, L, grid.latitudeCount, grid.longitudeCount],
                                values: state.airMass.map { Float($0 / 1e12) })
                try slabs.write("surface_pressure", start: [k, 0, 0], count: [1, grid.latitudeCount, grid.longitudeCount], values: ps.map { Float($0) })
                let mass = state.totalTracerMass(0)
                snapshots.append(Snapshot(hours: (time - start) / 3600, massPgC: mass * toPgC, appliedSourcePgC: applied * toPgC,
                                          relativeResidual: (mass - initialMass - applied) / mass,
                                          minimumMixingRatio: q.min() ?? 0, maximumMixingRatio: q.max() ?? 0))
            }
        }
        let wall = Date().timeIntervalSince(clock)
        let summary = Summary(outputPath: path, budgetPath: budgetPath, steps: steps, modelDays: totalDays, wallSeconds: wall,
                              simulatedDaysPerSecond: wall > 0 ? totalDays / wall : 0, worstStepResidual: worstResidual,
                              worstAirMassDrift: worstDrift, largestBalancingCorrection: worstCorrection, snapshots: snapshots)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(summary), to: budgetPath)
        return summary
    }

    func makeDataset(times: [Double], startTime: Double) -> Dataset {
        let grid = model.geometry.grid, L = model.geometry.levelCount
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, nt = times.count
        let year = winds.source.startYear
        let origin = String(format: "%04d-01-01 00:00:00", year)
        let calendar = winds.source.calendar
        let initTime = CFTimeUnits(secondsPerUnit: 3600, reference: CFDate(year: year, month: 1, day: 1), calendar: calendar)
            .date(startTime / 3600)
        let degrees = 180 / Double.pi
        func field(_ name: String, _ dims: [String], _ shape: [Int], _ attributes: [Attribute]) -> Variable {
            Variable(name: name, dimensions: dims, shape: shape, dataType: .float32, attributes: attributes)
        }
        let mid = model.geometry.referenceMidPressures().map { $0 / 100 }
        let variables = [
            Variable(name: "time", dimensions: ["time"], shape: [nt],
                     attributes: [Attribute("standard_name", .text("time")), Attribute("units", .text("hours since \(origin)")),
                                  Attribute("calendar", .text(calendar.rawValue)), Attribute("axis", .text("T"))],
                     data: .float64(times.map { $0 + startTime / 3600 })),
            Variable(name: "level", dimensions: ["level"], shape: [L],
                     attributes: [Attribute("long_name", .text("layer mid pressure at 1013.25 hPa surface pressure (label)")),
                                  Attribute("units", .text("hPa")), Attribute("positive", .text("down"))],
                     data: .float64(mid)),
            Variable(name: "lat", dimensions: ["lat"], shape: [nlat],
                     attributes: [Attribute("standard_name", .text("latitude")), Attribute("units", .text("degrees_north")),
                                  Attribute("axis", .text("Y"))],
                     data: .float64((0..<nlat).map { grid.centreLatitude(row: $0) * degrees })),
            Variable(name: "lon", dimensions: ["lon"], shape: [nlon],
                     attributes: [Attribute("standard_name", .text("longitude")), Attribute("units", .text("degrees_east")),
                                  Attribute("axis", .text("X"))],
                     data: .float64((0..<nlon).map { grid.centreLongitude(column: $0) * degrees })),
            field("co2massmix", ["time", "level", "lat", "lon"], [nt, L, nlat, nlon],
                  [Attribute("standard_name", .text("mass_fraction_of_carbon_dioxide_in_air")),
                   Attribute("long_name", .text("CO2 mass mixing ratio")), Attribute("units", .text("1e-6 kg kg-1"))]),
            field("airmass", ["time", "level", "lat", "lon"], [nt, L, nlat, nlon],
                  [Attribute("long_name", .text("air mass per cell")), Attribute("units", .text("Pg"))]),
            field("surface_pressure", ["time", "lat", "lon"], [nt, nlat, nlon],
                  [Attribute("standard_name", .text("surface_air_pressure")),
                   Attribute("long_name", .text("surface pressure of the transport (files, shifted to conserve global air mass)")),
                   Attribute("units", .text("Pa"))]),
        ]
        let attributes = [
            Attribute("title", .text("Plume reference transport driven by meteorology files")),
            Attribute("levels", .text(model.geometry.levels.name)),
            Attribute("transport_time_step_seconds", .doubles([timeStep])),
            Attribute("initial_co2", .text(initialMixingRatio == nil ? "\(initialPPM) ppm everywhere" : "given field")),
            Attribute("plume_model", .text(label)),
            Attribute("plume_init_time", .text("\(initTime)")),
            Attribute("mass_fluxes", .text("TM5-style: layer-mean u, v times layer thickness at faces, balanced against the surface-pressure tendency (potential-flow correction), vertical fluxes from continuity")),
        ]
        return Dataset(dimensions: [PlumeIO.Dimension(name: "time", length: nt), PlumeIO.Dimension(name: "level", length: L),
                                    PlumeIO.Dimension(name: "lat", length: nlat), PlumeIO.Dimension(name: "lon", length: nlon)],
                       variables: variables, attributes: attributes)
    }
}
