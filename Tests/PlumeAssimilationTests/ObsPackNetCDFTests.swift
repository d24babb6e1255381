import Foundation
import PlumeIO
import Testing
@testable import PlumeAssimilation

/// ObsPack files written by netCDF's own `ncgen` (independent of Plume's reader) from CDL,
/// classic and netCDF-4: values, times, uncertainties, flags and sites read as written; bad
/// files refused naming what is wrong; malformed records refused (strict) or skipped with
/// their reason (lenient), records outside the time window skipped in both modes, and
/// read + skipped = records in the file.
@Suite struct ObsPackNetCDFTests {
    /// Writes `cdl` with `ncgen -k kind` to `folder/name`.
    static func write(_ cdl: String, _ name: String, in folder: TemporaryFolder, kind: String = "nc3") throws -> String {
        let cdlPath = folder.file(name + ".cdl")
        try cdl.write(toFile: cdlPath, atomically: true, encoding: .utf8)
        try Shell.run("ncgen", ["-k", kind, "-o", folder.file(name), cdlPath])
        return folder.file(name)
    }

    /// An hourly in-situ file as NOAA GML writes them: `time` in seconds, float columns
    /// with `_FillValue`, `obspack_id` as characters.
    static let classic = """
        netcdf co2_mlo_surface-insitu_1_allvalid {
        dimensions:
          obs = UNLIMITED ;
          string_of_40chars = 40 ;
        variables:
          double time(obs) ;
            time:units = "seconds since 1970-01-01T00:00:00Z" ;
          float latitude(obs) ;
            latitude:units = "degrees_north" ;
            latitude:_FillValue = -1.0e+34f ;
          float longitude(obs) ;
            longitude:units = "degrees_east" ;
            longitude:_FillValue = -1.0e+34f ;
          float altitude(obs) ;
            altitude:units = "m" ;
            altitude:_FillValue = -1.0e+34f ;
          float value(obs) ;
            value:units = "mol mol-1" ;
            value:_FillValue = -1.0e+34f ;
          float value_unc(obs) ;
            value_unc:units = "mol mol-1" ;
            value_unc:_FillValue = -1.0e+34f ;
          int obs_flag(obs) ;
          char obspack_id(obs, string_of_40chars) ;
        :site_code = "MLO" ;
        :site_name = "Mauna Loa, Hawaii" ;
        :site_latitude = 19.536 ;
        :site_longitude = -155.576 ;
        :site_elevation = 3397. ;
        :dataset_project = "surface-insitu" ;
        :dataset_parameter = "co2" ;
        data:
          time = 1483228800, 1483232400, 1483236000 ;
          latitude = 19.536, 19.536, 19.536 ;
          longitude = -155.576, -155.576, -155.576 ;
          altitude = 3437, 3437, 3437 ;
          value = 4.0512e-4, 4.0498e-4, 4.0521e-4 ;
          value_unc = 1.2e-7, _, 1.5e-7 ;
          obs_flag = 1, 0, 1 ;
          obspack_id = "obspack_co2~mlo~1", "obspack_co2~mlo~2", "obspack_co2~mlo~3" ;
        }
        """

