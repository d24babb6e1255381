import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
import PlumePhysics
import PlumeRegrid
import Testing
import PlumeIngest

/// Driving meteorology from files (`TransportMeteorologyFiles`): analytic netCDF on pressure
/// and model levels (layer means against exact integrals), the real cfgrib sample with u and
/// v on different pressure levels (against grib_get_data and a separate quadrature), a GRIB
/// twin written by Plume's GRIB writer, and bad input.
@Suite("Transport meteorology from files")
struct TransportMeteorologyTests {
    // MARK: Analytic fixture

    /// 6 × 8 transport grid (30° × 45°), columns centred at 22.5° + 45°·i.
    static func grid() throws -> TransportGrid { try TransportGrid(latitudeCount: 6, longitudeCount: 8) }

    /// Six target layers, surface first, with a zero-pressure top (above the top input level).
    static func layers() throws -> HybridLevels {
        try HybridLevels(name: "test-6", a: [0, 0, 3000, 8000, 10000, 5000, 0], b: [1, 0.9, 0.6, 0.3, 0.1, 0.02, 0])
    }

    /// The file's grid: the transport grid with rows north to south and longitudes from −157.5°.
    static let fileLatitudes: [Double] = [75, 45, 15, -15, -45, -75]
    static let fileLongitudes: [Double] = (0..<8).map { -157.5 + 45 * Double($0) }
    static let uLevelsHPa: [Double] = [1000, 925, 850, 700, 500, 300, 200, 100, 50, 10]
    static let vLevelsHPa: [Double] = [1000, 850, 500, 200, 10]
    /// Wind valid times, hours since 2019-12-31 00 UTC (the last in 2020).
    static let windHours: [Double] = [6, 18, 30]
    static let radian = Double.pi / 180

    /// Surface pressure, Pa, at `hours` since 2019-12-31 00 UTC.
    static func surfacePressure(hours: Double, lat: Double, lon: Double) -> Double {
        98_000 + 3_000 * sin(lat * radian) * cos(lon * radian) + 50 * hours
    }

    /// u = α + β·p (p in Pa).
    static func uCoefficients(hours: Double, lat: Double, lon: Double) -> (alpha: Double, beta: Double) {
        (5 + 10 * cos(lat * radian) + 2 * sin(lon * radian) + hours / 10, 1e-4 * (1.5 + sin(lon * radian)))
    }

    /// v = γ + c·p² (p in Pa).
    static func vCoefficients(hours: Double, lat: Double, lon: Double) -> (gamma: Double, c: Double) {
        (-3 + sin(lat * radian) - hours / 20, 1e-9 * (1 + 0.5 * cos(lon * radian)))
    }

    /// ∫ g(clamp(p, pmin, pmax)) dp over [lo, hi] / (hi − lo), with `integral(a, b)` = ∫_a^b g.
    static func clampedMean(lo: Double, hi: Double, pmin: Double, pmax: Double,
                            value: (Double) -> Double, integral: (Double, Double) -> Double) -> Double {
        var total = 0.0
        let belowEnd = min(hi, pmin)
        if belowEnd > lo { total += (belowEnd - lo) * value(pmin) }
        let a = max(lo, pmin), b = min(hi, pmax)
        if b > a { total += integral(a, b) }
        let aboveStart = max(lo, pmax)
        if hi > aboveStart { total += (hi - aboveStart) * value(pmax) }
        return total / (hi - lo)
    }

    /// Largest input-level spacing overlapping [lo, hi] (0 when the layer lies outside the levels).
    static func largestSpacing(_ p: [Double], lo: Double, hi: Double) -> Double {
        var h = 0.0
        for l in 0..<(p.count - 1) where p[l + 1] > lo && p[l] < hi { h = max(h, p[l + 1] - p[l]) }
        return h
    }

    static func coordinateVariables(time: (name: String, units: String, values: [Double])) -> [Variable] {
        [Variable(name: time.name, dimensions: [time.name], shape: [time.values.count],
                  attributes: [Attribute("units", .text(time.units)), Attribute("calendar", .text("standard")),
                               Attribute("standard_name", .text("time"))], data: .float64(time.values)),
         Variable(name: "latitude", dimensions: ["latitude"], shape: [6],
                  attributes: [Attribute("units", .text("degrees_north"))], data: .float64(fileLatitudes)),
         Variable(name: "longitude", dimensions: ["longitude"], shape: [8],
                  attributes: [Attribute("units", .text("degrees_east"))], data: .float64(fileLongitudes))]
    }

    /// A field [time, level, lat, lon] on the file grid from `f(hours, level, lat, lon)`.
    static func field(hours: [Double], levels: Int, _ f: (Double, Int, Double, Double) -> Double) -> [Double] {
        var out: [Double] = []
        for h in hours { for l in 0..<levels { for lat in fileLatitudes { for lon in fileLongitudes { out.append(f(h, l, lat, lon)) } } } }
        return out
    }

