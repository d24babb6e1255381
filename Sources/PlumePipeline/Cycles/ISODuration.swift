import PlumeIO

/// An ISO 8601 duration as cycling workflows write them: `PT6H`, `P1D`, `P1M`, `P1Y2M3DT4H5M6S`,
/// `P2W` (Cylc's cycle steps).
///
/// Years and months are calendar units: adding them moves the month and keeps the day,
/// clamped to the length of the new month (31 January + P1M = 28 or 29 February); days,
/// hours, minutes and seconds are exact lengths, counted in the dates' calendar.
public struct ISODuration: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var years = 0
    public var months = 0
    /// Days, including weeks (P2W is 14 days).
    public var days = 0
    public var hours = 0
    public var minutes = 0
    public var seconds = 0

    public init(years: Int = 0, months: Int = 0, days: Int = 0, hours: Int = 0, minutes: Int = 0, seconds: Int = 0) {
        self.years = years
        self.months = months
        self.days = days
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    /// Parses `text` (whole numbers only; at least one component; `T` before time components).
    /// - Throws: `PipelineError.invalidValue` naming the text and the expected form.
    public init(_ text: String) throws(PipelineError) {
        func fail(_ why: String) -> PipelineError {
            .invalidValue(what: "duration '\(text)'", reason: "\(why) (expected ISO 8601 such as PT6H, P1D, P1M or P1Y2M3DT4H)")
        }
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard rest.first == "P" else { throw fail("does not start with P") }
        rest = rest.dropFirst()
        var inTime = false, any = false, number = ""
        var seen: Set<String> = []
        for ch in rest {
            if ch.isASCII, ch.isNumber { number.append(ch); continue }
            if ch == "T" {
                guard !inTime, number.isEmpty else { throw fail("misplaced T") }
                inTime = true
                continue
            }
            guard let value = Int(number) else { throw fail("'\(ch)' has no number before it") }
            number = ""
            let unit = (inTime ? "T" : "") + String(ch)
            guard seen.insert(unit).inserted else { throw fail("\(ch) appears twice") }
            switch unit {
            case "Y": years = value
            case "M": months = value
            case "W": days += 7 * value
            case "D": days += value
            case "TH": hours = value
            case "TM": minutes = value
            case "TS": seconds = value
            default: throw fail("unknown unit '\(ch)'\(inTime ? " after T" : "")")
            }
            any = true
        }
        guard number.isEmpty else { throw fail("a number without a unit at the end") }
        guard any else { throw fail("no components") }
    }

    /// Whether every component is zero.
    public var isZero: Bool { years == 0 && months == 0 && days == 0 && hours == 0 && minutes == 0 && seconds == 0 }

    /// The exact part, in seconds (days, hours, minutes, seconds).
    public var exactSeconds: Int { ((days * 24 + hours) * 60 + minutes) * 60 + seconds }

    /// `date` moved forward by this duration in `calendar`: months first (the day clamped to
    /// the new month's length), then the exact part.
    public func advance(_ date: CFDate, calendar: CFCalendar) -> CFDate {
        var moved = date
        let totalMonths = date.month - 1 + months + 12 * years
        moved.year = date.year + Int((Double(totalMonths) / 12).rounded(.down))
        moved.month = totalMonths - 12 * (moved.year - date.year) + 1
        moved.day = min(date.day, calendar.daysInMonth(year: moved.year, month: moved.month))
        guard exactSeconds != 0 else { return moved }
        let clock = CFTimeUnits(secondsPerUnit: 1, reference: moved, calendar: calendar)
        return clock.date(Double(exactSeconds))
    }

    /// The canonical text (`P1Y2M3DT4H5M6S`, zero components left out; `PT0S` when all are zero).
    public var description: String {
        var text = "P"
        if years != 0 { text += "\(years)Y" }
        if months != 0 { text += "\(months)M" }
        if days != 0 { text += "\(days)D" }
        if hours != 0 || minutes != 0 || seconds != 0 || isZero {
            text += "T"
            if hours != 0 { text += "\(hours)H" }
            if minutes != 0 { text += "\(minutes)M" }
            if seconds != 0 || isZero { text += "\(seconds)S" }
        }
        return text
    }
}
