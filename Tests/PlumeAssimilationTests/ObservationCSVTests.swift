import Foundation
import PlumeIO
import Testing
@testable import PlumeAssimilation

/// The documented observation CSV: values read as written, malformed records refused
/// (strict) or skipped with their reason (lenient), and read + skipped = records.
@Suite struct ObservationCSVTests {
    static func write(_ text: String) -> String {
        let path = NSTemporaryDirectory() + "plume-obs-\(UUID().uuidString).csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    static let good = #"""
        # CO2 and radiosonde observations
        time,latitude,longitude,altitude,pressure,variable,value,sigma,site
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,4.1234e-4,1.5e-6,CBW
        2017-01-01T12:00,52.1,5.18,,50000,t,251.35,0.8,06260

        2017-01-02 06:00:00,-89.98,-24.8,,,co2,4.01e-4,,SPO
        2017-01-02T06:00:00,19.54,-155.58,3397,,co2,4.09e-4,2e-6,"MLO, Hawaii ""NOAA"""
        """#

    @Test func goodRecordsAreReadAsWritten() throws {
        var table = ObservationTable()
        try ObservationCSV.read(Self.write(Self.good), into: &table)
        #expect(table.recordsInFiles == 4)
        #expect(table.skipped.isEmpty)
        let o = table.observations
        try #require(o.count == 4)
        #expect(o[0].time == CFDate(year: 2017, month: 1, day: 1))
        #expect(o[0].latitude == 51.97 && o[0].longitude == 4.93)
        #expect(o[0].vertical == .altitudeM(200))
        #expect(o[0].variable == "co2" && o[0].value == 4.1234e-4 && o[0].sigma == 1.5e-6 && o[0].site == "CBW")
        #expect(o[1].vertical == .pressurePa(50000) && o[1].time == CFDate(year: 2017, month: 1, day: 1, hour: 12))
        #expect(o[1].site == "06260")
        #expect(o[2].vertical == nil && o[2].sigma == nil && o[2].time == CFDate(year: 2017, month: 1, day: 2, hour: 6))
        #expect(o[3].site == "MLO, Hawaii \"NOAA\"")
        #expect(o[3].source.hasSuffix(".csv:7"))
    }

    static let bad = #"""
        time,latitude,longitude,altitude,pressure,variable,value,sigma,site
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,4.1e-4,1e-6,CBW
        2017-13-01T00:00:00Z,51.97,4.93,200,,co2,4.1e-4,1e-6,CBW
        2017-01-01T00:00:00Z,95,4.93,200,,co2,4.1e-4,1e-6,CBW
        2017-01-01T00:00:00Z,51.97,4.93,200,50000,co2,4.1e-4,1e-6,CBW
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,4.1e-4,1e-6
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,4.1e-4,-1,CBW
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,nan,1e-6,CBW
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,4.1e-4,1e-6,"CBW
        2017-01-01T00:00:00Z,51.97,4.93,200,,co2,4.2e-4,1e-6,CBW
        """#

    @Test func lenientReadingSkipsEachMalformedRecordWithItsReason() throws {
        let path = Self.write(Self.bad)
        var table = ObservationTable()
        try ObservationCSV.read(path, into: &table, mode: .lenient)
        #expect(table.recordsInFiles == 9)
        #expect(table.observations.count == 2)
        #expect(table.observations.count + table.skipped.count == table.recordsInFiles)
        let reasons = table.skipped.map { "\($0.source.split(separator: ":").last ?? ""): \($0.reason)" }
        #expect(reasons == [
            "3: time '2017-13-01T00:00:00Z' is not an ISO 8601 date-time",
            "4: latitude 95 is not within −90…90",
            "5: both altitude and pressure: give one",
            "6: 8 fields, the header has 9",
            "7: sigma -1.0 must be positive",
            "8: value 'nan' is not a finite number",
            "9: an unclosed quote",
        ])
    }

    @Test func strictReadingStopsAtTheFirstMalformedRecordNamingIt() {
        let path = Self.write(Self.bad)
        var table = ObservationTable()
        do {
            try ObservationCSV.read(path, into: &table)
            Issue.record("a malformed record was accepted")
        } catch {
            #expect(error == .malformed(source: path + ":3", reason: "time '2017-13-01T00:00:00Z' is not an ISO 8601 date-time"))
        }
    }

    @Test func aBadHeaderIsRefusedWithTheValidColumns() {
        var table = ObservationTable()
        let unknown = Self.write("time,lat,longitude,variable,value,site\n")
        #expect(throws: ObservationError.unreadable(file: unknown, reason: "line 1: unknown column 'lat'; the columns are time, latitude, longitude, altitude, pressure, variable, value, sigma, site")) {
            try ObservationCSV.read(unknown, into: &table)
        }
        let missing = Self.write("time,latitude,longitude,variable,value\n")
        #expect(throws: ObservationError.unreadable(file: missing, reason: "line 1: the header has no 'site' column (required: time, latitude, longitude, variable, value, site)")) {
            try ObservationCSV.read(missing, into: &table)
        }
    }

    /// The bad cases of every observation reader: a NaN or out-of-range position, a
    /// duplicated record, a record outside the run's window, a missing required column.
    static let positionsDuplicatesAndWindow = #"""
        time,latitude,longitude,altitude,variable,value,sigma,site
        2017-01-01T00:00:00Z,51.97,4.93,200,co2,4.1e-4,1e-6,CBW
        2017-01-01T00:00:00Z,nan,4.93,200,co2,4.1e-4,1e-6,CBW
        2017-01-01T00:00:00Z,51.97,400,200,co2,4.1e-4,1e-6,CBW
        2017-01-01T00:00:00Z,51.97,4.93,200,co2,4.1e-4,1e-6,CBW
        2016-06-01T00:00:00Z,51.97,4.93,200,co2,4.1e-4,1e-6,CBW
        2017-01-01T01:00:00Z,51.97,4.93,200,co2,4.2e-4,1e-6,CBW
        """#

    static let window = CFDate(year: 2017, month: 1, day: 1)...CFDate(year: 2017, month: 12, day: 31, hour: 23)

    @Test func nanAndOutOfRangePositionsDuplicatesAndRecordsOutsideTheWindowAreSkippedWithTheirReason() throws {
        let path = Self.write(Self.positionsDuplicatesAndWindow)
        var table = ObservationTable()
        try ObservationCSV.read(path, into: &table, mode: .lenient, window: Self.window)
        #expect(table.recordsInFiles == 6 && table.observations.count == 2)
        #expect(table.observations.count + table.skipped.count == table.recordsInFiles)
        let reasons = table.skipped.map { "\($0.source.split(separator: ":").last ?? ""): \($0.reason)" }
        #expect(reasons == [
            "3: latitude 'nan' is not a finite number",
            "4: longitude 400 is not within −180…360",
            "5: duplicate of line 2 (same time, position, vertical, variable and value)",
            "6: outside the window 2017-01-01T00:00:00 … 2017-12-31T23:00:00: time 2016-06-01T00:00:00",
        ])
    }

    @Test func strictReadingRefusesTheFirstBadRecordButNotOneOutsideTheWindow() throws {
        let path = Self.write(Self.positionsDuplicatesAndWindow)
        var table = ObservationTable()
        #expect(throws: ObservationError.malformed(source: path + ":3", reason: "latitude 'nan' is not a finite number")) {
            try ObservationCSV.read(path, into: &table, window: Self.window)
        }
        let lines = Self.positionsDuplicatesAndWindow.split(separator: "\n")
        let windowed = Self.write([lines[0], lines[1], lines[5], lines[6]].joined(separator: "\n"))
        var read = ObservationTable()
        try ObservationCSV.read(windowed, into: &read, window: Self.window)
        #expect(read.observations.count == 2 && read.skipped.count == 1 && read.recordsInFiles == 3)
        #expect(read.skipped.first?.source == windowed + ":3")
        let duplicated = Self.write([lines[0], lines[1], lines[4]].joined(separator: "\n"))
        #expect(throws: ObservationError.malformed(source: duplicated + ":3", reason: "duplicate of line 2 (same time, position, vertical, variable and value)")) {
            try ObservationCSV.read(duplicated, into: &read)
        }
    }

    @Test func aFileWithoutALatitudeColumnIsRefused() {
        var table = ObservationTable()
        let path = Self.write("time,longitude,variable,value,site\n2017-01-01T00:00:00Z,4.93,co2,4.1e-4,CBW\n")
        #expect(throws: ObservationError.unreadable(file: path, reason: "line 1: the header has no 'latitude' column (required: time, latitude, longitude, variable, value, site)")) {
            try ObservationCSV.read(path, into: &table)
        }
    }
}