    /// Winds on pressure levels (u and v on different level sets, stored 1000 → 10 hPa) in one
    /// file with times "hours since 2019-12-30 18:00"; surface pressure in another with
    /// "seconds since 2019-12-31", every 6 h from 0 to 36 h.
    static func writePressureLevelFiles(in folder: TemporaryMetFolder) throws -> [String] {
        let windTimes = windHours.map { $0 + 6 }
        let wind = Dataset(
            dimensions: [Dimension(name: "time", length: 3), Dimension(name: "level", length: uLevelsHPa.count),
                         Dimension(name: "plev_v", length: vLevelsHPa.count), Dimension(name: "latitude", length: 6),
                         Dimension(name: "longitude", length: 8)],
            variables: coordinateVariables(time: ("time", "hours since 2019-12-30 18:00:00", windTimes)) + [
                Variable(name: "level", dimensions: ["level"], shape: [uLevelsHPa.count],
                         attributes: [Attribute("units", .text("millibars"))], data: .float64(uLevelsHPa)),
                Variable(name: "plev_v", dimensions: ["plev_v"], shape: [vLevelsHPa.count],
                         attributes: [Attribute("units", .text("Pa")), Attribute("standard_name", .text("air_pressure"))],
                         data: .float64(vLevelsHPa.map { $0 * 100 })),
                Variable(name: "u", dimensions: ["time", "level", "latitude", "longitude"], shape: [3, uLevelsHPa.count, 6, 8],
                         attributes: [Attribute("units", .text("m s**-1"))],
                         data: .float64(field(hours: windHours, levels: uLevelsHPa.count) { h, l, lat, lon in
                             let c = uCoefficients(hours: h, lat: lat, lon: lon)
                             return c.alpha + c.beta * uLevelsHPa[l] * 100
                         })),
                Variable(name: "northward", dimensions: ["time", "plev_v", "latitude", "longitude"], shape: [3, vLevelsHPa.count, 6, 8],
                         attributes: [Attribute("units", .text("m s-1")), Attribute("standard_name", .text("northward_wind"))],
                         data: .float64(field(hours: windHours, levels: vLevelsHPa.count) { h, l, lat, lon in
                             let c = vCoefficients(hours: h, lat: lat, lon: lon)
                             let p = vLevelsHPa[l] * 100
                             return c.gamma + c.c * p * p
                         })),
            ])
        let spHours = stride(from: 0.0, through: 36, by: 6).map { $0 }
        let surface = Dataset(
            dimensions: [Dimension(name: "valid_time", length: spHours.count), Dimension(name: "latitude", length: 6),
                         Dimension(name: "longitude", length: 8)],
            variables: coordinateVariables(time: ("valid_time", "seconds since 2019-12-31", spHours.map { $0 * 3600 })) + [
                Variable(name: "surface_pressure", dimensions: ["valid_time", "latitude", "longitude"], shape: [spHours.count, 6, 8],
                         attributes: [Attribute("units", .text("hPa"))],
                         data: .float64(field(hours: spHours, levels: 1) { h, _, lat, lon in surfacePressure(hours: h, lat: lat, lon: lon) / 100 })),
            ])
        let paths = [folder.file("winds.nc"), folder.file("surface.nc")]
        try NetCDFWriter(deflateLevel: 0).write(wind, to: paths[0])
        try NetCDFWriter(deflateLevel: 0).write(surface, to: paths[1])
        return paths
    }

    /// Checks every record of a source built from the analytic fields whose input levels at
    /// surface pressure p_s are `uLevels(p_s)` and `vLevels(p_s)` (Pa, increasing).
    static func checkAnalytic(_ source: TransportMeteorologyFiles, uLevels: (Double) -> [Double], vLevels: (Double) -> [Double],
                              surfaceTolerance: Double = 1e-9, windTolerance: Double = 1e-11) throws {
        let grid = source.grid, layers = source.levels
        #expect(source.startYear == 2019)
        #expect(source.recordTimes == windHours.map { 364 * 86_400 + $0 * 3600 })
        #expect(source.date(ofRecord: 2) == CFDate(year: 2020, month: 1, day: 1, hour: 6))
        var worstU = 0.0, worstVExcess = 0.0, largestVError = 0.0
        for (r, hours) in windHours.enumerated() {
            let record = try source.record(at: r)
            #expect(record.surfacePressure.count == grid.cellCount)
            #expect(record.eastwardWind.count == layers.count * grid.cellCount)
            for j in 0..<grid.latitudeCount {
                for i in 0..<grid.longitudeCount {
                    let c = j * grid.longitudeCount + i
                    let lat = grid.centreLatitude(row: j) / radian, lon = grid.centreLongitude(column: i) / radian
                    let ps = surfacePressure(hours: hours, lat: lat, lon: lon)
                    #expect(abs(record.surfacePressure[c] - ps) <= surfaceTolerance * ps, "sp at cell \(c): \(record.surfacePressure[c]) vs \(ps)")
                    let interfaces = layers.interfacePressures(surfacePressure: ps)
                    let uc = uCoefficients(hours: hours, lat: lat, lon: lon), vc = vCoefficients(hours: hours, lat: lat, lon: lon)
                    let pu = uLevels(ps), pv = vLevels(ps)
                    for k in 0..<layers.count {
                        let lo = interfaces[k + 1], hi = interfaces[k]
                        let expectedU = clampedMean(lo: lo, hi: hi, pmin: pu[0], pmax: pu[pu.count - 1],
                                                    value: { uc.alpha + uc.beta * $0 },
                                                    integral: { a, b in uc.alpha * (b - a) + uc.beta * (b * b - a * a) / 2 })
                        let gotU = record.eastwardWind[k * grid.cellCount + c]
                        worstU = max(worstU, abs(gotU - expectedU))
                        #expect(abs(gotU - expectedU) <= windTolerance * max(1, abs(expectedU)), "u layer \(k) cell \(c): \(gotU) vs \(expectedU)")

                        let expectedV = clampedMean(lo: lo, hi: hi, pmin: pv[0], pmax: pv[pv.count - 1],
                                                    value: { vc.gamma + vc.c * $0 * $0 },
                                                    integral: { a, b in vc.gamma * (b - a) + vc.c * (b * b * b - a * a * a) / 3 })
                        let gotV = record.northwardWind[k * grid.cellCount + c]
                        // Linear interpolation of the convex c·p² lies above it by at most c·h²/4.
                        let h = largestSpacing(pv, lo: lo, hi: hi)
                        let bound = vc.c * h * h / 4
                        let error = gotV - expectedV
                        largestVError = max(largestVError, error)
                        worstVExcess = max(worstVExcess, max(-error, error - bound))
                        #expect(error >= -windTolerance * 100 && error <= bound + windTolerance * 100, "v layer \(k) cell \(c): \(gotV) vs \(expectedV), bound \(bound)")
                    }
                }
            }
        }
        print("analytic: worst |Δu| \(worstU) m/s; largest v interpolation error \(largestVError) m/s, worst excess over bound \(worstVExcess)")
        #expect(largestVError > 1e-3, "the quadratic profile should show its interpolation error")
    }

