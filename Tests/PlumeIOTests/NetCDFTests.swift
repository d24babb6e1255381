import CNetCDF
import Foundation
import PlumeIO
import PlumeSupport
import Testing

@Suite struct NetCDFTests {
    /// A dataset exercising the writer: unlimited time, groups, CF attributes, every value type.
    static func sample() -> Dataset {
        let nt = 3, ny = 4, nx = 5
        let field = (0..<(nt * ny * nx)).map { Float($0) * 0.5 - 7 }
        var d = Dataset(
            dimensions: [Dimension(name: "time", length: nt, isUnlimited: true), Dimension(name: "lat", length: ny), Dimension(name: "lon", length: nx)],
            variables: [
                Variable(name: "time", dimensions: ["time"], shape: [nt],
                         attributes: [Attribute("units", .text("hours since 2000-01-01 00:00:00")), Attribute("calendar", .text("noleap")),
                                      Attribute("axis", .text("T")), Attribute("standard_name", .text("time"))],
                         data: .float64([0, 6, 12])),
                Variable(name: "lat", dimensions: ["lat"], shape: [ny], attributes: [Attribute("units", .text("degrees_north")), Attribute("axis", .text("Y"))],
                         data: .float64([-45, -15, 15, 45])),
                Variable(name: "lon", dimensions: ["lon"], shape: [nx], attributes: [Attribute("units", .text("degrees_east")), Attribute("axis", .text("X"))],
                         data: .float64([0, 72, 144, 216, 288])),
                Variable(name: "tas", dimensions: ["time", "lat", "lon"], shape: [nt, ny, nx],
                         attributes: [Attribute("units", .text("K")), Attribute("standard_name", .text("air_temperature")),
                                      Attribute("long_name", .text("near-surface air temperature")), Attribute("_FillValue", .floats([-999]))],
                         data: .float32(field)),
                Variable(name: "count", dimensions: ["lat"], shape: [ny], data: .int32([1, 2, 3, 4])),
                Variable(name: "big", dimensions: ["lon"], shape: [nx], data: .int64([1 << 40, 2, 3, 4, 5])),
            ],
            attributes: [Attribute("title", .text("writer test"))],
            groups: [Group(name: "forecast", dataset: Dataset(
                dimensions: [Dimension(name: "member", length: 2)],
                variables: [Variable(name: "spread", dimensions: ["member", "lat"], shape: [2, ny], data: .float64([1, 2, 3, 4, 5, 6, 7, 8]))]))])
        d.variables[3].data = .float32(field.enumerated().map { $0.offset == 7 ? -999 : $0.element })
        return d
    }

