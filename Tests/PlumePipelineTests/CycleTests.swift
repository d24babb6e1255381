import PlumeIO
import Testing
@testable import PlumePipeline

/// ISO 8601 durations, cycle sequences in CF calendars, and path templates that cannot
/// leave the run folder.
@Suite struct CycleTests {
    @Test("durations parse, print canonically, and refuse what is not ISO 8601")
    func durations() throws {
        #expect(try ISODuration("PT6H") == ISODuration(hours: 6))
        #expect(try ISODuration("P1Y2M3DT4H5M6S") == ISODuration(years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6))
        #expect(try ISODuration("P2W") == ISODuration(days: 14))
        #expect(try ISODuration("P1M").description == "P1M")
        #expect(try ISODuration("PT30M").description == "PT30M")
        #expect(try ISODuration("P1DT12H").exactSeconds == 129_600)
        for bad in ["6H", "P", "PT", "P1H", "PT1D", "P1M1M", "P1.5D", "PT6", "P-1D", "PT6HX"] {
            #expect(throws: PipelineError.self, "\(bad)") { try ISODuration(bad) }
        }
        do {
            _ = try ISODuration("P1H")
        } catch {
            #expect("\(error)".contains("duration 'P1H'") && "\(error)".contains("PT6H"))
        }
    }

    @Test("months keep the day, clamped to the month; exact parts count in the calendar")
    func advance() throws {
        let jan31 = CFDate(year: 2004, month: 1, day: 31)
        #expect(ISODuration(months: 1).advance(jan31, calendar: .standard) == CFDate(year: 2004, month: 2, day: 29))
        #expect(ISODuration(months: 1).advance(jan31, calendar: .noleap) == CFDate(year: 2004, month: 2, day: 28))
        #expect(ISODuration(months: 1).advance(jan31, calendar: .day360) == CFDate(year: 2004, month: 2, day: 30))
        #expect(ISODuration(years: 1, months: 11).advance(jan31, calendar: .standard) == CFDate(year: 2005, month: 12, day: 31))
        let newYearsEve = CFDate(year: 2003, month: 12, day: 31, hour: 18)
        #expect(ISODuration(hours: 6).advance(newYearsEve, calendar: .noleap) == CFDate(year: 2004, month: 1, day: 1))
        // 2004 is a leap year in the standard calendar, not in noleap.
        let feb28 = CFDate(year: 2004, month: 2, day: 28, hour: 12)
        #expect(ISODuration(days: 1).advance(feb28, calendar: .standard) == CFDate(year: 2004, month: 2, day: 29, hour: 12))
        #expect(ISODuration(days: 1).advance(feb28, calendar: .noleap) == CFDate(year: 2004, month: 3, day: 1, hour: 12))
    }

    @Test("a range holds every step to its inclusive end; month steps do not drift; bad ranges are refused")
    func sequences() throws {
        let sixHourly = try CycleSequence(from: CFDate(year: 2004, month: 1, day: 1), to: CFDate(year: 2004, month: 1, day: 2),
                                          step: ISODuration(hours: 6), calendar: .noleap)
        #expect(sixHourly.points.map(\.description) == ["2004-01-01T00:00:00", "2004-01-01T06:00:00", "2004-01-01T12:00:00",
                                                         "2004-01-01T18:00:00", "2004-01-02T00:00:00"])
        let quarters = try CycleSequence(from: CFDate(year: 2004, month: 1, day: 1), to: CFDate(year: 2004, month: 12, day: 31),
                                         step: ISODuration(days: 91, hours: 6), calendar: .noleap)
        #expect(quarters.points.map(\.description) == ["2004-01-01T00:00:00", "2004-04-02T06:00:00", "2004-07-02T12:00:00",
                                                        "2004-10-01T18:00:00"])
        let monthEnds = try CycleSequence(from: CFDate(year: 2004, month: 1, day: 31), to: CFDate(year: 2004, month: 5, day: 31),
                                          step: ISODuration(months: 1))
        #expect(monthEnds.points.map(\.day) == [31, 29, 31, 30, 31])
        #expect(CycleSequence(single: CFDate(year: 2004, month: 1, day: 1)).points.count == 1)
        #expect(throws: PipelineError.self) {
            try CycleSequence(from: CFDate(year: 2004, month: 2, day: 1), to: CFDate(year: 2004, month: 1, day: 1), step: ISODuration(days: 1))
        }
        do {
            _ = try CycleSequence(from: CFDate(year: 2004, month: 2, day: 1), to: CFDate(year: 2004, month: 1, day: 1), step: ISODuration(days: 1))
        } catch {
            #expect("\(error)".contains("before its start"))
        }
        #expect(throws: PipelineError.self) {
            try CycleSequence(from: CFDate(year: 2004, month: 1, day: 1), to: CFDate(year: 2004, month: 1, day: 2), step: ISODuration())
        }
        #expect(throws: PipelineError.self) {
            try CycleSequence(from: CFDate(year: 2000, month: 1, day: 1), to: CFDate(year: 2100, month: 1, day: 1), step: ISODuration(seconds: 1))
        }
    }

    @Test("templates fill cycle formats, member and run; unknown placeholders and escapes are refused")
    func templates() throws {
        let cycle = CFDate(year: 2004, month: 3, day: 1, hour: 6)
        let t = try PathTemplate("forecasts/{cycle:%Y%m%d%H}/member-{member}.nc")
        #expect(t.usesMember)
        #expect(try t.render(cycle: cycle, member: "03", run: "nightly") == "forecasts/2004030106/member-03.nc")
        #expect(try PathTemplate("{run}/{cycle}").render(cycle: cycle, run: "r") == "r/2004-03-01T06:00:00")
        #expect(try PathTemplate("day{cycle:%j}").render(cycle: cycle, calendar: .standard, run: "r") == "day061")
        #expect(try PathTemplate("day{cycle:%j}").render(cycle: cycle, calendar: .noleap, run: "r") == "day060")
        #expect(try PathTemplate("{{literal}}-{cycle:%H%%}").render(cycle: cycle, run: "r") == "{literal}-06%")
        #expect(try PathTemplate("a/./b/../c/{cycle:%Y}.nc").relativePath(cycle: cycle, run: "r") == "a/c/2004.nc")
        for bad in ["{date}", "{cycle:%Q}", "{cycle", "x}", "{cycle:%Y%}"] {
            #expect(throws: PipelineError.self, "\(bad)") { try PathTemplate(bad) }
        }
        for escaping in ["../outside.nc", "a/../../b.nc", "/etc/passwd", "./", "{run}/../../x"] {
            let template = try PathTemplate(escaping)
            #expect(throws: PipelineError.self, "\(escaping)") { try template.relativePath(cycle: cycle, run: "r") }
        }
        do {
            _ = try PathTemplate("../{cycle:%Y}.nc").relativePath(cycle: cycle, run: "r")
        } catch {
            #expect("\(error)" == "template '../{cycle:%Y}.nc': renders to '../2004.nc', which leaves the run folder (outputs stay inside the run folder)")
        }
        #expect(throws: PipelineError.self) { try t.render(cycle: cycle, run: "r") }
    }
}
