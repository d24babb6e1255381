import CNetCDF
import Foundation
import PlumeIO
import Testing

/// ±∞, NaN and huge numbers in time coordinates, attributes and integer variables must
/// not trap: every conversion of a value from a file to an integer is checked, and what
/// cannot be represented is refused with a message (or shown as what it is).
@Suite struct NonFiniteValuesTests {
    /// A netCDF-4 file, written with the C API: a time coordinate with `times`, a float
    /// variable over it with odd attributes, and 64-bit integer variables at their limits.
    static func write(_ path: String, times: [Double], unsigned: UInt64 = .max) throws {
        var ncid: Int32 = 0, time: Int32 = 0, tv: Int32 = 0, x: Int32 = 0, big: Int32 = 0, ubig: Int32 = 0, one: Int32 = 0
        func ok(_ s: Int32) throws {
            guard s == NC_NOERR else { throw PlumeIOError.writeFailed(file: path, reason: String(cString: nc_strerror(s))) }
        }
        try ok(nc_create(path, NC_NETCDF4 | NC_CLOBBER, &ncid))
        try ok(nc_def_dim(ncid, "time", times.count, &time))
        try ok(nc_def_dim(ncid, "one", 1, &one))
        try ok(nc_def_var(ncid, "time", NC_DOUBLE, 1, [time], &tv))
        try ok(nc_put_att_text(ncid, tv, "units", 29, "hours since 1900-01-01 00:00:00"))
        try ok(nc_put_att_text(ncid, tv, "standard_name", 4, "time"))
        try ok(nc_def_var(ncid, "x", NC_FLOAT, 1, [time], &x))
        try ok(nc_put_att_double(ncid, x, "valid_max", NC_DOUBLE, 1, [Double.infinity]))
        try ok(nc_put_att_double(ncid, x, "odd", NC_DOUBLE, 4, [Double.nan, -Double.infinity, 1e308, -0.0]))
        try ok(nc_put_att_longlong(ncid, x, "huge", NC_INT64, 2, [Int64.max, Int64.min]))
        try ok(nc_def_var(ncid, "big", NC_INT64, 1, [one], &big))
        try ok(nc_def_var(ncid, "ubig", NC_UINT64, 1, [one], &ubig))
        try ok(nc_enddef(ncid))
        try ok(nc_put_var_double(ncid, tv, times))
        try ok(nc_put_var_float(ncid, x, times.map { _ in Float(1) }))
        try ok(nc_put_var_longlong(ncid, big, [Int64.max - 1]))
        try ok(nc_put_var_ulonglong(ncid, ubig, [unsigned]))
        try ok(nc_close(ncid))
    }

    @Test func checkedDatesRefuseWhatIsNotADate() throws {
        let units = try CFTimeUnits(units: "hours since 1900-01-01 00:00:00")
        for v in [Double.infinity, -.infinity, 1e300, -1e300, 3e14] {
            #expect(throws: CFTimeError.valueOutOfRange(v, "hours since 1900-01-01T00:00:00")) { _ = try units.checkedDate(v) }
            #expect(units.date(v).second.isNaN, "\(v)")
        }
        #expect(units.date(.nan).second.isNaN)
        // NaN never equals itself: check the case and text instead.
        #expect(performing: { _ = try units.checkedDate(.nan) }, throws: { "\($0)" == "time value nan (hours since 1900-01-01T00:00:00) is not a date (expected a finite value within ±1e17 s of the reference date)" })
        // The far edges that are representable still convert exactly.
        #expect(try units.checkedDate(24) == CFDate(year: 1900, month: 1, day: 2))
        // 1e13 h: 416666666666 days + 16 h = 2851959 cycles of 400 Gregorian years (146097
        // days) + 89243 days after 1900-01-01 (Python's datetime for the remainder).
        #expect(try units.checkedDate(1e13) == CFDate(year: 1_140_796_486, month: 3, day: 30, hour: 16))
        #expect(throws: CFTimeError.badReferenceDate("days since 999999999999-01-01")) { _ = try CFTimeUnits(units: "days since 999999999999-01-01") }
        #expect(CFDate(year: 2000, month: 1, day: 1, second: .nan).description == "2000-01-01T00:00:nan")
    }

    @Test func filesWithNonFiniteTimesAndAttributes() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("odd.nc")
        let times = [0, 24, Double.infinity, -Double.infinity, Double.nan, 1e300]
        try Self.write(path, times: times)
        // Loading: the values as stored, exactly; the unsigned value beyond Int64 refused.
        #expect(performing: { _ = try DatasetLoader.load(path) }, throws: { error in
            "\(error)" == "\(path): variable 'ubig': not supported: uint64 values beyond the range of 64-bit signed integers"
        })
        let file = try NetCDFFile(path: path)
        #expect(try file.readIntegers("big") == [Int64.max - 1])  // 2^63 - 2: not a Double
        let time = try file.read("time")
        #expect(time[0] == 0 && time[1] == 24 && time[2] == .infinity && time[3] == -.infinity && time[4].isNaN && time[5] == 1e300)
        let x = try file.variable("x")
        #expect(x.attributes["huge"]?.doubles == [Double(Int64.max), Double(Int64.min)])
        #expect(x.attributes["odd"]?.doubles.count == 4)

        // The summary (plume inspect) shows the far ends for what they are.
        let clean = temp.file("clean.nc")
        try Self.write(clean, times: times, unsigned: 7)
        let summary = try FileSummary.make(clean)
        #expect(summary.timeRange == [
            "time value -inf (hours since 1900-01-01T00:00:00) is not a date (expected a finite value within ±1e17 s of the reference date)",
            "time value inf (hours since 1900-01-01T00:00:00) is not a date (expected a finite value within ±1e17 s of the reference date)",
        ])
        let loaded = try DatasetLoader.load(clean).dataset
        #expect(loaded.variable("ubig")?.data == .int64([7]))
        #expect(loaded.variable("big")?.data == .int64([Int64.max - 1]))

        // Converting to GRIB: a time coordinate of +∞ is refused by name, nothing written.
        let out = temp.file("odd.grib")
        var grib = try DatasetLoader.load(try SampleData.path("regular_ll_msl.grib")).dataset
        let t = try #require(grib.variables.firstIndex { $0.name == "time" })
        grib.variables[t].data = .float64([.infinity])
        grib.variables[t].dataType = .float64
        #expect(performing: { try GRIBWriter.write(dataset: grib, to: out) }, throws: { error in
            "\(error)" == "\(out): cannot write: variable 'prmsl': time coordinate: time value inf (seconds since 1970-01-01T00:00:00) is not a date (expected a finite value within ±1e17 s of the reference date)"
        })
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
