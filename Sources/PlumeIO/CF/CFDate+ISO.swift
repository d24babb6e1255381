

extension CFDate {
    /// Parses an ISO 8601 date or date-time in `calendar`: `2000-01-10`, `2000-01-10T06`,
    /// `2000-01-10T06:00`, `2000-01-10T06:00:00` (a space for `T` and a trailing `Z` also).
    /// - Returns: nil when the text is not such a date or a field is out of range.
    public static func parseISO(_ text: String, calendar: CFCalendar = .standard) -> CFDate? {
        var body = Substring(text)
        if body.hasSuffix("Z") { body = body.dropLast() }
        let halves = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "T" || $0 == " " })
        guard halves.count == 1 || halves.count == 2 else { return nil }
        let ymd = halves[0].split(separator: "-", omittingEmptySubsequences: false)
        guard ymd.count == 3, ymd[0].count == 4, ymd[1].count == 2, ymd[2].count == 2,
              let year = Int(ymd[0]), let month = Int(ymd[1]), let day = Int(ymd[2]),
              (1...12).contains(month), day >= 1, day <= calendar.daysInMonth(year: year, month: month) else { return nil }
        var hms = [0, 0, 0]
        if halves.count == 2 {
            let parts = halves[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count) else { return nil }
            for (index, part) in parts.enumerated() {
                guard part.count == 2, let value = Int(part) else { return nil }
                hms[index] = value
            }
            guard hms[0] < 24, hms[1] < 60, hms[2] < 60 else { return nil }
        }
        return CFDate(year: year, month: month, day: day, hour: hms[0], minute: hms[1], second: Double(hms[2]))
    }

    /// `YYYY-MM-DDTHH:MM:SS`, whole seconds.
    public var isoDateTime: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + two(month) + "-" + two(day)
            + "T" + two(hour) + ":" + two(minute) + ":" + two(Int(second.rounded(.down)))
    }
}
