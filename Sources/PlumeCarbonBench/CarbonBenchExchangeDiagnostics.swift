import Foundation
import PlumeSupport
import PlumePhysics
import PlumeGrids
import PlumeConservation

/// The realism diagnostics of a CarbonBench-mini run with the SF6-like tracer
/// (`plume generate carbonbench-mini --sf6`), on the native transport grid, 6-hourly from the
/// start of the transport (the transport spin-up years included):
///
/// - the two-box interhemispheric exchange time τ = 2·(M_N − M_S)/E of the
///   `InterhemisphericExchangeTracer` (years), per model year its mean over the year's
///   6-hourly samples and its value at the year's end (or its last sample, 6 h before);
/// - the NH − SH difference of the surface-layer CO2 (area-weighted hemispheric means of the
///   lowest layer, ppm by volume = mass mixing ratio × M_air/M_CO2 × 10⁶), annual mean;
/// - CO2 at the Mauna-Loa-like cell (the native cell containing 19.5°N, 155.6°W) in the
///   lowest layer and in the layer whose mid pressure is nearest 680 hPa (the observatory's
///   altitude, 3.4 km): monthly means (365-day calendar months) and the seasonal amplitude,
///   the largest minus the smallest monthly mean of the year.
///
/// Model year y (1, 2, …) is [365(y − 1), 365y) days since the transport started.
public struct CarbonBenchExchangeDiagnostics: Sendable, Codable, Equatable {
    /// One 6-hourly sample.
    public struct Sample: Sendable, Codable, Equatable {
        /// Days since the transport started.
        public var day: Double
        /// SF6-like tracer mass of the northern / southern hemisphere, kg.
        public var tracerNorth: Double
        public var tracerSouth: Double
        /// Area-weighted mean surface-layer CO2 of each hemisphere, ppm by volume.
        public var surfaceCO2North: Double
        public var surfaceCO2South: Double
        /// CO2 at the Mauna-Loa-like cell, lowest layer and the ~680 hPa layer, ppm by volume.
        public var maunaLoaSurface: Double
        public var maunaLoa680: Double

        public init(day: Double, tracerNorth: Double, tracerSouth: Double, surfaceCO2North: Double, surfaceCO2South: Double,
                    maunaLoaSurface: Double, maunaLoa680: Double) {
            self.day = day
            self.tracerNorth = tracerNorth
            self.tracerSouth = tracerSouth
            self.surfaceCO2North = surfaceCO2North
            self.surfaceCO2South = surfaceCO2South
            self.maunaLoaSurface = maunaLoaSurface
            self.maunaLoa680 = maunaLoa680
        }
    }

    /// One model year's summary.
    public struct Year: Sendable, Codable, Equatable {
        public var year: Int
        /// Mean τ over the year's samples and τ at its end, years (365 days).
        public var exchangeTimeMeanYears: Double
        public var exchangeTimeEndYears: Double
        /// Annual-mean NH − SH surface-layer CO2, ppm.
        public var surfaceNorthMinusSouthPPM: Double
        /// Monthly means at the Mauna-Loa-like cell, ppm (12 values, January first).
        public var maunaLoaSurfaceMonthly: [Double]
        public var maunaLoa680Monthly: [Double]
        /// Largest minus smallest monthly mean, ppm.
        public var maunaLoaSurfaceAmplitude: Double
        public var maunaLoa680Amplitude: Double
    }

    /// Emission rate of the tracer, kg s⁻¹, and its source band, degrees north.
    public var emissionRate: Double
    public var sourceBandDegrees: [Double]
    /// The horizontal eddy diffusion of the run (nil: none).
    public var horizontalDiffusion: HorizontalEddyDiffusion?
    /// The Mauna-Loa-like cell: centre latitude and longitude (degrees), and the mid
    /// pressures of its lowest layer and of the ~680 hPa layer (Pa), with their level indices.
    public var maunaLoaLatitude: Double
    public var maunaLoaLongitude: Double
    public var maunaLoaSurfaceLevel: Int
    public var maunaLoaSurfaceMidPressure: Double
    public var maunaLoa680Level: Int
    public var maunaLoa680MidPressure: Double
    public var samples: [Sample] = []

    /// Empty diagnostics (no samples) with the run's settings.
    public init(emissionRate: Double, sourceBandDegrees: [Double], horizontalDiffusion: HorizontalEddyDiffusion?,
                maunaLoaLatitude: Double, maunaLoaLongitude: Double, maunaLoaSurfaceLevel: Int, maunaLoaSurfaceMidPressure: Double,
                maunaLoa680Level: Int, maunaLoa680MidPressure: Double) {
        self.emissionRate = emissionRate
        self.sourceBandDegrees = sourceBandDegrees
        self.horizontalDiffusion = horizontalDiffusion
        self.maunaLoaLatitude = maunaLoaLatitude
        self.maunaLoaLongitude = maunaLoaLongitude
        self.maunaLoaSurfaceLevel = maunaLoaSurfaceLevel
        self.maunaLoaSurfaceMidPressure = maunaLoaSurfaceMidPressure
        self.maunaLoa680Level = maunaLoa680Level
        self.maunaLoa680MidPressure = maunaLoa680MidPressure
    }