    // MARK: 1. Pressure levels

    @Test("netCDF on pressure levels (u, v on different levels, sp in another file): exact layer means, times, sp")
    func analyticPressureLevels() throws {
        let folder = try TemporaryMetFolder()
        defer { folder.remove() }
        let paths = try Self.writePressureLevelFiles(in: folder)
        let source = try TransportMeteorologyFiles(paths: paths.reversed(), grid: Self.grid(), levels: Self.layers())
        #expect(source.recordTimes.count == 3)
        #expect(source.constantSurfacePressure == nil)
        try Self.checkAnalytic(source, uLevels: { _ in Self.uLevelsHPa.reversed().map { $0 * 100 } },
                               vLevels: { _ in Self.vLevelsHPa.reversed().map { $0 * 100 } })
    }

    // MARK: 2. Model levels

    /// Eight model levels, half-level coefficients top first.
    static let halfA: [Double] = [0, 2000, 5000, 9000, 12000, 10000, 6000, 2000, 0]
    static let halfB: [Double] = [0, 0, 0, 0.05, 0.15, 0.35, 0.6, 0.85, 1]

    static func fullLevelPressures(_ ps: Double) -> [Double] {
        (1...8).map { n in 0.5 * (halfA[n - 1] + halfB[n - 1] * ps + halfA[n] + halfB[n] * ps) }
    }

    enum ModelLevelStyle: String, CaseIterable, CustomTestStringConvertible {
        /// ERA5/cdo style: hyai/hybi on nhyi, lev = 1…8, surface pressure `sp`.
        case halfLevelVariables
        /// CF: formula_terms "a: a b: b p0: p0 ps: aps" with full-level a (dimensionless), b.
        case formulaTerms
        var testDescription: String { rawValue }
    }

    static func writeModelLevelFile(_ style: ModelLevelStyle, to path: String) throws {
        let n = 8
        let hours = windHours
        var level = Variable(name: "lev", dimensions: ["lev"], shape: [n],
                             attributes: [Attribute("standard_name", .text("atmosphere_hybrid_sigma_pressure_coordinate")),
                                          Attribute("units", .text("1")), Attribute("positive", .text("down"))],
                             data: .float64((1...n).map(Double.init)))
        var dims = [Dimension(name: "time", length: 3), Dimension(name: "lev", length: n),
                    Dimension(name: "latitude", length: 6), Dimension(name: "longitude", length: 8)]
        var extra: [Variable] = []
        let psName: String
        switch style {
        case .halfLevelVariables:
            dims.append(Dimension(name: "nhyi", length: n + 1))
            extra = [Variable(name: "hyai", dimensions: ["nhyi"], shape: [n + 1], attributes: [Attribute("units", .text("Pa"))], data: .float64(halfA)),
                     Variable(name: "hybi", dimensions: ["nhyi"], shape: [n + 1], attributes: [Attribute("units", .text("1"))], data: .float64(halfB))]
            psName = "sp"
        case .formulaTerms:
            level.attributes.append(Attribute("formula_terms", .text("a: a b: b p0: p0 ps: aps")))
            let p0 = 100_000.0
            extra = [Variable(name: "a", dimensions: ["lev"], shape: [n], attributes: [Attribute("units", .text("1"))],
                              data: .float64((1...n).map { 0.5 * (halfA[$0 - 1] + halfA[$0]) / p0 })),
                     Variable(name: "b", dimensions: ["lev"], shape: [n], data: .float64((1...n).map { 0.5 * (halfB[$0 - 1] + halfB[$0]) })),
                     Variable(name: "p0", dimensions: [], shape: [], attributes: [Attribute("units", .text("Pa"))], data: .float64([p0]))]
            psName = "aps"
        }
        func profile(_ h: Double, _ l: Int, _ lat: Double, _ lon: Double, _ f: (Double) -> Double) -> Double {
            f(fullLevelPressures(surfacePressure(hours: h, lat: lat, lon: lon))[l])
        }
        let dataset = Dataset(
            dimensions: dims,
            variables: coordinateVariables(time: ("time", "days since 2019-12-31", hours.map { $0 / 24 })) + [level] + extra + [
                Variable(name: "u", dimensions: ["time", "lev", "latitude", "longitude"], shape: [3, n, 6, 8],
                         data: .float64(field(hours: hours, levels: n) { h, l, lat, lon in
                             let c = uCoefficients(hours: h, lat: lat, lon: lon)
                             return profile(h, l, lat, lon) { c.alpha + c.beta * $0 }
                         })),
                Variable(name: "v", dimensions: ["time", "lev", "latitude", "longitude"], shape: [3, n, 6, 8],
                         data: .float64(field(hours: hours, levels: n) { h, l, lat, lon in
                             let c = vCoefficients(hours: h, lat: lat, lon: lon)
                             return profile(h, l, lat, lon) { c.gamma + c.c * $0 * $0 }
                         })),
                Variable(name: psName, dimensions: ["time", "latitude", "longitude"], shape: [3, 6, 8],
                         attributes: [Attribute("units", .text("Pa"))],
                         data: .float64(field(hours: hours, levels: 1) { h, _, lat, lon in surfacePressure(hours: h, lat: lat, lon: lon) })),
            ])
        try NetCDFWriter(deflateLevel: 0).write(dataset, to: path)
    }

