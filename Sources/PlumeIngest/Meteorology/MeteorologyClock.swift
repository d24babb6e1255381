import PlumeIO

/// Valid times of meteorology fields as whole milliseconds since 1970-01-01 00 UTC in the
/// files' CF calendar (GRIB: proleptic Gregorian), so that fields of different files and
/// units match exactly.
enum MeteorologyClock {
    /// The calendar used to compare times of different files: `standard` and
    /// `proleptic_gregorian` agree from 1582-10-15 on, so both count as the latter.
    static func family(_ calendar: CFCalendar) -> CFCalendar {
        calendar == .standard ? .proleptic_gregorian : calendar
    }

    /// Seconds since 1970-01-01 00 UTC in `calendar`.
    static func epoch(_ calendar: CFCalendar) -> CFTimeUnits {
        CFTimeUnits(secondsPerUnit: 1, reference: CFDate(year: 1970, month: 1, day: 1), calendar: calendar)
    }

    /// The key of `seconds` since the epoch, nil when not finite or beyond ±30 million years.
    static func key(seconds: Double) -> Int64? {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return nil }
        return Int64((seconds * 1000).rounded())
    }

    /// The key of a value in CF time `units` (e.g. 6 in "hours since 2017-10-18 12:00").
    static func key(value: Double, units: CFTimeUnits) -> Int64? {
        key(seconds: value * units.secondsPerUnit + epoch(units.calendar).value(of: units.reference))
    }

    /// The calendar date of a key.
    static func date(_ key: Int64, calendar: CFCalendar) -> CFDate {
        epoch(calendar).date(Double(key) / 1000)
    }

    /// The key of 1 January 00 UTC of `year`.
    static func yearStart(_ year: Int, calendar: CFCalendar) -> Int64 {
        Int64((epoch(calendar).value(of: CFDate(year: year, month: 1, day: 1)) * 1000).rounded())
    }

    /// ISO form of a key for messages, e.g. `2017-10-18T18:00:00`.
    static func describe(_ key: Int64, calendar: CFCalendar) -> String {
        date(key, calendar: calendar).description
    }
}