    /// Days of the months of the 365-day calendar.
    public static let monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// The whole model years covered by the samples: a year counts once its last 6-hourly
    /// sample (day 365y − ¼) is there (a run of N recorded days ends there, its last snapshot
    /// being written at day N − ¼).
    public var years: [Year] {
        guard let last = samples.last else { return [] }
        let complete = Int(((last.day + 0.25) / 365 + 1e-9).rounded(.down))
        return (0..<complete).compactMap { year(index: $0) }
    }

    /// Summary of year `index + 1` (samples in [365·index, 365·(index + 1)) days; τ at the end
    /// is the sample at day 365·(index + 1) if there is one, else the year's last sample).
    func year(index: Int) -> Year? {
        let start = 365 * Double(index), end = start + 365
        let inside = samples.filter { $0.day >= start - 1e-9 && $0.day < end - 1e-9 }
        guard !inside.isEmpty, let final = samples.last(where: { abs($0.day - end) < 1e-6 }) ?? inside.last else { return nil }
        let yearSeconds = 365 * 86_400.0
        func tau(_ s: Sample) -> Double {
            InterhemisphericExchangeTracer.exchangeTime(north: s.tracerNorth, south: s.tracerSouth, emissionRate: emissionRate) / yearSeconds
        }
        var monthlySurface: [Double] = [], monthly680: [Double] = []
        var monthStart = start
        for length in Self.monthLengths {
            let monthEnd = monthStart + Double(length)
            let month = inside.filter { $0.day >= monthStart - 1e-9 && $0.day < monthEnd - 1e-9 }
            let count = Double(max(month.count, 1))
            monthlySurface.append(month.reduce(0) { $0 + $1.maunaLoaSurface } / count)
            monthly680.append(month.reduce(0) { $0 + $1.maunaLoa680 } / count)
            monthStart = monthEnd
        }
        let count = Double(inside.count)
        return Year(year: index + 1,
                    exchangeTimeMeanYears: inside.reduce(0) { $0 + tau($1) } / count,
                    exchangeTimeEndYears: tau(final),
                    surfaceNorthMinusSouthPPM: inside.reduce(0) { $0 + $1.surfaceCO2North - $1.surfaceCO2South } / count,
                    maunaLoaSurfaceMonthly: monthlySurface, maunaLoa680Monthly: monthly680,
                    maunaLoaSurfaceAmplitude: (monthlySurface.max() ?? 0) - (monthlySurface.min() ?? 0),
                    maunaLoa680Amplitude: (monthly680.max() ?? 0) - (monthly680.min() ?? 0))
    }

