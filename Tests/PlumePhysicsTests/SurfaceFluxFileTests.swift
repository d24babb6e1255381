import Foundation
import PlumeIO
import PlumePhysics
import Testing
import PlumeIngest
import PlumeGrids

/// Surface fluxes read from CF netCDF (`SurfaceFluxFile`): round trip of the synthetic
/// fluxes, grids in another order, conservative remapping, units, CF time (calendars,
/// bounds, files split in time or by component) and the errors. Debug-sized: 5.625° and
/// 2.8125° grids, 2 days of 6-hourly records.
@Suite("Surface flux files")
struct SurfaceFluxFileTests {
    static let sixHours = 6 * 3600.0
    static let names = ["co2flux_land", "co2flux_ocean", "co2flux_anthro"]

    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "plume-flux-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The 6-hourly means of the synthetic fluxes over [0, count·6 h).
    static func records(_ flux: SyntheticSurfaceFluxes, count: Int) throws -> [SurfaceFluxFields] {
        try (0..<count).map { n in try flux.meanFluxes(from: Double(n) * sixHours, to: Double(n + 1) * sixHours) }
    }

    /// How a test file is laid out.
    struct Layout {
        var times: [Double]
        var timeUnits = "hours since 2001-01-01 00:00:00"
        var calendar: String?
        /// `[time, 2]` bounds in the time units.
        var bounds: [Double]?
        var units = "kg m-2 s-1"
        /// Rows north to south and longitudes from −180 (else south to north from 0).
        var reordered = false
        /// Which components to write (names from `names`), and under which name.
        var variables: [(component: Int, name: String)] = [(0, "co2flux_land"), (1, "co2flux_ocean"), (2, "co2flux_anthro")]
    }

    /// Writes `records` (on `grid`) as a CF netCDF file.
    static func write(_ records: [SurfaceFluxFields], grid: TransportGrid, layout: Layout, to path: String) throws {
        let nt = records.count, nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let degrees = 180 / Double.pi
        var lat = (0..<nlat).map { grid.centreLatitude(row: $0) * degrees }
        var lon = (0..<nlon).map { grid.centreLongitude(column: $0) * degrees }
        // File cell (j, i) holds grid cell (rowOf(j), columnOf(i)).
        var rowOf = Array(0..<nlat), columnOf = Array(0..<nlon)
        if layout.reordered {
            lat.reverse()
            rowOf.reverse()
            lon = (0..<nlon).map { -180 + (Double($0) + 0.5) * 360 / Double(nlon) }
            columnOf = (0..<nlon).map { ($0 + nlon / 2) % nlon }
        }
        var timeAttributes = [Attribute("standard_name", .text("time")), Attribute("units", .text(layout.timeUnits)),
                              Attribute("axis", .text("T"))]
        if let calendar = layout.calendar { timeAttributes.append(Attribute("calendar", .text(calendar))) }
        if layout.bounds != nil { timeAttributes.append(Attribute("bounds", .text("time_bnds"))) }
        var dimensions = [Dimension(name: "time", length: nt), Dimension(name: "lat", length: nlat), Dimension(name: "lon", length: nlon)]
        var variables = [
            Variable(name: "time", dimensions: ["time"], shape: [nt], attributes: timeAttributes, data: .float64(layout.times)),
            Variable(name: "lat", dimensions: ["lat"], shape: [nlat],
                     attributes: [Attribute("standard_name", .text("latitude")), Attribute("units", .text("degrees_north"))],
                     data: .float64(lat)),
            Variable(name: "lon", dimensions: ["lon"], shape: [nlon],
                     attributes: [Attribute("standard_name", .text("longitude")), Attribute("units", .text("degrees_east"))],
                     data: .float64(lon)),
        ]
        if let bounds = layout.bounds {
            dimensions.append(Dimension(name: "nv", length: 2))
            variables.append(Variable(name: "time_bnds", dimensions: ["time", "nv"], shape: [nt, 2], data: .float64(bounds)))
        }
        for (component, name) in layout.variables {
            var values = [Double]()
            values.reserveCapacity(nt * nlat * nlon)
            for r in records {
                let field = [r.land, r.ocean, r.anthropogenic][component]
                for j in 0..<nlat { for i in 0..<nlon { values.append(field[rowOf[j] * nlon + columnOf[i]]) } }
            }
            variables.append(Variable(name: name, dimensions: ["time", "lat", "lon"], shape: [nt, nlat, nlon],
                                      attributes: [Attribute("long_name", .text(name)), Attribute("units", .text(layout.units))],
                                      data: .float64(values)))
        }
        try NetCDFWriter(deflateLevel: 1).write(Dataset(dimensions: dimensions, variables: variables), to: path)
    }

