import Foundation
import PlumeIO
import Testing

/// GRIB 2 output through ecCodes: synthetic fields on regular lat-lon (both row orders)
/// and Gaussian grids read back by Plume and by ecCodes' tools, the ERA5 sample's round
/// trip through a `Dataset` (and through netCDF), and bad input.
@Suite struct GRIBWriterTests {
    static let start = CFDate(year: 2017, month: 1, day: 2, hour: 6)

    /// A smooth field with a spread of values, NaN at every `nanEvery`-th point.
    static func field(_ lat: [Double], _ lon: [Double], scale: Double, offset: Double, nanEvery: Int? = nil) -> [Double] {
        var values: [Double] = []
        for (j, y) in lat.enumerated() {
            for (i, x) in lon.enumerated() {
                let k = j * lon.count + i
                if let n = nanEvery, k % n == 3 { values.append(.nan); continue }
                values.append(offset + scale * (cos(y * .pi / 180) * sin(2 * x * .pi / 180) + y / 90))
            }
        }
        return values
    }

    /// Half the 16-bit quantisation step of `values`' range, plus float32 rounding (the
    /// reader returns `Float`; GRIB 2's reference value is an IEEE float).
    static func bound(_ values: [Double], bits: Int = 16) -> Double {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return 0 }
        return GRIBPacking.simple(bitsPerValue: bits).step(range: hi - lo) / 2 + 4 * Double(Float.ulpOfOne) * max(abs(lo), abs(hi))
    }

    static func expectClose(_ read: [Float], _ written: [Double], bound: Double, _ what: String) {
        #expect(read.count == written.count, "\(what): count")
        var worst = 0.0
        var nanMismatches = 0
        for (r, w) in zip(read, written) {
            if w.isNaN || r.isNaN {
                if !(w.isNaN && r.isNaN) { nanMismatches += 1 }
                continue
            }
            worst = max(worst, abs(Double(r) - w))
        }
        #expect(nanMismatches == 0, "\(what): \(nanMismatches) missing points moved")
        #expect(worst <= bound, "\(what): worst difference \(worst) beyond the packing bound \(bound)")
    }

    /// (lat, lon, value) of every point, in data order, from `grib_get_data`; nil values for missing.
    static func gribGetData(_ path: String) throws -> [[(lat: Double, lon: Double, value: Double?)]] {
        let out = try Shell.run("grib_get_data", ["-m", "MISSING", "-F", "%.10e", path]).stdout
        var messages: [[(Double, Double, Double?)]] = []
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.first == "Latitude" { messages.append([]); continue }
            guard parts.count >= 3, let lat = Double(parts[0]), let lon = Double(parts[1]), !messages.isEmpty else { continue }
            messages[messages.count - 1].append((lat, lon, parts[2] == "MISSING" ? nil : Double(parts[2])))
        }
        return messages
    }

    /// Plume's reading of `path` agrees with `grib_get_data` (points, coordinates, values, missing).
    static func expectAgreesWithGribGetData(_ path: String) throws {
        let file = try GRIBFile(path: path)
        let theirs = try gribGetData(path)
        #expect(theirs.count == file.messages.count)
        for (m, points) in theirs.enumerated() where m < file.messages.count {
            let field = try file.decode(m)
            #expect(points.count == field.values.count, "message \(m + 1): point count")
            var bad = 0
            var first = ""
            for (k, p) in points.enumerated() where k < field.values.count {
                let v = field.values[k]
                let lonDiff = abs((p.lon - field.geometry.longitudes[k]).remainder(dividingBy: 360))
                let sameValue = p.value.map { abs($0 - Double(v)) <= 1e-6 * max(1, abs($0)) } ?? v.isNaN
                // grib_get_data prints coordinates with three decimals.
                if abs(p.lat - field.geometry.latitudes[k]) > 5.01e-4 || lonDiff > 5.01e-4 || !sameValue {
                    if bad == 0 {
                        let theirs: String = p.value.map { "\($0)" } ?? "missing"
                        let ours = "\(field.geometry.latitudes[k]) \(field.geometry.longitudes[k]) \(v)"
                        first = "point \(k): grib_get_data \(p.lat) \(p.lon) \(theirs), Plume \(ours)"
                    }
                    bad += 1
                }
            }
            #expect(bad == 0, "message \(m + 1): \(bad) points differ between Plume and grib_get_data, first \(first)")
        }
    }

    /// Leftovers of the atomic write (temporary files) in `folder`.
    static func leftovers(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.contains(".partial-") }
    }

    // MARK: Synthetic fields

    @Test func regularLatLonBothRowOrdersWithMissingValues() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("ll.grib2")
        // North to south, 0…357°; south to north, −180…176° (written as 180…176, wrapped).
        let northSouth = GRIBOutputGrid.regularLatLon(latitudes: (0..<61).map { 90 - 3 * Double($0) }, longitudes: (0..<120).map { 3 * Double($0) })
        let southNorth = GRIBOutputGrid.regularLatLon(latitudes: (0..<41).map { -80 + 4 * Double($0) }, longitudes: (0..<90).map { -180 + 4 * Double($0) })
        let u = Self.field(northSouth.latitudes, northSouth.longitudes, scale: 30, offset: 5, nanEvery: 97)
        let gh = Self.field(southNorth.latitudes, southNorth.longitudes, scale: 800, offset: 5500)
        let vo = Self.field(southNorth.latitudes, southNorth.longitudes, scale: 1e-4, offset: 0, nanEvery: 13)
        let written = try GRIBWriter.write(to: out) { sink in
            try sink.append(GRIBOutputField(parameter: .shortName("u"), level: .isobaricInhPa(500), referenceTime: Self.start,
                                            stepHours: 6, ensembleNumber: 3, ensembleSize: 10, grid: northSouth, values: u))
            try sink.append(GRIBOutputField(parameter: .shortName("gh"), level: .isobaricInhPa(850), referenceTime: Self.start,
                                            stepHours: 12, grid: southNorth, values: gh.map(Float.init)))
            try sink.append(GRIBOutputField(parameter: .paramId(138), level: .isobaricInhPa(250), referenceTime: Self.start,
                                            stepHours: 18, grid: southNorth, values: vo))
        }
        #expect(written == 3)
        #expect(Self.leftovers(temp.path).isEmpty)

        let file = try GRIBFile(path: out)
        #expect(file.problems.isEmpty)
        #expect(file.messages.map(\.shortName) == ["u", "gh", "vo"])
        #expect(file.messages.map(\.edition) == [2, 2, 2])
        #expect(file.messages.map(\.typeOfLevel) == ["isobaricInhPa", "isobaricInhPa", "isobaricInhPa"])
        #expect(file.messages.map(\.level) == [500, 850, 250])
        #expect(file.messages.map(\.dataDate) == [20170102, 20170102, 20170102])
        #expect(file.messages.map(\.dataTime) == [600, 600, 600])
        #expect(file.messages.map(\.stepHours) == [6, 12, 18])
        #expect(file.messages.map(\.number) == [3, nil, nil])
        #expect(file.messages.map(\.packingType) == ["grid_simple", "grid_simple", "grid_simple"])
        #expect(file.messages.map(\.grid.gridType) == ["regular_ll", "regular_ll", "regular_ll"])

        let f0 = try file.decode(0), f1 = try file.decode(1), f2 = try file.decode(2)
        #expect(f0.geometry.layout == .regular(latitudes: northSouth.latitudes, longitudes: northSouth.longitudes))
        #expect(f1.geometry.layout == .regular(latitudes: southNorth.latitudes, longitudes: southNorth.longitudes))
        #expect(f2.geometry.layout == f1.geometry.layout)
        Self.expectClose(f0.values, u, bound: Self.bound(u), "u")
        Self.expectClose(f1.values, gh.map { Double(Float($0)) }, bound: Self.bound(gh), "gh")
        Self.expectClose(f2.values, vo, bound: Self.bound(vo), "vo")
        #expect(f0.values.filter(\.isNaN).count == u.filter(\.isNaN).count)

        try Self.expectAgreesWithGribGetData(out)
        let ls = try Shell.run("grib_ls", ["-p", "shortName,level,number,stepRange,bitmapPresent", out]).stdout
        #expect(ls.contains("3 of 3 messages"))
        try Shell.run("grib_dump", ["-O", out])
        // ecCodes' own key for the ensemble size.
        let size = try Shell.run("grib_get", ["-w", "count=1", "-p", "numberOfForecastsInEnsemble,bitmapPresent", out]).stdout
        #expect(size.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } == ["10", "1"])
    }

    @Test func regularGaussianN32WithMissingValues() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("gg.grib2")
        let grid = GRIBOutputGrid.regularGaussian(n: 32)
        #expect(grid.shape == [64, 128])
        let reversed = GRIBOutputGrid.regularGaussian(n: 32, latitudes: gaussianLatitudes(32).reversed())
        let t = Self.field(grid.latitudes, grid.longitudes, scale: 40, offset: 260, nanEvery: 31)
        let tr = Self.field(reversed.latitudes, reversed.longitudes, scale: 40, offset: 260)
        let start = CFDate(year: 2000, month: 2, day: 29, hour: 18)
        try GRIBWriter.write(to: out, packing: .simple(bitsPerValue: 12)) { sink in
            try sink.append(GRIBOutputField(parameter: .shortName("t"), level: .isobaricInhPa(1000), referenceTime: start,
                                            stepHours: 0, grid: grid, values: t))
            try sink.append(GRIBOutputField(parameter: .shortName("t"), level: .isobaricInhPa(1000), referenceTime: start,
                                            stepHours: 6, grid: reversed, values: tr, packing: .simple()))
        }
        let file = try GRIBFile(path: out)
        #expect(file.messages.map(\.grid.gridType) == ["regular_gg", "regular_gg"])
        #expect(file.messages.map(\.grid.gaussianN) == [32, 32])
        #expect(file.messages.map(\.dataDate) == [20000229, 20000229])
        #expect(file.messages.map(\.dataTime) == [1800, 1800])
        #expect(file.messages.map(\.stepHours) == [0, 6])
        let f0 = try file.decode(0), f1 = try file.decode(1)
        #expect(f0.geometry.layout == .regular(latitudes: gaussianLatitudes(32), longitudes: grid.longitudes))
        #expect(f1.geometry.layout == .regular(latitudes: gaussianLatitudes(32).reversed(), longitudes: grid.longitudes))
        Self.expectClose(f0.values, t, bound: Self.bound(t, bits: 12), "t 12 bits")
        Self.expectClose(f1.values, tr, bound: Self.bound(tr), "t 16 bits")
        try Self.expectAgreesWithGribGetData(out)
        try Shell.run("grib_ls", [out])
        try Shell.run("grib_dump", ["-O", out])
        let bits = try Shell.run("grib_get", ["-p", "bitsPerValue", out]).stdout.split(separator: "\n")
        #expect(bits == ["12", "16"])
    }

    @Test func ccsdsPackingAndFullyMissingAndConstantFields() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("ccsds.grib2")
        let grid = GRIBOutputGrid.regularLatLon(latitudes: (0..<19).map { 90 - 10 * Double($0) }, longitudes: (0..<36).map { 10 * Double($0) })
        let msl = Self.field(grid.latitudes, grid.longitudes, scale: 2000, offset: 101_325, nanEvery: 7)
        try GRIBWriter.write(to: out, packing: .ccsds()) { sink in
            try sink.append(GRIBOutputField(parameter: .shortName("msl"), level: nil, referenceTime: Self.start, grid: grid, values: msl))
            try sink.append(GRIBOutputField(parameter: .shortName("2t"), level: nil, referenceTime: Self.start, grid: grid,
                                            values: [Double](repeating: 273.25, count: grid.pointCount)))
            try sink.append(GRIBOutputField(parameter: .shortName("sp"), level: .surface, referenceTime: Self.start, grid: grid,
                                            values: [Double](repeating: .nan, count: grid.pointCount), packing: .simple()))
        }
        let file = try GRIBFile(path: out)
        #expect(file.messages.map(\.shortName) == ["msl", "2t", "sp"])
        #expect(file.messages.map(\.typeOfLevel) == ["meanSea", "heightAboveGround", "surface"])
        #expect(file.messages[1].level == 2)
        #expect(file.messages[0].packingType == "grid_ccsds")
        Self.expectClose(try file.decode(0).values, msl, bound: Self.bound(msl), "msl")
        #expect(try file.decode(1).values.allSatisfy { $0 == 273.25 })
        #expect(try file.decode(2).values.allSatisfy(\.isNaN))
        try Self.expectAgreesWithGribGetData(out)
    }

    // MARK: ERA5 round trip

    @Test func era5RoundTripThroughADataset() throws {
        let original = try SampleData.path("era5-levels-members.grib")
        let dataset = try GRIBFile(path: original).dataset()
        try Self.roundTrip(original, dataset)
    }

    @Test func era5RoundTripThroughNetCDF() throws {
        let original = try SampleData.path("era5-levels-members.grib")
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let nc = temp.file("era5.nc")
        try NetCDFWriter().write(try DatasetLoader.load(original).dataset, to: nc)
        try Self.roundTrip(original, try DatasetLoader.load(nc).dataset)
    }

    struct MessageKey: Hashable {
        var shortName: String, typeOfLevel: String, level: Double, dataDate: Int, dataTime: Int, step: Double, number: Int?
        init(_ m: GRIBMessage) {
            (shortName, typeOfLevel, level, dataDate, dataTime, step, number) = (m.shortName, m.typeOfLevel, m.level, m.dataDate, m.dataTime, m.stepHours, m.number)
        }
    }

    /// Writes `dataset` (read from `original`) as GRIB 2, reads it back and compares with
    /// `original`: the same messages (keys), coordinates and values within the original's
    /// packing precision, also by `grib_compare` against ecCodes' own GRIB 2 conversion.
    static func roundTrip(_ original: String, _ dataset: Dataset) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("era5.grib2")
        let count = try GRIBWriter.write(dataset: dataset, to: out)
        #expect(count == 160)

        let before = try GRIBFile(path: original)
        let after = try GRIBFile(path: out)
        #expect(after.messages.count == 160)
        #expect(after.messages.allSatisfy { $0.edition == 2 && $0.packingType == "grid_simple" })
        // The original's packing precision per message: 2^E · 10^−D (16-bit simple packing).
        let scales = try Shell.run("grib_get", ["-p", "binaryScaleFactor,decimalScaleFactor", original]).stdout
            .split(separator: "\n").map { line -> Double in
                let p = line.split(separator: " ").compactMap { Double($0) }
                return p.count == 2 ? exp2(p[0]) * pow(10, -p[1]) : .nan
            }
        #expect(scales.count == 160)
        var written: [MessageKey: Int] = [:]
        for (i, m) in after.messages.enumerated() { written[MessageKey(m)] = i }
        #expect(written.count == 160, "written messages have distinct keys")
        for (i, m) in before.messages.enumerated() {
            guard let j = written[MessageKey(m)] else {
                Issue.record("message \(i + 1) (\(m.shortName) \(m.level) \(m.dataDate) \(m.dataTime) number \(m.number ?? -1)) not written")
                continue
            }
            let w = after.messages[j]
            #expect(w.paramId == m.paramId)
            #expect(w.grid.gridType == m.grid.gridType && w.grid.ni == m.grid.ni && w.grid.nj == m.grid.nj)
            let a = try before.decode(i), b = try after.decode(j)
            #expect(a.geometry == b.geometry, "message \(i + 1): coordinates")
            let precision = scales[i]
            let worst = zip(a.values, b.values).map { abs(Double($0) - Double($1)) }.max() ?? .infinity
            #expect(worst <= precision, "message \(i + 1): worst difference \(worst) beyond the original packing step \(precision)")
        }
        // The dataset Plume assembles from the GRIB 2 file has the original's coordinates.
        let reread = try after.dataset()
        for name in ["number", "time", "step", "isobaricInhPa", "latitude", "longitude", "valid_time"] {
            let x = try #require(reread.variable(name)?.data?.doubles, "coordinate \(name)")
            let y = try #require(dataset.variable(name)?.data?.doubles, "coordinate \(name)")
            #expect(x == y, "coordinate \(name)")
        }
        #expect(reread.variable("z")?.shape == dataset.variable("z")?.shape)
        #expect(reread.variable("t")?.dimensions == dataset.variable("t")?.dimensions)

        // ecCodes' view: against its own GRIB 2 conversion of the original, both sorted the
        // same way, values within the packing error, the keys that say what, where and when.
        let converted = temp.file("era5-ecCodes.grib2")
        try Shell.run("grib_set", ["-s", "edition=2", original, converted])
        let order = "shortName:s asc,number:i asc,dataDate:i asc,dataTime:i asc,step:i asc,level:i asc"
        try Shell.run("grib_copy", ["-B", order, converted, converted + ".sorted"])
        try Shell.run("grib_copy", ["-B", order, out, out + ".sorted"])
        let keys = "shortName,paramId,typeOfLevel,level,dataDate,dataTime,step,number,Ni,Nj,latitudeOfFirstGridPoint,longitudeOfFirstGridPoint,latitudeOfLastGridPoint,longitudeOfLastGridPoint,values"
        let compare = try Shell.run("grib_compare", ["-P", "-c", keys, converted + ".sorted", out + ".sorted"], allowFailure: true)
        #expect(compare.status == 0, "grib_compare: \(compare.stdout.prefix(2000)) \(compare.stderr.prefix(2000))")
    }

    // MARK: Bad input

    @Test func wrongValueCountNamesTheFileAndMessageAndLeavesNothing() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("bad.grib2")
        let grid = GRIBOutputGrid.regularLatLon(latitudes: (0..<61).map { 90 - 3 * Double($0) }, longitudes: (0..<120).map { 3 * Double($0) })
        let good = GRIBOutputField(parameter: .shortName("v"), level: .isobaricInhPa(500), referenceTime: Self.start, grid: grid,
                                   values: [Double](repeating: 1, count: 7320))
        var bad = good
        bad.values = [Double](repeating: 1, count: 7000)
        do {
            try GRIBWriter.write(to: out) { sink in
                try sink.append(good)
                try sink.append(bad)
            }
            Issue.record("a wrong value count was accepted")
        } catch let error as PlumeIOError {
            guard case .writeFailed(let file, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == out)
            #expect(reason.contains("message 2"), "\(reason)")
            #expect(reason.contains("v isobaricInhPa 500"), "\(reason)")
            #expect(reason.contains("7000 values, expected 61 × 120 = 7320"), "\(reason)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(Self.leftovers(temp.path).isEmpty)

        // A refused field writes nothing: the writer goes on.
        let writer = try GRIBWriter(path: out)
        #expect(throws: PlumeIOError.self) { try writer.append(bad) }
        var infinite = good
        infinite.values[5] = .infinity
        #expect(throws: PlumeIOError.self) { try writer.append(infinite) }
        try writer.append(good)
        try writer.finish()
        #expect(try GRIBFile(path: out).messages.count == 1)
        #expect(Self.leftovers(temp.path).isEmpty)
    }

    @Test func unwritablePathsLeaveNothing() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let grid = GRIBOutputGrid.regularGaussian(n: 32)
        let field = GRIBOutputField(parameter: .shortName("t"), level: .isobaricInhPa(500), referenceTime: Self.start, grid: grid,
                                    values: [Double](repeating: 250, count: grid.pointCount))
        let missingFolder = temp.file("no/such/folder/out.grib2")
        #expect(throws: PlumeIOError.writeFailed(file: missingFolder, reason: "folder '\(temp.path)/no/such/folder' does not exist")) {
            try GRIBWriter.write(to: missingFolder) { try $0.append(field) }
        }
        let folder = temp.file("a-folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(throws: PlumeIOError.writeFailed(file: folder, reason: "a folder exists under that name")) {
            try GRIBWriter.write(to: folder) { try $0.append(field) }
        }
        // A writer dropped without finish() and a cancelled one leave nothing.
        let out = temp.file("dropped.grib2")
        do {
            let writer = try GRIBWriter(path: out)
            try writer.append(field)
        }
        let cancelled = try GRIBWriter(path: out)
        try cancelled.append(field)
        cancelled.cancel()
        #expect(throws: PlumeIOError.self) { try cancelled.append(field) }
        // An error from the body removes the partial file, an existing file is kept.
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out))
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try GRIBWriter.write(to: out) { sink in
                try sink.append(field)
                throw Stop()
            }
        }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep")
        #expect(Self.leftovers(temp.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).sorted() == ["a-folder", "dropped.grib2"])
    }

    @Test func badGridsParametersAndLevelsAreNamed() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("bad.grib2")
        let writer = try GRIBWriter(path: out)
        defer { writer.cancel() }
        func reason(_ field: GRIBOutputField) -> String {
            do {
                try writer.append(field)
                return "accepted"
            } catch let PlumeIOError.writeFailed(file, reason) {
                #expect(file == out)
                return reason
            } catch {
                return "\(error)"
            }
        }
        let uneven = GRIBOutputGrid.regularLatLon(latitudes: [0, 1, 3], longitudes: [0, 1])
        #expect(reason(GRIBOutputField(parameter: .shortName("t"), level: .surface, referenceTime: Self.start, grid: uneven,
                                       values: [Double](repeating: 1, count: 6))).contains("latitudes are not evenly spaced"))
        let notGaussian = GRIBOutputGrid.regularGaussian(n: 32, latitudes: [10, 0, -10])
        #expect(reason(GRIBOutputField(parameter: .shortName("t"), level: .surface, referenceTime: Self.start, grid: notGaussian,
                                       values: [Double](repeating: 1, count: 3 * 128))).contains("not a run of the 64 Gaussian latitudes"))
        let grid = GRIBOutputGrid.regularLatLon(latitudes: [10, 0, -10], longitudes: [0, 10])
        let ones = [Double](repeating: 1, count: 6)
        // ecCodes calls geopotential height at the surface orography: refused, not renamed.
        let gh = reason(GRIBOutputField(parameter: .shortName("gh"), level: .surface, referenceTime: Self.start, grid: grid, values: ones))
        #expect(gh.contains("message 1") && gh.contains("'orog'"), "\(gh)")
        let unknown = reason(GRIBOutputField(parameter: .shortName("no-such-parameter"), level: .surface, referenceTime: Self.start, grid: grid, values: ones))
        #expect(unknown.contains("ecCodes") && unknown.contains("shortName"), "\(unknown)")
        let fractional = reason(GRIBOutputField(parameter: .shortName("t"), level: .isobaricInhPa(0.5), referenceTime: Self.start, grid: grid, values: ones))
        #expect(fractional.contains("level 0.5"), "\(fractional)")
        let badDate = reason(GRIBOutputField(parameter: .shortName("t"), level: .surface, referenceTime: CFDate(year: 2017, month: 2, day: 30), grid: grid, values: ones))
        #expect(badDate.contains("reference time"), "\(badDate)")
        #expect(writer.messageCount == 0)
    }

    @Test func cfDatasetWithValidTimeAndPressureInPa() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("cf.grib2")
        let lat = (0..<19).map { -90 + 10 * Double($0) }, lon = (0..<36).map { 10 * Double($0) }
        let values = (0..<(2 * 2 * 19 * 36)).map { Float($0 % 97) }
        let dataset = Dataset(
            dimensions: [Dimension(name: "time", length: 2), Dimension(name: "plev", length: 2),
                         Dimension(name: "lat", length: 19), Dimension(name: "lon", length: 36)],
            variables: [
                Variable(name: "time", dimensions: ["time"], shape: [2],
                         attributes: [Attribute("standard_name", .text("time")), Attribute("units", .text("days since 2001-03-01")),
                                      Attribute("calendar", .text("gregorian"))], data: .float64([0, 0.25])),
                Variable(name: "plev", dimensions: ["plev"], shape: [2],
                         attributes: [Attribute("standard_name", .text("air_pressure")), Attribute("units", .text("hPa"))], data: .float64([850, 500])),
                Variable(name: "lat", dimensions: ["lat"], shape: [19], attributes: [Attribute("units", .text("degrees_north"))], data: .float64(lat)),
                Variable(name: "lon", dimensions: ["lon"], shape: [36], attributes: [Attribute("units", .text("degrees_east"))], data: .float64(lon)),
                Variable(name: "ta", dimensions: ["time", "plev", "lat", "lon"], shape: [2, 2, 19, 36], data: .float32(values)),
            ])
        #expect(try GRIBWriter.write(dataset: dataset, to: out, parameterMap: ["ta": .shortName("t")]) == 4)
        let file = try GRIBFile(path: out)
        #expect(file.messages.map(\.shortName) == ["t", "t", "t", "t"])
        #expect(file.messages.map(\.level) == [850, 500, 850, 500])
        #expect(file.messages.map(\.dataTime) == [0, 0, 600, 600])
        #expect(file.messages.map(\.dataDate) == [20010301, 20010301, 20010301, 20010301])
        let f = try file.decode(3)
        #expect(f.geometry.layout == .regular(latitudes: lat, longitudes: lon))
        Self.expectClose(f.values, values[(3 * 684)...].map(Double.init), bound: Self.bound(values.map(Double.init)), "ta")

        // No values: named.
        var empty = dataset
        empty.variables[4].data = nil
        #expect(throws: PlumeIOError.self) { try GRIBWriter.write(dataset: empty, to: out) }
        var noCalendar = dataset
        noCalendar.variables[0].attributes.set("calendar", .text("360_day"))
        do {
            try GRIBWriter.write(dataset: noCalendar, to: temp.file("360.grib2"))
            Issue.record("a 360_day calendar was accepted")
        } catch let PlumeIOError.writeFailed(_, reason) {
            #expect(reason.contains("variable 'ta'") && reason.contains("360_day"), "\(reason)")
        }
        #expect(!FileManager.default.fileExists(atPath: temp.file("360.grib2")))
    }
}
