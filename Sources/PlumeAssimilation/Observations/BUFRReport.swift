import Foundation
import PlumeIO

/// One BUFR report (subset) turned into observations: its station, time and position,
/// then its values in descriptor order. `BUFRObservations` documents the rules.
struct BUFRReport {
    struct Failure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Standard gravity (m/s²): geopotential = geopotential height (gpm) × g.
    static let gravity = 9.80665

    let site: String
    let time: CFDate
    let latitude: Double
    let longitude: Double
    /// Station ground above sea level (m); nil when the report gives none.
    let elevation: Double?
    /// Barometer above sea level (m), for station pressure; the elevation when not given.
    let barometer: Double?

    /// The station, time and position of a report.
    /// - Returns: a failure naming what is missing or out of range, with what was expected.
    static func station(_ elements: [BUFRElement], kind: BUFRReportKind, dataCategory: Int?) -> Result<BUFRReport, Failure> {
        var first: [String: BUFRElement] = [:]
        for e in elements where first[e.name] == nil { first[e.name] = e }
        func number(_ name: String) -> Double? { first[name]?.number }
        func required(_ name: String, _ expected: String) -> Result<Double, Failure> {
            guard let e = first[name] else { return .failure(Failure("no \(name) element (expected \(expected))")) }
            guard let v = e.number else { return .failure(Failure("\(name) is missing (expected \(expected))")) }
            return .success(v)
        }
        let time: CFDate
        do throws(Failure) {
            let year = try required("year", "the report's year").get()
            let month = try required("month", "the report's month, 1…12").get()
            let day = try required("day", "the report's day of month").get()
            let hour = try required("hour", "the report's hour, 0…23").get()
            let minute = number("minute") ?? 0
            let second = number("second") ?? 0
            guard (1...9999).contains(year), (1...12).contains(month) else {
                return .failure(Failure("date \(text(year))-\(text(month)) is not a date (expected a year 1…9999 and a month 1…12)"))
            }
            let days = CFCalendar.standard.daysInMonth(year: Int(year), month: Int(month))
            guard day >= 1, day <= Double(days), (0...23).contains(hour), (0...59).contains(minute), second >= 0, second < 61 else {
                return .failure(Failure("time \(text(year))-\(text(month))-\(text(day)) \(text(hour)):\(text(minute)):\(text(second)) is not a date and time (expected day 1…\(days), hour 0…23, minute 0…59, second 0…60)"))
            }
            time = CFDate(year: Int(year), month: Int(month), day: Int(day), hour: Int(hour), minute: Int(minute), second: second)
            // ecCodes scales by powers of ten in binary: the South Pole comes as −90.00000000000001.
            let latitude = try required("latitude", "degrees north, −90…90").get()
            let longitude = try required("longitude", "degrees east, −180…360").get()
            guard abs(latitude) <= 90 + 1e-9 else { return .failure(Failure("latitude \(text(latitude)) is not within −90…90")) }
            guard longitude >= -180 - 1e-9, longitude <= 360 + 1e-9 else { return .failure(Failure("longitude \(text(longitude)) is not within −180…360")) }
            let elevation = number("heightOfStationGroundAboveMeanSeaLevel") ?? number("heightOfStation") ?? (dataCategory == 1 ? 0 : nil)
            return .success(BUFRReport(site: site(first), time: time, latitude: min(max(latitude, -90), 90),
                                       longitude: min(max(longitude, -180), 360),
                                       elevation: elevation, barometer: number("heightOfBarometerAboveMeanSeaLevel") ?? elevation))
        } catch {
            return .failure(error)
        }
    }

    /// A number as a report gives it, to ten significant digits (ecCodes' decimal scaling
    /// in binary gives 400.00000000000006 for 400): whole numbers without a fraction.
    static func text(_ value: Double) -> String {
        String(format: "%.10g", value)
    }

    /// The station identifier: the WMO number (block × 1000 + station, five digits), else
    /// the WIGOS identifier (`series-issuer-issue-local`), else the station or site name,
    /// the ship or mobile station call sign, the aircraft registration; "" when none.
    static func site(_ first: [String: BUFRElement]) -> String {
        if let block = first["blockNumber"]?.number, let station = first["stationNumber"]?.number,
           (0...99).contains(block), (0...999).contains(station) {
            let number = String(Int(block) * 1000 + Int(station))
            return String(repeating: "0", count: max(0, 5 - number.count)) + number
        }
        if let local = first["wigosLocalIdentifierCharacter"]?.text {
            if let series = first["wigosIdentifierSeries"]?.number, let issuer = first["wigosIssuerOfIdentifier"]?.number,
               let issue = first["wigosIssueNumber"]?.number {
                return "\(text(series))-\(text(issuer))-\(text(issue))-\(local)"
            }
            return local
        }
        for key in ["stationOrSiteName", "shipOrMobileLandStationIdentifier", "aircraftRegistrationNumberOrOtherIdentification"] {
            if let text = first[key]?.text { return text }
        }
        return ""
    }

    /// The report's observations; values that are missing or cannot be placed are counted
    /// in `summary`.
    func observations(_ elements: [BUFRElement], kind: BUFRReportKind, source: String, summary: inout BUFRReadSummary) -> [Observation] {
        var walk = Walk(report: self, kind: kind, source: source)
        for e in elements where !BUFRReportKind.stationKeys.contains(e.name) && !BUFRReportKind.textKeys.contains(e.name) {
            if let problem = e.problem {
                walk.unplaced[problem, default: 0] += 1
                continue
            }
            if e.number == nil { walk.missing[e.name, default: 0] += 1 }
            switch kind {
            case .surface: walk.surface(e)
            case .sounding: walk.sounding(e)
            }
        }
        walk.finish()
        for (k, n) in walk.missing { summary.missingValues[k, default: 0] += n }
        for (k, n) in walk.unplaced { summary.unplaced[k, default: 0] += n }
        for o in walk.out { summary.observationsByVariable[o.variable, default: 0] += 1 }
        return walk.out
    }
}