    @Test("the same dataset written twice, a second apart, gives the same bytes: no time or host in the file")
    func reproducibleBytes() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("out.nc")
        var copies: [Data] = []
        for _ in 0..<2 {
            try NetCDFWriter(historyLine: "plume test").write(Self.sample(), to: path)
            copies.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            try FileManager.default.removeItem(atPath: path)
            Thread.sleep(forTimeInterval: 1.1)
        }
        #expect(copies[0] == copies[1])
        #expect(copies[0].count > 1000)
    }

    @Test func writeThenReadBack() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("out.nc")
        try NetCDFWriter(historyLine: "plume test").write(Self.sample(), to: path)
        let file = try NetCDFFile(path: path)
        #expect(file.dataset.format == "netCDF-4")
        #expect(file.dataset.dimensions.first?.isUnlimited == true)
        #expect(file.dataset.attributes["Conventions"]?.text == "CF-1.8")
        #expect(file.dataset.attributes["history"]?.text == "Plume \(PlumeVersion.current): plume test")
        #expect(file.dataset.attributes["title"]?.text == "writer test")
        let tas = try file.readFloat("tas")
        #expect(tas.count == 60)
        #expect(tas[7].isNaN)  // _FillValue → NaN
        #expect(tas[8] == -3 && tas[59] == 22.5)
        #expect(try file.readRaw("tas")[7] == -999)
        #expect(try file.read("count") == [1, 2, 3, 4])
        #expect(try file.readRaw("big")[0] == Double(1 << 40))
        #expect(try file.read("forecast/spread") == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(file.dataset.groups.first?.dataset.dimensions.first?.name == "member")
        // Hyperslab with stride: time 1…2, lat 0 and 2, lon 4.
        let slab = try file.readFloat("tas", Hyperslab(start: [1, 0, 4], count: [2, 2, 1], stride: [1, 2, 1]))
        #expect(slab == [24, 34, 44, 54].map { Float($0) * 0.5 - 7 })
        // Chunking and deflate + shuffle as asked, checked through the C library.
        var ncid: Int32 = 0, varid: Int32 = 0, shuffle: Int32 = 0, deflate: Int32 = 0, level: Int32 = 0, storage: Int32 = 0
        var chunks = [Int](repeating: 0, count: 3)
        #expect(nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR)
        defer { nc_close(ncid) }
        nc_inq_varid(ncid, "tas", &varid)
        nc_inq_var_deflate(ncid, varid, &shuffle, &deflate, &level)
        nc_inq_var_chunking(ncid, varid, &storage, &chunks)
        #expect(shuffle == 1 && deflate == 1 && level == 4)
        #expect(storage == NC_CHUNKED && chunks == [1, 4, 5])
    }

    /// A record of a [time, level, lat, lon] field is one chunk (all levels), so a year of
    /// records is not ten times as many chunks (libhdf5 memory grows with chunks written).
    @Test func fourDimensionalFieldsAreChunkedByRecord() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("levels.nc")
        let shape = [3, 10, 4, 5]
        let dataset = Dataset(dimensions: [Dimension(name: "time", length: 3, isUnlimited: true), Dimension(name: "level", length: 10),
                                           Dimension(name: "lat", length: 4), Dimension(name: "lon", length: 5)],
                              variables: [Variable(name: "q", dimensions: ["time", "level", "lat", "lon"], shape: shape,
                                                   data: .float32((0..<600).map(Float.init)))])
        try NetCDFWriter().write(dataset, to: path)
        var ncid: Int32 = 0, varid: Int32 = 0, storage: Int32 = 0
        var chunks = [Int](repeating: 0, count: 4)
        #expect(nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR)
        defer { nc_close(ncid) }
        nc_inq_varid(ncid, "q", &varid)
        nc_inq_var_chunking(ncid, varid, &storage, &chunks)
        #expect(storage == NC_CHUNKED && chunks == [1, 10, 4, 5])
        #expect(try NetCDFFile(path: path).readFloat("q") == (0..<600).map(Float.init))
    }

    /// CDF5 scratch files: no HDF5 underneath, every numeric type, values and attributes
    /// back as written; groups (which CDF5 cannot hold) are refused with the group's name.
    @Test func cdf5WritesFlatDatasetsAndRefusesGroups() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        var flat = Self.sample()
        flat.groups = []
        let path = temp.file("flat.nc")
        try NetCDFWriter(format: .cdf5).write(flat, to: path)
        let file = try NetCDFFile(path: path)
        #expect(file.dataset.format == "netCDF CDF5")
        #expect(file.dataset.attributes["title"]?.text == "writer test")
        #expect(try file.readRaw("tas") == Self.sample().variables[3].data?.doubles)
        #expect(try file.readIntegers("big") == [1 << 40, 2, 3, 4, 5])
        #expect(file.dataset.variable("time")?.attributes["calendar"]?.text == "noleap")

        let grouped = temp.file("grouped.nc")
        #expect(throws: PlumeIOError.self) { try NetCDFWriter(format: .cdf5).write(Self.sample(), to: grouped) }
        do {
            try NetCDFWriter(format: .cdf5).write(Self.sample(), to: grouped)
        } catch {
            #expect("\(error)".contains("forecast") && "\(error)".contains("CDF5"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: grouped))
    }

    @Test func ncdumpAgreesWithWhatWasWritten() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("dump.nc")
        try NetCDFWriter().write(Self.sample(), to: path)
        let dump = try Shell.run("ncdump", ["-v", "lat,count", path]).stdout
        #expect(dump.contains("time = UNLIMITED ; // (3 currently)"))
        #expect(dump.contains("lat = -45, -15, 15, 45 ;"))
        #expect(dump.contains("count = 1, 2, 3, 4 ;"))
        #expect(dump.contains("tas:standard_name = \"air_temperature\" ;"))
        #expect(dump.contains("tas:_FillValue = -999.f ;"))
        #expect(dump.contains("group: forecast"))
    }

    /// CF decoding against values computed by hand: packed int16 with scale/offset,
    /// `_FillValue`, `missing_value`, `valid_range`, and `_Unsigned` bytes. The file is
    /// written through the C API, independently of Plume's writer (classic format).
    @Test func cfDecoding() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("packed.nc")
        var ncid: Int32 = 0, dim: Int32 = 0, packed: Int32 = 0, ubyte: Int32 = 0, plain: Int32 = 0
        #expect(nc_create(path, NC_CLOBBER, &ncid) == NC_NOERR)
        nc_def_dim(ncid, "x", 6, &dim)
        nc_def_var(ncid, "packed", NC_SHORT, 1, &dim, &packed)
        var scale = 0.01, offset = 273.15
        var fill: Int16 = -32768, missing: Int16 = 32000
        var range: [Int16] = [-30000, 30000]
        nc_put_att_double(ncid, packed, "scale_factor", NC_DOUBLE, 1, &scale)
        nc_put_att_double(ncid, packed, "add_offset", NC_DOUBLE, 1, &offset)
        nc_put_att_short(ncid, packed, "_FillValue", NC_SHORT, 1, &fill)
        nc_put_att_short(ncid, packed, "missing_value", NC_SHORT, 1, &missing)
        nc_put_att_short(ncid, packed, "valid_range", NC_SHORT, 2, &range)
        nc_def_var(ncid, "ubyte", NC_BYTE, 1, &dim, &ubyte)
        nc_put_att_text(ncid, ubyte, "_Unsigned", 4, "true")
        nc_def_var(ncid, "plain", NC_FLOAT, 1, &dim, &plain)  // no _FillValue: netCDF's default fill counts as missing
        nc_enddef(ncid)
        let raw: [Int16] = [0, 100, -32768, 32000, 30001, -100]
        nc_put_var_short(ncid, packed, raw)
        let bytes: [Int8] = [0, 1, -1, -128, 127, 5]
        nc_put_var_schar(ncid, ubyte, bytes)
        let floats: [Float] = [1.5, 9.9692099683868690e+36, -2, 0, 0, 0]
        nc_put_var_float(ncid, plain, floats)
        nc_close(ncid)

        let file = try NetCDFFile(path: path)
        #expect(file.dataset.format == "netCDF classic")
        let p = try file.read("packed")
        #expect(p[0] == 273.15)
        #expect(abs(p[1] - 274.15) < 1e-12)
        #expect(p[2].isNaN && p[3].isNaN && p[4].isNaN)  // fill, missing_value, above valid_range
        #expect(abs(p[5] - 272.15) < 1e-12)
        #expect(try file.read("ubyte") == [0, 1, 255, 128, 127, 5])
        let f = try file.readFloat("plain")
        #expect(f[0] == 1.5 && f[1].isNaN && f[2] == -2)
    }

    @Test func missingVariableNamesFileAndAlternatives() throws {
        let file = try NetCDFFile(path: try SampleData.path("era5-levels-members.nc"))
        #expect {
            _ = try file.read("q")
        } throws: { error in
            guard case PlumeIOError.missingVariable(let f, let v, let available) = error else { return false }
            return f.hasSuffix("era5-levels-members.nc") && v == "q" && available.contains("t") && "\(error)".contains("no variable 'q'")
        }
        #expect(throws: PlumeIOError.self) { _ = try file.read("t", Hyperslab(start: [0, 0, 0, 0, 0], count: [1, 1, 1, 1, 121])) }
    }
}