    @Test func aClassicFileWithTimeInSecondsIsReadAsWritten() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.write(Self.classic, "co2_mlo_surface-insitu_1_allvalid.nc", in: folder)
        var table = ObservationTable()
        let summary = try ObsPackNetCDF.read(path, into: &table)
        #expect(table.recordsInFiles == 3 && table.skipped.isEmpty && summary.read == 3 && summary.notRepresentative == 1)
        #expect(summary.site == "MLO" && summary.valueScale == 1 && summary.valueUnits == "mol mol-1")
        let o = table.observations
        try #require(o.count == 3)
        // Float columns: the values are the float32 nearest the CDL's decimals.
        #expect(o[0].time == CFDate(year: 2017, month: 1, day: 1) && o[1].time == CFDate(year: 2017, month: 1, day: 1, hour: 1))
        #expect(o[0].latitude == Double(Float(19.536)) && o[0].longitude == Double(Float(-155.576)))
        #expect(o[0].vertical == .altitudeM(3437) && o[0].variable == "co2" && o[0].site == "MLO")
        #expect(o[0].value == Double(Float(4.0512e-4)) && o[2].value == Double(Float(4.0521e-4)))
        #expect(o[0].sigma == Double(Float(1.2e-7)) && o[1].sigma == nil)
        #expect(o.map(\.qcFlag) == [1, 0, 1])
        #expect(o[1].source == path + ":record 2 (obspack_co2~mlo~2)")
    }

    /// A flask file as netCDF-4: `time_components`, values in ppm, `obspack_id` strings,
    /// no site code (the file name gives it) and `intake_height` above the site.
    static let netCDF4 = """
        netcdf flask {
        dimensions:
          obs = 2 ;
          calendar_components = 6 ;
        variables:
          int time_components(obs, calendar_components) ;
          double latitude(obs) ;
          double longitude(obs) ;
          float intake_height(obs) ;
            intake_height:units = "m" ;
          double value(obs) ;
            value:units = "ppm" ;
          double value_unc(obs) ;
            value_unc:units = "ppm" ;
          string obspack_id(obs) ;
        :site_elevation = 2810. ;
        data:
          time_components = 2017, 2, 28, 23, 59, 30, 2017, 3, 1, 0, 15, 0 ;
          latitude = -89.98, -89.98 ;
          longitude = -24.8, -24.8 ;
          intake_height = 11, 11.5 ;
          value = 403.21, 403.35 ;
          value_unc = 0.07, 0.09 ;
          obspack_id = "spo~flask~1", "spo~flask~2" ;
        }
        """

    @Test func aNetCDF4FileWithTimeComponentsAndPPMIsReadAsWritten() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.write(Self.netCDF4, "co2_spo_surface-flask_1_representative.nc", in: folder, kind: "nc4")
        #expect(try NetCDFFile(path: path).dataset.format.hasPrefix("netCDF-4"))
        var table = ObservationTable()
        let summary = try ObsPackNetCDF.read(path, into: &table)
        #expect(summary.site == "SPO" && summary.valueUnits == "ppm" && summary.valueScale == 1e-6)
        let o = table.observations
        try #require(o.count == 2 && table.recordsInFiles == 2)
        #expect(o[0].time == CFDate(year: 2017, month: 2, day: 28, hour: 23, minute: 59, second: 30))
        #expect(o[1].time == CFDate(year: 2017, month: 3, day: 1, minute: 15))
        #expect(abs(o[0].value - 403.21e-6) < 1e-15 && abs((o[1].sigma ?? 0) - 0.09e-6) < 1e-18)
        #expect(o[0].latitude == -89.98 && o[0].site == "SPO" && o[0].qcFlag == nil)
        #expect(o[0].vertical == .altitudeM(2821) && o[1].vertical == .altitudeM(2821.5))
        #expect(o[1].source == path + ":record 2 (spo~flask~2)")
    }

    // MARK: Bad files

    @Test func wrongUnitsAndMissingVariablesMakeAFileUnreadable() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var table = ObservationTable()
        let kelvin = try Self.write(Self.classic.replacingOccurrences(of: #"value:units = "mol mol-1""#, with: #"value:units = "K""#),
                                    "kelvin.nc", in: folder)
        #expect(throws: ObservationError.unreadable(file: kelvin, reason: "variable 'value' has units 'K', expected mol mol-1 (or mol/mol, 1; ppm and micromol mol-1 are converted)")) {
            try ObsPackNetCDF.read(kelvin, into: &table)
        }
        var cdl = Self.classic.replacingOccurrences(of: "  float latitude(obs) ;\n    latitude:units = \"degrees_north\" ;\n    latitude:_FillValue = -1.0e+34f ;\n", with: "")
        cdl = cdl.replacingOccurrences(of: "  latitude = 19.536, 19.536, 19.536 ;\n", with: "")
        let noLatitude = try Self.write(cdl, "nolatitude.nc", in: folder)
        #expect(throws: ObservationError.unreadable(file: noLatitude, reason: "no 'latitude' variable (degrees north, one per obs); the file has: time, longitude, altitude, value, value_unc, obs_flag, obspack_id")) {
            try ObsPackNetCDF.read(noLatitude, into: &table)
        }
        let ch4 = try Self.write(Self.classic.replacingOccurrences(of: #":dataset_parameter = "co2""#, with: #":dataset_parameter = "ch4""#), "ch4.nc", in: folder)
        #expect(throws: ObservationError.unreadable(file: ch4, reason: "dataset_parameter is 'ch4', expected 'co2' (this reader reads CO2)")) {
            try ObsPackNetCDF.read(ch4, into: &table)
        }
        let months = try Self.write(Self.classic.replacingOccurrences(of: "seconds since 1970-01-01T00:00:00Z", with: "months since 1970-01-01"), "months.nc", in: folder)
        do {
            try ObsPackNetCDF.read(months, into: &table)
            Issue.record("time in months was accepted")
        } catch {
            guard case .unreadable(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == months && reason.hasPrefix("variable 'time': time unit 'months'"))
        }
        #expect(table == ObservationTable())
    }

    /// Eleven records: 1 good; 2 NaN latitude; 3 latitude 95; 4 longitude fill; 5 value fill;
    /// 6 an implausible value; 7 a duplicate of 1; 8 before the window; 9 time fill;
    /// 10 a negative uncertainty; 11 good, not representative.
    static let bad = """
        netcdf bad {
        dimensions:
          obs = 11 ;
        variables:
          double time(obs) ;
            time:units = "seconds since 1970-01-01 00:00:00" ;
            time:_FillValue = -9999. ;
          float latitude(obs) ;
            latitude:_FillValue = -1.0e+34f ;
          float longitude(obs) ;
            longitude:_FillValue = -1.0e+34f ;
          float altitude(obs) ;
          float value(obs) ;
            value:units = "mol/mol" ;
            value:_FillValue = -1.0e+34f ;
          float value_unc(obs) ;
            value_unc:_FillValue = -1.0e+34f ;
          int obs_flag(obs) ;
        :site_code = "CBW" ;
        data:
          time = 1483228800, 1483228800, 1483228800, 1483228800, 1483228800, 1483228800, 1483228800, 1451606400, _, 1483232400, 1483236000 ;
          latitude = 51.97, NaNf, 95, 51.97, 51.97, 51.97, 51.97, 51.97, 51.97, 51.97, 51.97 ;
          longitude = 4.93, 4.93, 4.93, _, 4.93, 4.93, 4.93, 4.93, 4.93, 4.93, 4.93 ;
          altitude = 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200 ;
          value = 4.1e-4, 4.1e-4, 4.1e-4, 4.1e-4, _, 0.5, 4.1e-4, 4.1e-4, 4.1e-4, 4.1e-4, 4.2e-4 ;
          value_unc = 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6, -1e-6, 1e-6 ;
          obs_flag = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 ;
        }
        """

    static let window = CFDate(year: 2017, month: 1, day: 1)...CFDate(year: 2017, month: 12, day: 31, hour: 23)

    @Test func lenientReadingSkipsEachBadRecordWithItsReason() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.write(Self.bad, "bad.nc", in: folder)
        var table = ObservationTable()
        let summary = try ObsPackNetCDF.read(path, into: &table, mode: .lenient, window: Self.window)
        #expect(table.recordsInFiles == 11 && table.observations.count == 2)
        #expect(table.observations.count + table.skipped.count == table.recordsInFiles)
        #expect(summary.read == 2 && summary.malformed == 8 && summary.outsideWindow == 1 && summary.notRepresentative == 1)
        #expect(table.observations.map { $0.source.split(separator: ":").last ?? "" } == ["record 1", "record 11"])
        #expect(table.observations.last?.qcFlag == 0)
        let reasons = table.skipped.map { "\($0.source.split(separator: ":").last ?? ""): \($0.reason)" }
        #expect(reasons == [
            "record 2: latitude is NaN (expected degrees north, −90…90)",
            "record 3: latitude 95 is not within −90…90",
            "record 4: longitude is the fill value -9.99999979e+33 (expected degrees east, −180…360)",
            "record 5: value is the fill value -9.99999979e+33 (expected a CO2 mole fraction)",
            "record 6: value 0.5 mol/mol is not a plausible CO2 mole fraction (expected 0.0001…0.01 mol/mol)",
            "record 7: duplicate of record 1 (same time, position, altitude and value)",
            "record 8: outside the window 2017-01-01T00:00:00 … 2017-12-31T23:00:00: time 2016-01-01T00:00:00",
            "record 9: time is the fill value -9999 (expected a time in seconds since 1970-01-01T00:00:00)",
            "record 10: value_unc -9.999999975e-07 must be positive",
        ])
    }

    @Test func strictReadingStopsAtTheFirstBadRecordNamingFileRecordAndExpectation() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.write(Self.bad, "bad.nc", in: folder)
        var table = ObservationTable()
        #expect(throws: ObservationError.malformed(source: path + ":record 2", reason: "latitude is NaN (expected degrees north, −90…90)")) {
            try ObsPackNetCDF.read(path, into: &table, window: Self.window)
        }
        // Records outside the window are not errors: a file of good records and one outside
        // the window reads in strict mode, the record skipped with its reason.
        let outside = try Self.write(Self.classic.replacingOccurrences(of: "time = 1483228800,", with: "time = 1420070400,"), "outside.nc", in: folder)
        var windowed = ObservationTable()
        let summary = try ObsPackNetCDF.read(outside, into: &windowed, window: Self.window)
        #expect(windowed.observations.count == 2 && windowed.skipped.count == 1 && summary.outsideWindow == 1)
        #expect(windowed.skipped.first?.source == outside + ":record 1 (obspack_co2~mlo~1)")
        #expect(windowed.skipped.first?.reason.hasPrefix("outside the window 2017-01-01T00:00:00 … 2017-12-31T23:00:00: time 2015-01-01") == true)
    }

    @Test func aTimeComponentsRecordThatIsNoDateIsMalformed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cdl = Self.netCDF4.replacingOccurrences(of: "2017, 3, 1, 0, 15, 0", with: "2017, 13, 1, 0, 15, 0")
        let path = try Self.write(cdl, "co2_spo_surface-flask_1_representative.nc", in: folder, kind: "nc4")
        var table = ObservationTable()
        try ObsPackNetCDF.read(path, into: &table, mode: .lenient)
        #expect(table.observations.count == 1 && table.skipped.count == 1 && table.recordsInFiles == 2)
        #expect(table.skipped.first == SkippedRecord(source: path + ":record 2 (spo~flask~2)",
                                                     reason: "time_components 2017 13 1 0 15 0 is not a date and time (expected year 1…9999, month 1…12, day, hour 0…23, minute 0…59, second 0…59)"))
    }
}