    /// max |a − b| / max |b| over the three components.
    static func relativeDifference(_ a: SurfaceFluxFields, _ b: SurfaceFluxFields) -> Double {
        var worst = 0.0
        for (x, y) in [(a.land, b.land), (a.ocean, b.ocean), (a.anthropogenic, b.anthropogenic)] {
            let scale = y.reduce(0) { max($0, abs($1)) }
            let d = zip(x, y).reduce(0) { max($0, abs($1.0 - $1.1)) }
            worst = max(worst, scale > 0 ? d / scale : d)
        }
        return worst
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("round trip of 2 days of synthetic 6-hourly means (plain and north-to-south/−180…180 order)", arguments: [false, true])
    func roundTrip(reordered: Bool) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let synthetic = try SyntheticSurfaceFluxes(grid: grid)
        let records = try Self.records(synthetic, count: 8)
        let path = dir + "/fluxes.nc"
        try Self.write(records, grid: grid, layout: Layout(times: (0..<8).map { Double($0) * 6 }, reordered: reordered), to: path)

        let loaded = try SurfaceFluxFile.load(paths: [path], grid: grid)
        #expect(loaded.year == 2001 && loaded.calendar == .standard && loaded.components == .all && !loaded.remapped)
        #expect(loaded.fluxes.start == 0 && loaded.fluxes.interval == Self.sixHours && loaded.fluxes.records.count == 8)
        #expect(loaded.fluxes.records == records)   // a copy, bit for bit
        let h = 3600.0
        for (a, b) in [(0, 6 * h), (0, 48 * h), (6 * h, 30 * h), (18 * h, 42 * h), (12 * h, 36 * h), (42 * h, 48 * h)] {
            let read = try loaded.fluxes.meanFluxes(from: a, to: b), original = try synthetic.meanFluxes(from: a, to: b)
            let difference = Self.relativeDifference(read, original)
            #expect(difference <= 1e-12, "[\(a / h), \(b / h)] h: \(difference)")
            let rate = read.globalRate(grid: grid), expected = original.globalRate(grid: grid)
            #expect(abs(rate - expected) <= 1e-12 * abs(expected), "[\(a / h), \(b / h)] h: \(rate) vs \(expected) kg s⁻¹")
        }
        // Inside a record the flux is its mean.
        #expect(try loaded.fluxes.meanFluxes(from: 7 * h, to: 9 * h) == records[1])
        // Beyond the records (not cyclic).
        #expect(Self.message { _ = try loaded.fluxes.meanFluxes(from: 40 * h, to: 50 * h) } != nil)
    }

    @Test("2.8125° file on the 5.625° grid: conservative, global rate kept to 1e-12", arguments: [false, true])
    func conservativeRemap(reordered: Bool) throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fine = try TransportGrid(latitudeCount: 64, longitudeCount: 128)
        let coarse = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let records = try Self.records(try SyntheticSurfaceFluxes(grid: fine), count: 4)
        let path = dir + "/fine.nc"
        try Self.write(records, grid: fine, layout: Layout(times: (0..<4).map { Double($0) * 6 }, reordered: reordered), to: path)