    @Test("netCDF on model levels: exact layer means with full levels at the column's p_s", arguments: ModelLevelStyle.allCases)
    func analyticModelLevels(_ style: ModelLevelStyle) throws {
        let folder = try TemporaryMetFolder()
        defer { folder.remove() }
        let path = folder.file("ml.nc")
        try Self.writeModelLevelFile(style, to: path)
        let source = try TransportMeteorologyFiles(paths: [path], grid: Self.grid(), levels: Self.layers())
        try Self.checkAnalytic(source, uLevels: Self.fullLevelPressures, vLevels: Self.fullLevelPressures)
    }

    // MARK: 3. Real data

    @Test("uv_on_different_levels.grib on a 5° grid: 2 records 6 h apart, layer means as grib_get_data + a separate quadrature")
    func realSample() throws {
        let path = try MetSampleData.path("uv_on_different_levels.grib")
        // Columns centred at 0°, 5°, …: they coincide with the file's; rows are 5° bands between
        // the file's 37 rows (pole points), so each transport cell takes two half rows.
        let grid = try TransportGrid(latitudeCount: 36, longitudeCount: 72, firstWestEdgeDegrees: -2.5)
        let layers = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let source = try TransportMeteorologyFiles(paths: [path], grid: grid, levels: layers, surfacePressureWhenAbsent: 100_000)
        #expect(source.recordTimes.count == 2)
        #expect(source.startYear == 2017)
        // 2017-10-18 12 UTC + 6 h: day 290 of the year (from 0) at 18 UTC.
        let expectedTimes: [Double] = [290 * 86_400 + 18 * 3600, 291 * 86_400]
        #expect(source.recordTimes == expectedTimes)
        #expect(source.recordTimes[1] - source.recordTimes[0] == 6 * 3600)
        #expect(source.constantSurfacePressure == 100_000)

        let interfaces = layers.interfacePressures(surfacePressure: 100_000)
        // Transport row j = 26 spans 40…45°N; the file's rows at 40° (37.5…42.5) and 45° (42.5…47.5) share it.
        let j = 26, i = 10, column = 50.0
        let s = { (deg: Double) in sin(deg * Self.radian) }
        let w40 = (s(42.5) - s(40)) / (s(45) - s(40)), w45 = (s(45) - s(42.5)) / (s(45) - s(40))
        for (r, step) in [6, 12].enumerated() {
            let record = try source.record(at: r)
            #expect(record.surfacePressure.allSatisfy { $0 == 100_000 })
            for (name, levelsHPa, values) in [("u", [400.0, 500, 700, 850, 1000], record.eastwardWind),
                                               ("v", [500.0, 700, 1000], record.northwardWind)] {
                var profile: [Double] = []
                for level in levelsHPa {
                    let points = try GribGetData.values(path, "shortName=\(name),level=\(Int(level)),step=\(step)")
                    let a = try #require(points[GribGetData.Point(40, column)]), b = try #require(points[GribGetData.Point(45, column)])
                    profile.append(w40 * a + w45 * b)
                }
                let pressures = levelsHPa.map { $0 * 100 }
                for k in 0..<layers.count {
                    let expected = Self.quadratureMean(pressures, profile, lo: interfaces[k + 1], hi: interfaces[k])
                    let got = values[k * grid.cellCount + j * grid.longitudeCount + i]
                    #expect(abs(got - expected) < 2e-4, "\(name) step \(step) layer \(k): \(got) vs \(expected)")
                    if k == 0 || k == 9 { print("real \(name) +\(step) h layer \(k): \(got) m/s (independent \(expected))") }
                }
            }
            // Everything finite and plausible.
            #expect(record.eastwardWind.allSatisfy { $0.isFinite && abs($0) < 150 })
            #expect(record.northwardWind.allSatisfy { $0.isFinite && abs($0) < 150 })
        }
    }

