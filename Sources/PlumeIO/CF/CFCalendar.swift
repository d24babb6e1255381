/// The calendars of the CF conventions (§4.4.1).
public enum CFCalendar: String, Sendable, CaseIterable {
    /// Mixed Julian/Gregorian: Julian up to 1582-10-04, Gregorian from 1582-10-15.
    case standard
    case proleptic_gregorian
    case julian
    /// 365 days every year (`noleap`, `365_day`).
    case noleap
    /// 366 days every year (`all_leap`, `366_day`).
    case all_leap
    /// Twelve months of 30 days (`360_day`).
    case day360 = "360_day"

    /// Parses a CF `calendar` attribute (case-insensitive, with the CF aliases). Nil when unknown.
    public init?(attribute: String) {
        switch attribute.lowercased().trimmingCharacters(in: .whitespaces) {
        case "standard", "gregorian": self = .standard
        case "proleptic_gregorian": self = .proleptic_gregorian
        case "julian": self = .julian
        case "noleap", "365_day": self = .noleap
        case "all_leap", "366_day": self = .all_leap
        case "360_day": self = .day360
        default: return nil
        }
    }

    /// Days in `month` (1…12) of `year` in this calendar.
    public func daysInMonth(year: Int, month: Int) -> Int {
        let normal = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        switch self {
        case .day360: return 30
        case .noleap: return normal[month - 1]
        case .all_leap: return month == 2 ? 29 : normal[month - 1]
        case .julian: return month == 2 && year % 4 == 0 ? 29 : normal[month - 1]
        case .proleptic_gregorian: return month == 2 && Self.gregorianLeap(year) ? 29 : normal[month - 1]
        case .standard:
            if year < 1582 || (year == 1582 && month < 10) { return Self.julian.daysInMonth(year: year, month: month) }
            return Self.proleptic_gregorian.daysInMonth(year: year, month: month)
        }
    }

    static func gregorianLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    /// A day count for the date (consecutive days are consecutive integers). For the
    /// real-world calendars this is the Julian Day Number.
    func dayNumber(year: Int, month: Int, day: Int) -> Int {
        switch self {
        case .proleptic_gregorian: return Self.gregorianJDN(year, month, day)
        case .julian: return Self.julianJDN(year, month, day)
        case .standard:
            return (year, month, day) < (1582, 10, 15) ? Self.julianJDN(year, month, day) : Self.gregorianJDN(year, month, day)
        case .noleap, .all_leap:
            let yearLength = self == .noleap ? 365 : 366
            var days = year * yearLength
            for m in 1..<month { days += daysInMonth(year: year, month: m) }
            return days + day - 1
        case .day360:
            return year * 360 + (month - 1) * 30 + day - 1
        }
    }

    /// The date of a day count; inverse of `dayNumber`.
    func date(dayNumber n: Int) -> (year: Int, month: Int, day: Int) {
        switch self {
        case .proleptic_gregorian: return Self.gregorianDate(n)
        case .julian: return Self.julianDate(n)
        case .standard: return n >= 2_299_161 ? Self.gregorianDate(n) : Self.julianDate(n)
        case .noleap, .all_leap:
            let yearLength = self == .noleap ? 365 : 366
            let year = Int((Double(n) / Double(yearLength)).rounded(.down))
            var rest = n - year * yearLength
            var month = 1
            while rest >= daysInMonth(year: year, month: month) {
                rest -= daysInMonth(year: year, month: month)
                month += 1
            }
            return (year, month, rest + 1)
        case .day360:
            let year = Int((Double(n) / 360).rounded(.down))
            let rest = n - year * 360
            return (year, rest / 30 + 1, rest % 30 + 1)
        }
    }

    // Julian Day Numbers (Richards, "Mapping Time", algorithms valid for all integer years
    // through floor division).
    static func gregorianJDN(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let a = floorDiv(14 - m, 12)
        let yy = y + 4800 - a
        let mm = m + 12 * a - 3
        return d + floorDiv(153 * mm + 2, 5) + 365 * yy + floorDiv(yy, 4) - floorDiv(yy, 100) + floorDiv(yy, 400) - 32045
    }

    static func julianJDN(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let a = floorDiv(14 - m, 12)
        let yy = y + 4800 - a
        let mm = m + 12 * a - 3
        return d + floorDiv(153 * mm + 2, 5) + 365 * yy + floorDiv(yy, 4) - 32083
    }

    static func gregorianDate(_ jdn: Int) -> (Int, Int, Int) {
        let a = jdn + 32044
        let b = floorDiv(4 * a + 3, 146_097)
        let c = a - floorDiv(146_097 * b, 4)
        let d = floorDiv(4 * c + 3, 1461)
        let e = c - floorDiv(1461 * d, 4)
        let m = floorDiv(5 * e + 2, 153)
        return (100 * b + d - 4800 + floorDiv(m, 10), m + 3 - 12 * floorDiv(m, 10), e - floorDiv(153 * m + 2, 5) + 1)
    }

    static func julianDate(_ jdn: Int) -> (Int, Int, Int) {
        let c = jdn + 32082
        let d = floorDiv(4 * c + 3, 1461)
        let e = c - floorDiv(1461 * d, 4)
        let m = floorDiv(5 * e + 2, 153)
        return (d - 4800 + floorDiv(m, 10), m + 3 - 12 * floorDiv(m, 10), e - floorDiv(153 * m + 2, 5) + 1)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
