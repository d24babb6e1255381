import Foundation

/// A calendar date and time of day in some CF calendar.
public struct CFDate: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    /// Seconds within the minute, with fraction.
    public var second: Double

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Double = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    public static func < (a: CFDate, b: CFDate) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
    }

    /// ISO 8601 form, `2017-01-01T12:00:00` (fractional seconds when present); `second`
    /// shows as `nan` when it is not a number of seconds in a minute.
    public var description: String {
        guard second.isFinite, second >= 0, second < 62 else {
            return String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:", year, month, day, hour, minute) + "\(second)"
        }
        let whole = Int(second.rounded(.down))
        let fraction = second - Double(whole)
        var s = String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld", year, month, day, hour, minute, whole)
        if fraction > 1e-6 { s += String(format: "%.6f", fraction).dropFirst() }
        return s
    }
}

/// CF time units, `"<unit> since <reference date>"` in a calendar, converting between
/// numeric time values and dates.
public struct CFTimeUnits: Sendable, Equatable {
    /// Length of one unit in seconds.
    public var secondsPerUnit: Double
    public var reference: CFDate
    public var calendar: CFCalendar

    /// Parses a `units` attribute such as `"hours since 1900-01-01 00:00:00.0"` or
    /// `"seconds since 1970-01-01T00:00:00Z"`; `calendar` is the `calendar` attribute
    /// (CF's default is `standard`).
    public init(units: String, calendar: String? = nil) throws(CFTimeError) {
        let parts = units.trimmingCharacters(in: .whitespaces).components(separatedBy: " since ")
        guard parts.count == 2 else { throw .notTimeUnits(units) }
        switch parts[0].trimmingCharacters(in: .whitespaces).lowercased() {
        case "second", "seconds", "sec", "secs", "s": secondsPerUnit = 1
        case "minute", "minutes", "min", "mins": secondsPerUnit = 60
        case "hour", "hours", "hr", "hrs", "h": secondsPerUnit = 3600
        case "day", "days", "d": secondsPerUnit = 86400
        case "week", "weeks": secondsPerUnit = 7 * 86400
        case let other: throw .unsupportedUnit(other, units)
        }
        if let name = calendar {
            guard let c = CFCalendar(attribute: name) else { throw .unknownCalendar(name) }
            self.calendar = c
        } else {
            self.calendar = .standard
        }
        reference = try Self.parseDate(parts[1], units: units)
    }

    public init(secondsPerUnit: Double, reference: CFDate, calendar: CFCalendar) {
        self.secondsPerUnit = secondsPerUnit
        self.reference = reference
        self.calendar = calendar
    }

    /// Time values Plume turns into dates: within ±1e17 s (3 billion years) of the reference
    /// date, so that day numbers and years stay far inside `Int`.
    public static let representableSeconds = 1e17

    /// The date `value` units after the reference date. Throws `valueOutOfRange` for a value
    /// that is not finite or lies further than `representableSeconds` from the reference
    /// date: use this for values read from files.
    public func checkedDate(_ value: Double) throws(CFTimeError) -> CFDate {
        let seconds = value * secondsPerUnit
        guard seconds.isFinite, abs(seconds) <= Self.representableSeconds else {
            throw .valueOutOfRange(value, "\(Self.unitName(secondsPerUnit)) since \(reference)")
        }
        return date(seconds: seconds)
    }

    /// The date `value` units after the reference date, for values known to be in range
    /// (see `checkedDate`). A value that is not (NaN, ±∞, beyond `representableSeconds`)
    /// gives the reference day with `second` NaN rather than a plausible wrong date.
    public func date(_ value: Double) -> CFDate {
        let seconds = value * secondsPerUnit
        guard seconds.isFinite, abs(seconds) <= Self.representableSeconds else {
            return CFDate(year: reference.year, month: reference.month, day: reference.day, second: .nan)
        }
        return date(seconds: seconds)
    }

    private static func unitName(_ secondsPerUnit: Double) -> String {
        switch secondsPerUnit {
        case 1: "seconds"
        case 60: "minutes"
        case 3600: "hours"
        case 86400: "days"
        case 7 * 86400: "weeks"
        default: "units of \(secondsPerUnit) s"
        }
    }