    /// Mean over [lo, hi] of the profile (linear between `p`, constant beyond), by a
    /// 20 000-point midpoint rule — a different route from the exact piecewise integral.
    static func quadratureMean(_ p: [Double], _ u: [Double], lo: Double, hi: Double) -> Double {
        let steps = 20_000
        let dp = (hi - lo) / Double(steps)
        var sum = 0.0
        for s in 0..<steps {
            let x = lo + (Double(s) + 0.5) * dp
            let value: Double
            if x <= p[0] {
                value = u[0]
            } else if x >= p[p.count - 1] {
                value = u[u.count - 1]
            } else {
                let l = (0..<(p.count - 1)).first { p[$0 + 1] >= x } ?? 0
                value = u[l] + (u[l + 1] - u[l]) * (x - p[l]) / (p[l + 1] - p[l])
            }
            sum += value
        }
        return sum / Double(steps)
    }

    // MARK: GRIB model levels

    enum GRIBEdition: Int, CaseIterable, CustomTestStringConvertible {
        case one = 1, two = 2
        var testDescription: String { "GRIB \(rawValue)" }
    }

    /// Runs an ecCodes tool.
    static func ecCodes(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GribGetData.Failed(description: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }

    /// pv of the first message as `grib_dump -j` prints it.
    static func dumpedPV(_ path: String) throws -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["grib_dump", "-j", "-w", "count=1", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = ((try? out.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())
        process.waitUntilExit()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let messages = try #require(json["messages"] as? [[[String: Any]]])
        let pv = try #require(messages.first?.first { $0["key"] as? String == "pv" }?["value"] as? [Double])
        return pv
    }

    /// u and v (relabelled temperature of the cfgrib samples) on hybrid levels: GRIB 2 at model
    /// levels 1, 51, 101 of 137 (N80), GRIB 1 at levels 1 and 60 of 91 (N32, level 60 set to
    /// 250). Layer means at a few cells against grib_get_data values, pv from grib_dump,
    /// PlumeRegrid's conservative weights and the separate quadrature.
    @Test("GRIB hybrid levels with pv (GRIB 1 GDS, GRIB 2 section 4) on a Gaussian grid", arguments: GRIBEdition.allCases)
    func gribModelLevels(_ edition: GRIBEdition) throws {
        let folder = try TemporaryMetFolder()
        defer { folder.remove() }
        let base: String
        let n: Int
        let modelLevels: [Int]
        switch edition {
        case .two:
            base = try MetSampleData.path("regular_gg_ml_g2.grib")
            n = 80
            modelLevels = [1, 51, 101]
        case .one:
            let t1 = folder.file("t1.grib"), t60 = folder.file("t60.grib")
            try Self.ecCodes("grib_set", ["-s", "edition=1", try MetSampleData.path("regular_gg_ml.grib"), t1])
            try Self.ecCodes("grib_set", ["-s", "level=60", "-d", "250", t1, t60])
            base = folder.file("t.grib")
            try (try Data(contentsOf: URL(fileURLWithPath: t1)) + Data(contentsOf: URL(fileURLWithPath: t60))).write(to: URL(fileURLWithPath: base))
            n = 32
            modelLevels = [1, 60]
        }
        let u = folder.file("u.grib"), v = folder.file("v.grib")
        try Self.ecCodes("grib_set", ["-s", "shortName=u", base, u])
        try Self.ecCodes("grib_set", ["-s", "shortName=v", base, v])
        let grid = try Self.grid()
        let layers = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let source = try TransportMeteorologyFiles(paths: [u, v], grid: grid, levels: layers, surfacePressureWhenAbsent: 100_000)
        #expect(source.recordTimes.count == 1)
        let record = try source.record(at: 0)
        #expect(record.eastwardWind == record.northwardWind)

        // Independent: full-level pressures from grib_dump's pv, values from grib_get_data.
        let pv = try Self.dumpedPV(u)
        let half = pv.count / 2
        #expect(half == (edition == .two ? 138 : 92))
        let pressures = modelLevels.map { level in
            0.5 * (pv[level - 1] + pv[half + level - 1] * 100_000 + pv[level] + pv[half + level] * 100_000)
        }
        let gaussian = try GaussianGrid(name: "n\(n)", n: n)
        let centres = gaussian.centres()
        var fields: [Double] = []
        for level in modelLevels {
            let values = try GribGetData.values(u, "level=\(level)")
            #expect(values.count == gaussian.cellCount)
            for c in centres { fields.append(try #require(values[GribGetData.Point(c.latitude, c.longitude)])) }
        }
        let target = try RegularLatLonGrid(name: "t", firstLatitude: -75, latitudeStep: 30, latitudeCount: 6,
                                           firstLongitude: 22.5, longitudeStep: 45, longitudeCount: 8)
        let remapped = try Remapper(ConservativeWeights.make(from: gaussian, to: target)).apply(fields: fields, count: modelLevels.count)
        let interfaces = layers.interfacePressures(surfacePressure: 100_000)
        var worst = 0.0
        for cell in [0, 13, 27, 47] {
            let profile = modelLevels.indices.map { remapped[$0 * target.cellCount + cell] }
            for k in 0..<layers.count {
                let expected = Self.quadratureMean(pressures, profile, lo: interfaces[k + 1], hi: interfaces[k])
                let got = record.eastwardWind[k * grid.cellCount + cell]
                worst = max(worst, abs(got - expected))
                #expect(abs(got - expected) < 1e-4 * abs(expected), "cell \(cell) layer \(k): \(got) vs \(expected)")
            }
        }
        // The profile is not constant: the layers differ.
        #expect(Set(record.eastwardWind[0..<grid.cellCount].map { $0 }).count > 1)
        #expect(abs(record.eastwardWind[0] - record.eastwardWind[9 * grid.cellCount]) > 1)
        print("\(edition): levels \(modelLevels) at \(pressures.map { Int($0) }) Pa; worst difference \(worst)")
    }

    // MARK: GRIB twin

    @Test("GRIB twin of the pressure-level netCDF (Plume's GRIB writer, 32-bit packing): the same records to float32")
    func gribTwin() throws {
        let folder = try TemporaryMetFolder()
        defer { folder.remove() }
        let netCDF = try Self.writePressureLevelFiles(in: folder)
        let gribPath = folder.file("twin.grib2")
        let outputGrid = GRIBOutputGrid.regularLatLon(latitudes: Self.fileLatitudes, longitudes: Self.fileLongitudes)
        let start = CFDate(year: 2019, month: 12, day: 31)
        func plane(_ f: (Double, Double) -> Double) -> [Double] {
            Self.fileLatitudes.flatMap { lat in Self.fileLongitudes.map { lon in f(lat, lon) } }
        }
        try GRIBWriter.write(to: gribPath, packing: .simple(bitsPerValue: 32)) { sink in
            for hours in Self.windHours {
                for level in Self.uLevelsHPa {
                    try sink.append(GRIBOutputField(parameter: .shortName("u"), level: .isobaricInhPa(level), referenceTime: start,
                                                    stepHours: hours, grid: outputGrid, values: plane { lat, lon in
                                                        let c = Self.uCoefficients(hours: hours, lat: lat, lon: lon)
                                                        return c.alpha + c.beta * level * 100
                                                    }))
                }
                for level in Self.vLevelsHPa {
                    try sink.append(GRIBOutputField(parameter: .shortName("v"), level: .isobaricInhPa(level), referenceTime: start,
                                                    stepHours: hours, grid: outputGrid, values: plane { lat, lon in
                                                        let c = Self.vCoefficients(hours: hours, lat: lat, lon: lon)
                                                        return c.gamma + c.c * level * level * 1e4
                                                    }))
                }
                try sink.append(GRIBOutputField(parameter: .shortName("sp"), level: .surface, referenceTime: start, stepHours: hours,
                                                grid: outputGrid, values: plane { Self.surfacePressure(hours: hours, lat: $0, lon: $1) }))
            }
        }
        let grid = try Self.grid(), layers = try Self.layers()
        let fromGRIB = try TransportMeteorologyFiles(paths: [gribPath], grid: grid, levels: layers)
        let fromNetCDF = try TransportMeteorologyFiles(paths: netCDF, grid: grid, levels: layers)
        #expect(fromGRIB.recordTimes == fromNetCDF.recordTimes)
        #expect(fromGRIB.calendar == .proleptic_gregorian)
        var worst = 0.0
        for r in 0..<3 {
            let a = try fromGRIB.record(at: r), b = try fromNetCDF.record(at: r)
            #expect(a.time == b.time)
            // GRIB values come back as float32: within one float32 rounding of the netCDF float64 ones.
            for (x, y) in zip(a.surfacePressure, b.surfacePressure) { #expect(abs(x - y) <= 0.6 * Double(Float.ulpOfOne) * y) }
            for (x, y) in zip(a.eastwardWind + a.northwardWind, b.eastwardWind + b.northwardWind) {
                worst = max(worst, abs(x - y))
                #expect(abs(x - y) < 1e-6 * max(1, abs(y)))
            }
        }
        print("GRIB twin: largest wind difference \(worst) m/s")
        // And the analytic check straight on the GRIB records.
        try Self.checkAnalytic(fromGRIB, uLevels: { _ in Self.uLevelsHPa.reversed().map { $0 * 100 } },
                               vLevels: { _ in Self.vLevelsHPa.reversed().map { $0 * 100 } },
                               surfaceTolerance: 1e-7, windTolerance: 1e-6)
    }

    // MARK: 4. Bad input

    enum BadInput: String, CaseIterable, CustomTestStringConvertible {
        case missingV, surfacePressureAbsent, notMeteorology, textFile, surfacePressureTimesShort, nanInField
        case windsOnDifferentGrids, modelLevelsWithoutCoefficients, nonMonotoneLevels, duplicateTimes
        var testDescription: String { rawValue }
    }

    /// Writes a small netCDF file with the given variables on the fixture grid at `hours`.
    static func writeSimple(_ path: String, hours: [Double] = [6], levels: [Double]? = [1000, 500],
                            variables: [(name: String, value: Double)], latitudes: [Double] = fileLatitudes,
                            levelAttributes: [Attribute] = [Attribute("units", .text("hPa"))], extra: [Variable] = []) throws {
        var dims = [Dimension(name: "time", length: hours.count), Dimension(name: "latitude", length: latitudes.count),
                    Dimension(name: "longitude", length: 8)]
        var vars: [Variable] = [
            Variable(name: "time", dimensions: ["time"], shape: [hours.count], attributes: [Attribute("units", .text("hours since 2020-01-01"))],
                     data: .float64(hours)),
            Variable(name: "latitude", dimensions: ["latitude"], shape: [latitudes.count], attributes: [Attribute("units", .text("degrees_north"))],
                     data: .float64(latitudes)),
            Variable(name: "longitude", dimensions: ["longitude"], shape: [8], attributes: [Attribute("units", .text("degrees_east"))],
                     data: .float64(fileLongitudes)),
        ]
        if let levels {
            dims.append(Dimension(name: "level", length: levels.count))
            vars.append(Variable(name: "level", dimensions: ["level"], shape: [levels.count], attributes: levelAttributes, data: .float64(levels)))
        }
        for v in variables {
            let surface = v.name == "sp" || levels == nil
            let d = surface ? ["time", "latitude", "longitude"] : ["time", "level", "latitude", "longitude"]
            let shape = surface ? [hours.count, latitudes.count, 8] : [hours.count, levels?.count ?? 1, latitudes.count, 8]
            vars.append(Variable(name: v.name, dimensions: d, shape: shape, data: .float64([Double](repeating: v.value, count: shape.reduce(1, *)))))
        }
        try NetCDFWriter(deflateLevel: 0).write(Dataset(dimensions: dims, variables: vars + extra), to: path)
    }

    @Test("bad input fails with the file, the variable and what was expected", arguments: BadInput.allCases)
    func badInput(_ bad: BadInput) throws {
        let folder = try TemporaryMetFolder()
        defer { folder.remove() }
        let grid = try Self.grid(), layers = try Self.layers()
        let a = folder.file("a.nc"), b = folder.file("b.nc")
        var paths = [a]
        var expected: [String] = []
        var surfaceDefault: Double?
        var failsOnRecord = false
        switch bad {
        case .missingV:
            try Self.writeSimple(a, variables: [("u", 1), ("sp", 1e5)])
            expected = [a, "no northward wind", "v_component_of_wind"]
        case .surfacePressureAbsent:
            paths = [try MetSampleData.path("uv_on_different_levels.grib")]
            expected = [paths[0], "no surface pressure", "surface_air_pressure", "surfacePressureWhenAbsent"]
        case .notMeteorology:
            try Self.writeSimple(a, variables: [("t", 280)])
            expected = [a, "no meteorology found", "eastward wind"]
        case .textFile:
            try Data("not a meteorology file\n".utf8).write(to: URL(fileURLWithPath: folder.file("notes.txt")))
            paths = [folder.file("notes.txt")]
            expected = [paths[0], "expected a GRIB or netCDF file"]
        case .surfacePressureTimesShort:
            try Self.writeSimple(a, hours: [6, 12], variables: [("u", 1), ("v", 2)])
            try Self.writeSimple(b, hours: [6], levels: nil, variables: [("sp", 1e5)])
            paths = [a, b]
            expected = [b, "sp", "no surface pressure at 2020-01-01T12:00:00"]
        case .nanInField:
            try Self.writeSimple(a, variables: [("u", .nan), ("v", 2)])
            surfaceDefault = 1e5
            failsOnRecord = true
            expected = [a, "u", "500 hPa at 2020-01-01T06:00:00", "48 of 48 values are missing or not finite", "expected a complete field"]
        case .windsOnDifferentGrids:
            try Self.writeSimple(a, variables: [("u", 1)])
            try Self.writeSimple(b, variables: [("v", 1)], latitudes: [80, 60, 40, 20, 0, -20, -40, -60, -80])
            paths = [a, b]
            surfaceDefault = 1e5
            expected = ["v", "expected u and v on one grid", "regular lat-lon 9×8"]
        case .modelLevelsWithoutCoefficients:
            try Self.writeSimple(a, levels: [1, 2, 3], variables: [("u", 1), ("v", 1), ("sp", 1e5)],
                                 levelAttributes: [Attribute("standard_name", .text("atmosphere_hybrid_sigma_pressure_coordinate"))])
            expected = [a, "u", "without usable coefficients", "hyai/hybi"]
        case .nonMonotoneLevels:
            try Self.writeSimple(a, levels: [1000, 500, 850], variables: [("u", 1), ("v", 1)])
            surfaceDefault = 1e5
            expected = [a, "u", "not strictly monotone"]
        case .duplicateTimes:
            try Self.writeSimple(a, hours: [6], variables: [("u", 1), ("v", 1)])
            try Self.writeSimple(b, hours: [6], variables: [("u", 1)])
            paths = [a, b]
            surfaceDefault = 1e5
            expected = ["a second u field at 2020-01-01T06:00:00", "expected one field per valid time"]
        }
        do {
            let source = try TransportMeteorologyFiles(paths: paths, grid: grid, levels: layers, surfacePressureWhenAbsent: surfaceDefault)
            #expect(failsOnRecord, "\(bad): the files were accepted")
            _ = try source.record(at: 0)
            Issue.record("\(bad): the record was read")
        } catch {
            let text = "\(error)"
            print("\(bad): \(text)")
            for piece in expected { #expect(text.contains(piece), "\(bad): '\(piece)' missing from: \(text)") }
        }
    }

    // MARK: Layer-mean kernel

    @Test("layer means of u = p on 10⁵ columns × 20 layers from 37 levels: the layers' mid pressures (timed)")
    func kernelScale() throws {
        let cells = 100_000
        let levelsPa = (0..<37).map { 100 + Double($0) * (100_000 - 100) / 36 }
        let ps = (0..<cells).map { 60_000 + 45_000 * Double($0 % 997) / 996 }
        let sigma = (0...20).map { 1 - Double($0) / 20 }
        let layers = try HybridLevels(name: "sigma-20", a: [Double](repeating: 0, count: 21), b: sigma)
        var values = [Double](repeating: 0, count: levelsPa.count * cells)
        for l in levelsPa.indices { for c in 0..<cells { values[l * cells + c] = levelsPa[l] } }
        let start = Date()
        let means = try PressureLayerMeans.layerMeans(values: values, levelA: levelsPa, levelB: [Double](repeating: 0, count: 37),
                                                      surfacePressures: ps, layers: layers)
        let seconds = Date().timeIntervalSince(start)
        print("layer means: \(cells) columns × 20 layers from 37 levels in \(String(format: "%.3f", seconds)) s")
        var worst = 0.0
        for c in Swift.stride(from: 0, to: cells, by: 37) {
            let p = layers.interfacePressures(surfacePressure: ps[c])
            for k in 0..<20 {
                let expected = Self.clampedMean(lo: p[k + 1], hi: p[k], pmin: levelsPa[0], pmax: levelsPa[36], value: { $0 },
                                                integral: { a, b in (b * b - a * a) / 2 })
                worst = max(worst, abs(means[k * cells + c] - expected) / expected)
            }
        }
        #expect(worst < 1e-13)
    }

    @Test("layer means: constant ends, layers inside one segment, exactness for linear profiles, non-monotone levels refused")
    func kernel() throws {
        let layers = try HybridLevels(name: "k", a: [0, 0, 15_000, 0], b: [1, 0.5, 0, 0])
        // Two columns, p_s = 100 000 and 80 000 Pa; levels at 30 000, 60 000, 90 000 Pa.
        let p = [30_000.0, 60_000, 90_000]
        let values: [Double] = [1, 10, 2, 20, 5, 50]  // [level, cell]
        let means = try PressureLayerMeans.layerMeans(values: values, levelA: p, levelB: [0, 0, 0],
                                                      surfacePressures: [100_000, 80_000], layers: layers)
        // Column 0, lowest layer [50 000, 100 000]: trapezoids over [50 000, 60 000] and
        // [60 000, 90 000], then the constant bottom value over [90 000, 100 000].
        let u50: Double = 1 + 20_000.0 / 30_000
        let lowestIntegral0: Double = (u50 + 2) / 2 * 10_000 + 3.5 * 30_000 + 5 * 10_000
        let lowest0 = lowestIntegral0 / 50_000
        #expect(abs(means[0] - lowest0) < 1e-14)
        // Column 1, lowest layer [40 000, 80 000], inside the levels.
        let u40: Double = 10 + 10.0 / 3
        let lowestIntegral1: Double = (u40 + 20) / 2 * 20_000 + 30 * 20_000
        let lowest1 = lowestIntegral1 / 40_000
        #expect(abs(means[1] - lowest1) < 1e-13)
        // Column 0, middle layer [15 000, 50 000]: constant top value above 30 000 Pa.
        let middleIntegral0: Double = 15_000 + (1 + u50) / 2 * 20_000
        let middle0 = middleIntegral0 / 35_000
        #expect(abs(means[2] - middle0) < 1e-14)
        // Top layer [0, 15 000] lies above the first level: the constant top value.
        #expect(means[4] == 1 && means[5] == 10)
        #expect(throws: IngestError.self) {
            try PressureLayerMeans.layerMeans(values: values, levelA: [30_000, 90_000, 60_000], levelB: [0, 0, 0],
                                              surfacePressures: [100_000, 80_000], layers: layers)
        }
    }
}

/// The real sample files (cfgrib's), fetched by the project's script; tests fail, not skip,
/// when they cannot be had.
enum MetSampleData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let folder: String = {
        let folder = ProcessInfo.processInfo.environment["PLUME_SAMPLE_DATA"] ?? packageRoot + "/.cache/sample-data"
        if !FileManager.default.fileExists(atPath: folder + "/uv_on_different_levels.grib") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: packageRoot + "/Scripts/fetch-sample-data.sh")
            process.arguments = [folder]
            try? process.run()
            process.waitUntilExit()
        }
        return folder
    }()

    static func path(_ name: String) throws -> String {
        let p = folder + "/" + name
        guard FileManager.default.fileExists(atPath: p) else {
            Issue.record("sample file \(name) missing from \(folder): run Scripts/fetch-sample-data.sh")
            throw Missing(name: name)
        }
        return p
    }

    struct Missing: Error { var name: String }
}

/// Values of GRIB messages as ecCodes' `grib_get_data` prints them.
enum GribGetData {
    struct Point: Hashable {
        var latitude: Int, longitude: Int  // millidegrees
        init(_ latitude: Double, _ longitude: Double) {
            self.latitude = Int((latitude * 1000).rounded())
            self.longitude = Int((longitude * 1000).rounded())
        }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The values of the one message matching `condition` (`-w` syntax), by point.
    static func values(_ path: String, _ condition: String) throws -> [Point: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["grib_get_data", "-w", condition, path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = ((try? out.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: "grib_get_data -w \(condition) \(path) exited \(process.terminationStatus)") }
        var result: [Point: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ").compactMap { Double($0) }
            guard fields.count == 3 else { continue }
            let point = Point(fields[0], fields[1])
            guard result[point] == nil else { throw Failed(description: "grib_get_data -w \(condition): more than one message") }
            result[point] = fields[2]
        }
        guard !result.isEmpty else { throw Failed(description: "grib_get_data -w \(condition) \(path): no values") }
        return result
    }
}

/// A fresh temporary folder, removed by the caller.
struct TemporaryMetFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "plume-met-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