        let loaded = try SurfaceFluxFile.load(paths: [path], grid: coarse)
        #expect(loaded.remapped && loaded.fluxes.records.count == 4)
        let fineAreas = fine.cellAreas(), coarseAreas = coarse.cellAreas()
        for (n, record) in records.enumerated() {
            let read = loaded.fluxes.records[n]
            for (component, name) in zip([SurfaceFluxComponents.land, .ocean, .anthropogenic], Self.names) {
                let source = record.globalRate(component, grid: fine), remapped = read.globalRate(component, grid: coarse)
                let field = record.total(component)
                let magnitude = zip(field, fineAreas).reduce(0) { $0 + abs($1.0) * $1.1 }   // Σ |F|·A
                #expect(abs(remapped - source) <= 1e-12 * magnitude,
                        "record \(n) \(name): \(remapped) vs \(source) kg s⁻¹ (Σ|F|A \(magnitude))")
                #expect(abs(remapped - source) <= 1e-12 * abs(source), "record \(n) \(name): \(remapped) vs \(source)")
            }
            // Each coarse cell is the area-weighted mean of its four fine cells.
            let c = 10 * 64 + 17, rows = [20, 21], columns = [34, 35]
            var sum = 0.0, area = 0.0
            for j in rows { for i in columns { sum += record.ocean[j * 128 + i] * fineAreas[j * 128 + i]; area += fineAreas[j * 128 + i] } }
            #expect(abs(read.ocean[c] - sum / area) <= 1e-13 * abs(sum / area))
            #expect(abs(area - coarseAreas[c]) <= 1e-12 * area)
        }
    }

    @Test("units: mol m-2 s-1 × 0.0440095, kgC m-2 s-1 × 3.664; m s-1 is refused")
    func units() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let records = try Self.records(try SyntheticSurfaceFluxes(grid: grid), count: 2)
        let times = [0.0, 6]
        let reference = dir + "/kg.nc", mol = dir + "/mol.nc", carbon = dir + "/kgc.nc", wrong = dir + "/wrong.nc"
        try Self.write(records, grid: grid, layout: Layout(times: times), to: reference)
        try Self.write(records, grid: grid, layout: Layout(times: times, units: "mol m-2 s-1"), to: mol)
        try Self.write(records, grid: grid, layout: Layout(times: times, units: "kgC m-2 s-1"), to: carbon)
        try Self.write(records, grid: grid, layout: Layout(times: times, units: "m s-1"), to: wrong)

        let kg = try SurfaceFluxFile.read(paths: [reference], grid: grid)
        for (path, factor) in [(mol, 0.0440095), (carbon, 3.664)] {
            let scaled = try SurfaceFluxFile.read(paths: [path], grid: grid)
            for (a, b) in zip(scaled.records, kg.records) {
                #expect(a.land == b.land.map { factor * $0 })
                #expect(a.ocean == b.ocean.map { factor * $0 })
                #expect(a.anthropogenic == b.anthropogenic.map { factor * $0 })
            }
        }
        let error = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [wrong], grid: grid) })
        #expect(error.contains(wrong) && error.contains("co2flux_land") && error.contains("'m s-1'") && error.contains("kg m-2 s-1"), "\(error)")

        for accepted in ["kg m-2 s-1", "kg/m2/s", "kg m**-2 s**-1", "kg m^-2 s^-1", "kg.m-2.s-1", "kg(CO2) m-2 s-1", "kg CO2 m-2 s-1"] {
            #expect(SurfaceFluxFile.unitScale(accepted) == 1, "\(accepted)")
        }
        #expect(SurfaceFluxFile.unitScale("mol m-2 s-1") == 0.0440095)
        #expect(SurfaceFluxFile.unitScale("mol CO2 m-2 s-1") == 0.0440095)
        #expect(SurfaceFluxFile.unitScale("kgC m-2 s-1") == 3.664)
        #expect(SurfaceFluxFile.unitScale("kg C m-2 s-1") == 3.664)
        #expect(SurfaceFluxFile.unitScale("umol m-2 s-1") == 0.0440095e-6)
        for refused in ["m s-1", "kg m-2", "kg m-2 h-1", "g m-2 s-1", "kg kg-1", "1e-6 kg m-2 s-1", "m-2 s-1 / kg", "", "1"] {
            #expect(SurfaceFluxFile.unitScale(refused) == nil, "\(refused)")
        }
    }

    @Test("a file without any flux variable is refused, naming it")
    func missingVariables() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let records = try Self.records(try SyntheticSurfaceFluxes(grid: grid), count: 2)
        let path = dir + "/other.nc"
        try Self.write(records, grid: grid, layout: Layout(times: [0, 6], variables: [(0, "t2m"), (1, "sp")]), to: path)
        let error = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [path], grid: grid) })
        #expect(error.contains(path) && error.contains("co2flux_land") && error.contains("t2m"), "\(error)")
        // One component alone is enough; the others are zero.
        let land = dir + "/land.nc"
        try Self.write(records, grid: grid, layout: Layout(times: [0, 6], variables: [(0, "co2flux_land")]), to: land)
        let loaded = try SurfaceFluxFile.load(paths: [land], grid: grid)
        #expect(loaded.components == .land)
        #expect(loaded.fluxes.records[1].land == records[1].land && loaded.fluxes.records[1].ocean.allSatisfy { $0 == 0 })
    }

    @Test("CF time: noleap calendar in days with bounds at mid-interval; files split in time and by component")
    func timeAxes() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let synthetic = try SyntheticSurfaceFluxes(grid: grid)
        let records = try Self.records(synthetic, count: 8)

        // Days since 2009-12-31 in a 365-day calendar; records 1 February 2010 00 UTC on, stamped at their middle.
        let path = dir + "/noleap.nc"
        let firstDay = 32.0   // 2010-02-01 is day 32 after 2009-12-31
        var bounds: [Double] = [], middles: [Double] = []
        for n in 0..<8 {
            let start = firstDay + Double(n) * 0.25
            bounds += [start, start + 0.25]
            middles.append(start + 0.125)
        }
        try Self.write(records, grid: grid, layout: Layout(times: middles,
                                                           timeUnits: "days since 2009-12-31", calendar: "noleap", bounds: bounds), to: path)
        let loaded = try SurfaceFluxFile.load(paths: [path], grid: grid)
        #expect(loaded.year == 2010 && loaded.calendar == .noleap)
        #expect(loaded.fluxes.start == 31 * 86_400 && loaded.fluxes.interval == Self.sixHours)
        #expect(loaded.fluxes.records == records)

        // The same records split: days 1 and 2 in two files; land apart from ocean + anthropogenic.
        let a = dir + "/a.nc", b = dir + "/b.nc", c = dir + "/c.nc"
        let hours = (0..<8).map { Double($0) * 6 }
        try Self.write(Array(records[4...]), grid: grid, layout: Layout(times: Array(hours[4...]), timeUnits: "hours since 2001-01-01",
                                                                       variables: [(0, "co2flux_land")]), to: a)
        try Self.write(Array(records[..<4]), grid: grid, layout: Layout(times: Array(hours[..<4]), timeUnits: "hours since 2001-01-01",
                                                                        variables: [(0, "co2flux_land")]), to: b)
        try Self.write(records, grid: grid, layout: Layout(times: hours.map { $0 * 60 }, timeUnits: "minutes since 2001-01-01",
                                                           variables: [(1, "co2flux_ocean"), (2, "co2flux_anthro")]), to: c)
        let split = try SurfaceFluxFile.read(paths: [a, b, c], grid: grid)
        #expect(split.start == 0 && split.interval == Self.sixHours && split.records == records)

        // Unequal spacing, duplicated records, mismatched components, one record without bounds.
        let gap = dir + "/gap.nc"
        try Self.write(Array(records[..<3]), grid: grid, layout: Layout(times: [0, 6, 18]), to: gap)
        let gapError = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [gap], grid: grid) })
        #expect(gapError.contains(gap) && gapError.contains("equally spaced"), "\(gapError)")
        let duplicate = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [b, b], grid: grid) })
        #expect(duplicate.contains("also in"), "\(duplicate)")
        let mismatch = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [a, c], grid: grid) })
        #expect(mismatch.contains("co2flux_ocean") && mismatch.contains("same records"), "\(mismatch)")
        let single = dir + "/single.nc"
        try Self.write(Array(records[..<1]), grid: grid, layout: Layout(times: [0]), to: single)
        let singleError = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [single], grid: grid) })
        #expect(singleError.contains("one record"), "\(singleError)")
    }

    @Test("GRIB 2 with ECMWF's co2nbf/co2of/co2apf (valid times, kg m**-2 s**-1, rows north to south)")
    func grib() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let records = try Self.records(try SyntheticSurfaceFluxes(grid: grid), count: 4)
        let netCDF = dir + "/fluxes.nc", path = dir + "/fluxes.grib2"
        try Self.write(records, grid: grid, layout: Layout(times: [0, 6, 12, 18], reordered: true), to: netCDF)
        var dataset = try DatasetLoader.load(netCDF).dataset
        dataset.attributes.append(Attribute("GRIB_centre", .text("ecmf")))
        try GRIBWriter.write(dataset: dataset, to: path,
                             parameterMap: ["co2flux_land": .shortName("co2nbf"), "co2flux_ocean": .shortName("co2of"),
                                            "co2flux_anthro": .shortName("co2apf")],
                             packing: .simple(bitsPerValue: 24))
        let loaded = try SurfaceFluxFile.load(paths: [path], grid: grid)
        #expect(loaded.components == .all && !loaded.remapped && loaded.year == 2001)
        #expect(loaded.fluxes.start == 0 && loaded.fluxes.interval == Self.sixHours && loaded.fluxes.records.count == 4)
        for (read, written) in zip(loaded.fluxes.records, records) {
            // 24-bit packing: 2⁻²⁴ of each field's range.
            #expect(Self.relativeDifference(read, written) < 2e-7)
        }
    }

    @Test("a fill value (NaN) is an error naming the variable, record and cell")
    func fillValues() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        var records = try Self.records(try SyntheticSurfaceFluxes(grid: grid), count: 2)
        records[1].ocean[5 * 64 + 7] = .nan
        let path = dir + "/nan.nc"
        try Self.write(records, grid: grid, layout: Layout(times: [0, 6]), to: path)
        let error = try #require(Self.message { _ = try SurfaceFluxFile.read(paths: [path], grid: grid) })
        #expect(error.contains(path) && error.contains("co2flux_ocean") && error.contains("record 1") && error.contains("row 5, column 7"), "\(error)")
    }
}