    private func date(seconds: Double) -> CFDate {
        let referenceSeconds = Double(reference.hour * 3600 + reference.minute * 60) + reference.second
        let total = seconds + referenceSeconds
        var days = Int((total / 86400).rounded(.down))
        var secondsOfDay = total - Double(days) * 86400
        // Round to the microsecond so that 12.999999999 h prints as 13:00.
        secondsOfDay = (secondsOfDay * 1e6).rounded() / 1e6
        if secondsOfDay >= 86400 { secondsOfDay -= 86400; days += 1 }
        let base = calendar.dayNumber(year: reference.year, month: reference.month, day: reference.day)
        let (y, m, d) = calendar.date(dayNumber: base + days)
        let hour = Int(secondsOfDay / 3600)
        let minute = Int((secondsOfDay - Double(hour * 3600)) / 60)
        return CFDate(year: y, month: m, day: d, hour: hour, minute: minute,
                      second: secondsOfDay - Double(hour * 3600 + minute * 60))
    }

    /// The numeric value of `date` in these units.
    public func value(of date: CFDate) -> Double {
        let days = calendar.dayNumber(year: date.year, month: date.month, day: date.day)
            - calendar.dayNumber(year: reference.year, month: reference.month, day: reference.day)
        let seconds = Double(days) * 86400
            + Double((date.hour - reference.hour) * 3600 + (date.minute - reference.minute) * 60)
            + (date.second - reference.second)
        return seconds / secondsPerUnit
    }

    static func parseDate(_ text: String, units: String) throws(CFTimeError) -> CFDate {
        var s = text.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("Z") || s.hasSuffix("z") { s.removeLast() }
        // Time zone offsets other than UTC are not handled: refuse rather than be wrong.
        let pieces = s.replacingOccurrences(of: "T", with: " ").split(separator: " ").map(String.init)
        guard let datePart = pieces.first else { throw .badReferenceDate(units) }
        var dateFields = datePart.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        var negativeYear = false
        if datePart.hasPrefix("-") { negativeYear = true; dateFields.removeFirst() }
        // Years beyond ±100 million would overflow day numbers of far dates.
        guard dateFields.count == 3, var year = Int(dateFields[0]), let month = Int(dateFields[1]), let day = Int(dateFields[2]),
              abs(year) <= 100_000_000, (1...12).contains(month), (1...31).contains(day) else { throw .badReferenceDate(units) }
        if negativeYear { year = -year }
        var date = CFDate(year: year, month: month, day: day)
        if pieces.count > 1 {
            let timeFields = pieces[1].split(separator: ":").map(String.init)
            guard !timeFields.isEmpty, timeFields.count <= 3, let h = Int(timeFields[0]), (0...24).contains(h) else { throw .badReferenceDate(units) }
            date.hour = h
            if timeFields.count > 1 { guard let m = Int(timeFields[1]), (0..<60).contains(m) else { throw .badReferenceDate(units) }; date.minute = m }
            if timeFields.count > 2 { guard let sec = Double(timeFields[2]), sec >= 0, sec < 61 else { throw .badReferenceDate(units) }; date.second = sec }
        }
        if pieces.count > 2 {
            let zone = pieces[2]
            if !["utc", "z", "0", "+0", "00:00", "+00:00", "0:00", "+0:00", "+00", "-00:00"].contains(zone.lowercased()) {
                throw .unsupportedTimeZone(units)
            }
        }
        return date
    }
}

/// Why a CF time could not be decoded.
public enum CFTimeError: Error, Sendable, Equatable, CustomStringConvertible {
    case notTimeUnits(String)
    case unsupportedUnit(String, String)
    case unknownCalendar(String)
    case badReferenceDate(String)
    case unsupportedTimeZone(String)
    /// A time value that is not finite or too far from the reference date to be a date.
    case valueOutOfRange(Double, String)

    public var description: String {
        switch self {
        case .notTimeUnits(let u): "units '\(u)' are not CF time units (expected '<unit> since <date>')"
        case .unsupportedUnit(let unit, let u): "time unit '\(unit)' in '\(u)' is not supported (expected seconds, minutes, hours, days or weeks; months and years are ambiguous in CF)"
        case .unknownCalendar(let c): "calendar '\(c)' is not a CF calendar (expected standard, gregorian, proleptic_gregorian, julian, noleap, 365_day, all_leap, 366_day or 360_day)"
        case .badReferenceDate(let u): "reference date in '\(u)' is not a date (expected YYYY-MM-DD[ hh:mm:ss])"
        case .unsupportedTimeZone(let u): "time zone in '\(u)' is not UTC; only UTC reference dates are supported"
        case .valueOutOfRange(let v, let u): "time value \(v) (\(u)) is not a date (expected a finite value within ±1e17 s of the reference date)"
        }
    }
}