    /// The 6-hourly samples as CSV (header line first).
    public var csv: String {
        var lines = ["day,tracer_north_kg,tracer_south_kg,tau_years,surface_co2_nh_ppm,surface_co2_sh_ppm,mauna_loa_surface_ppm,mauna_loa_680hPa_ppm"]
        for s in samples {
            let tau = InterhemisphericExchangeTracer.exchangeTime(north: s.tracerNorth, south: s.tracerSouth, emissionRate: emissionRate)
                / (365 * 86_400)
            lines.append(String(format: "%.2f,%.9e,%.9e,%.6f,%.6f,%.6f,%.6f,%.6f", s.day, s.tracerNorth, s.tracerSouth,
                                s.tracerNorth > 0 ? tau : 0.0, s.surfaceCO2North, s.surfaceCO2South, s.maunaLoaSurface, s.maunaLoa680))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `<prefix>-exchange.csv` (the samples) and `<prefix>-exchange.json` (settings and
    /// the yearly summaries) into `directory`; returns the two paths.
    public func write(to directory: String, prefix: String) throws -> (csv: String, json: String) {
        let csvPath = (directory as NSString).appendingPathComponent("\(prefix)-exchange.csv")
        let jsonPath = (directory as NSString).appendingPathComponent("\(prefix)-exchange.json")
        try AtomicFile.write(text: csv, to: csvPath)
        struct Summary: Encodable {
            var emissionRateKgPerSecond: Double
            var sourceBandDegreesNorth: [Double]
            var horizontalDiffusion: HorizontalEddyDiffusion?
            var maunaLoaCell: [String: Double]
            var definitions: [String: String]
            var years: [Year]
        }
        let summary = Summary(
            emissionRateKgPerSecond: emissionRate, sourceBandDegreesNorth: sourceBandDegrees, horizontalDiffusion: horizontalDiffusion,
            maunaLoaCell: ["latitude": maunaLoaLatitude, "longitude": maunaLoaLongitude,
                           "surfaceLevel": Double(maunaLoaSurfaceLevel), "surfaceMidPressurePa": maunaLoaSurfaceMidPressure,
                           "level680": Double(maunaLoa680Level), "level680MidPressurePa": maunaLoa680MidPressure],
            definitions: [
                "year": "model year y covers [365(y-1), 365y) days since the transport started (transport spin-up included)",
                "exchangeTime": "tau = 2 (M_N - M_S) / E of the SF6-like tracer, years of 365 days; mean over the year's 6-hourly samples and value at its end",
                "surfaceNorthMinusSouthPPM": "annual mean of the area-weighted NH minus SH mean of the lowest layer's CO2, ppm by volume",
                "maunaLoa": "monthly means (365-day calendar) at the native cell containing 19.5N 155.6W; amplitude = max - min of the monthly means",
            ],
            years: years)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.write(encoder.encode(summary), to: jsonPath)
        return (csvPath, jsonPath)
    }
}

/// Takes the `CarbonBenchExchangeDiagnostics` samples from the transport state.
struct CarbonBenchExchangeRecorder {
    let grid: TransportGrid
    let tracer: Int
    let maunaLoaCell: Int
    var diagnostics: CarbonBenchExchangeDiagnostics

    /// Observatory position, degrees.
    static let maunaLoa = (latitude: 19.5, longitude: -155.6)

    init(geometry: Transport3DGeometry, tracer: Int, exchange: InterhemisphericExchangeTracer,
         diffusion: HorizontalEddyDiffusion?) {
        let grid = geometry.grid
        self.grid = grid
        self.tracer = tracer
        let phi = Self.maunaLoa.latitude * .pi / 180
        let row = (0..<grid.latitudeCount).first { grid.latitudeEdges[$0] <= phi && phi < grid.latitudeEdges[$0 + 1] } ?? 0
        let lambda = Self.maunaLoa.longitude * .pi / 180
        var offset = (lambda - grid.firstWestEdge).truncatingRemainder(dividingBy: 2 * .pi)
        if offset < 0 { offset += 2 * .pi }
        let column = min(Int(offset / grid.longitudeStep), grid.longitudeCount - 1)
        let cell = row * grid.longitudeCount + column
        maunaLoaCell = cell
        let p = geometry.interfacePressures(cell: cell)
        let mids = (0..<geometry.levelCount).map { 0.5 * (p[$0] + p[$0 + 1]) }
        let level680 = mids.indices.min { abs(mids[$0] - 68_000) < abs(mids[$1] - 68_000) } ?? 0
        var longitude = grid.centreLongitude(column: column) * 180 / .pi
        if longitude > 180 { longitude -= 360 }
        diagnostics = CarbonBenchExchangeDiagnostics(
            emissionRate: exchange.emissionRate, sourceBandDegrees: [exchange.southernLatitude, exchange.northernLatitude],
            horizontalDiffusion: diffusion, maunaLoaLatitude: grid.centreLatitude(row: row) * 180 / .pi, maunaLoaLongitude: longitude,
            maunaLoaSurfaceLevel: 0, maunaLoaSurfaceMidPressure: mids[0], maunaLoa680Level: level680,
            maunaLoa680MidPressure: mids[level680])
    }

    /// Records the state at `day` days since the transport started (tracer 0 is CO2, kg kg⁻¹).
    mutating func record(_ state: TracerMassState, day: Double) {
        let n = grid.cellCount, nlon = grid.longitudeCount
        let toPPM = PhysicalConstants.molarMassAir / PhysicalConstants.molarMassCO2 * 1e6
        var north = 0.0, south = 0.0, northArea = 0.0, southArea = 0.0
        for j in 0..<grid.latitudeCount {
            let phi = grid.centreLatitude(row: j), a = grid.rowAreas[j]
            guard phi != 0 else { continue }
            var sum = 0.0
            for i in 0..<nlon {
                let c = j * nlon + i
                sum += state.tracerMass[0][c] / state.airMass[c]
            }
            if phi > 0 { north += sum * a; northArea += a * Double(nlon) } else { south += sum * a; southArea += a * Double(nlon) }
        }
        let masses = InterhemisphericExchangeTracer.hemisphericMasses(state, tracer: tracer, grid: grid)
        let c = maunaLoaCell, c680 = diagnostics.maunaLoa680Level * n + maunaLoaCell
        diagnostics.samples.append(CarbonBenchExchangeDiagnostics.Sample(
            day: day, tracerNorth: masses.north, tracerSouth: masses.south,
            surfaceCO2North: north / northArea * toPPM, surfaceCO2South: south / southArea * toPPM,
            maunaLoaSurface: state.tracerMass[0][c] / state.airMass[c] * toPPM,
            maunaLoa680: state.tracerMass[0][c680] / state.airMass[c680] * toPPM))
    }
}
