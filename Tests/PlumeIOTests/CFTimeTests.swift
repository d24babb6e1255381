import PlumeIO
import Testing

@Suite struct CFTimeTests {
    @Test func standardCalendarCrossesTheGregorianReform() throws {
        let u = try CFTimeUnits(units: "days since 1582-10-04", calendar: "standard")
        #expect(u.date(1) == CFDate(year: 1582, month: 10, day: 15))  // Julian 4 Oct is followed by Gregorian 15 Oct
        let p = try CFTimeUnits(units: "days since 1582-10-04", calendar: "proleptic_gregorian")
        #expect(p.date(1) == CFDate(year: 1582, month: 10, day: 5))
        let j = try CFTimeUnits(units: "days since 1900-02-28", calendar: "julian")
        #expect(j.date(1) == CFDate(year: 1900, month: 2, day: 29))  // 1900 is a Julian leap year
    }

    @Test func unixEpochAndFractions() throws {
        let u = try CFTimeUnits(units: "seconds since 1970-01-01T00:00:00Z")
        #expect(u.date(1_483_228_800) == CFDate(year: 2017, month: 1, day: 1))
        let h = try CFTimeUnits(units: "hours since 1900-01-01 00:00:00.0", calendar: "gregorian")
        // 2000-01-01 is 36524 days after 1900-01-01.
        #expect(h.date(36524 * 24 + 13.5) == CFDate(year: 2000, month: 1, day: 1, hour: 13, minute: 30))
        #expect(h.value(of: CFDate(year: 2000, month: 1, day: 1)) == 36524 * 24)
    }

    @Test(arguments: [
        ("noleap", 365.0, CFDate(year: 2001, month: 1, day: 1)),
        ("365_day", 59.0, CFDate(year: 2000, month: 3, day: 1)),
        ("all_leap", 59.0, CFDate(year: 2000, month: 2, day: 29)),
        ("366_day", 366.0, CFDate(year: 2001, month: 1, day: 1)),
        ("360_day", 59.0, CFDate(year: 2000, month: 2, day: 30)),
        ("360_day", 360.0, CFDate(year: 2001, month: 1, day: 1)),
        ("proleptic_gregorian", 59.0, CFDate(year: 2000, month: 2, day: 29)),
    ])
    func calendars(_ calendar: String, _ days: Double, _ expected: CFDate) throws {
        let u = try CFTimeUnits(units: "days since 2000-01-01", calendar: calendar)
        #expect(u.date(days) == expected)
        #expect(u.value(of: expected) == days)
    }

    @Test func roundTripOverCenturies() throws {
        for calendar in CFCalendar.allCases {
            let u = try CFTimeUnits(units: "days since 1500-03-01", calendar: calendar.rawValue)
            for day in stride(from: -20000.0, through: 300_000, by: 977) {
                #expect(u.value(of: u.date(day)) == day, "\(calendar) day \(day)")
            }
        }
    }

    @Test func badUnitsSayWhatWasExpected() {
        #expect(throws: CFTimeError.notTimeUnits("K")) { try CFTimeUnits(units: "K") }
        #expect(throws: CFTimeError.unknownCalendar("martian")) { try CFTimeUnits(units: "days since 2000-01-01", calendar: "martian") }
        #expect(throws: CFTimeError.unsupportedUnit("months", "months since 2000-01-01")) { try CFTimeUnits(units: "months since 2000-01-01") }
        #expect(throws: CFTimeError.badReferenceDate("days since 2000-13-01")) { try CFTimeUnits(units: "days since 2000-13-01") }
    }
}
