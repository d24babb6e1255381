import PlumeIO

/// SYNOP and TEMP observations from a BUFR file (editions 3 and 4, compressed or not),
/// decoded by ecCodes through `BUFRFile`.
///
/// **Records.** A record is one report: one subset of one message, named
/// `FILE:message M subset S` (both counted from 1, as `bufr_ls` counts messages). A message
/// ecCodes cannot unpack is one record, `FILE:message M` (its reports cannot be counted).
/// Each record is read, or — malformed, in lenient mode — skipped with its reason, so
/// read + skipped = `ObservationTable.recordsInFiles`.
///
/// **Which reports.** By the message's data category: 0 and 1 (surface, land and sea:
/// SYNOP, SHIP) and 2 (vertical soundings: TEMP). Reports of other categories (aircraft,
/// satellite…) are malformed records here: an error in strict mode, skipped in lenient.
///
/// **Station, time, position** (the first occurrence in the report of each key):
/// - site: the WMO number `blockNumber`×1000 + `stationNumber` as five digits (`"06260"`),
///   else the WIGOS identifier (`0-20000-0-LOCAL`), else `stationOrSiteName`,
///   `shipOrMobileLandStationIdentifier`, `aircraftRegistrationNumberOrOtherIdentification`;
///   `""` when the report has none;
/// - time (UTC): `year`, `month`, `day`, `hour` required; `minute`, `second` 0 when absent
///   or missing;
/// - `latitude` (−90…90) and `longitude` (−180…360), required;
/// - elevation (m above sea level): `heightOfStationGroundAboveMeanSeaLevel`, else
///   `heightOfStation`, else 0 for sea reports (category 1), else unknown.
/// A report without a usable time or position is malformed.
///
/// **Surface values** (vertical `.altitudeM`: elevation + the latest
/// `heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform` before the value, else + 2 m for
/// temperature and humidity, + 10 m for wind; nil when the elevation is unknown):
/// `airTemperature`/`airTemperatureAt2M` → `t` (K), `dewpointTemperature`/`…At2M` → `td`
/// (K), `relativeHumidity` → `rh` (fraction, the report's % ÷ 100),
/// `pressureReducedToMeanSeaLevel` → `msl` (Pa, vertical nil: a reduced value),
/// `nonCoordinatePressure` → `p` (Pa, at `heightOfBarometerAboveMeanSeaLevel`, else the
/// elevation), geopotential of a standard level (high stations) → `z` (m²/s²) at
/// `.pressurePa(pressure)`; `windDirection` + `windSpeed` (or the `…At10M` pair) → `u`,
/// `v` (m/s): u = −s·sin(dir), v = −s·cos(dir).
///
/// **Sounding values**, by level: each `pressure` opens a level (vertical
/// `.pressurePa`); `airTemperature` → `t`, `dewpointTemperature` → `td`,
/// `relativeHumidity` → `rh`, `nonCoordinateGeopotential`/`geopotential` (m²/s²) or
/// `nonCoordinateGeopotentialHeight`/`geopotentialHeight` (gpm × 9.80665) → `z`, wind →
/// `u`, `v`. Levels with `latitudeDisplacement`/`longitudeDisplacement` and a time
/// displacement (`timePeriod` before the level's pressure) move from the launch site and
/// time; others are at the station and launch time.
///
/// Units come from the key, and for keys shared by descriptors of different units (wind
/// speed in km/h or knots, dew point in °C, time periods) from each element's descriptor.
/// Missing values are absent, not errors; they, and values that cannot be placed (a wind
/// speed without direction, a level without pressure), are counted in the returned
/// `BUFRReadSummary`.
public enum BUFRObservations {
    /// Reads every report of `path` into `table`.
    /// - Returns: what was read, by variable, and what was missing or not placed.
    /// - Throws: `ObservationError.unreadable` naming the file when it holds no BUFR
    ///   message; in strict mode `.malformed` for the first malformed record, naming
    ///   `FILE:message M subset S`.
    @discardableResult
    public static func read(_ path: String, into table: inout ObservationTable, mode: ReadingMode = .strict) throws(ObservationError) -> BUFRReadSummary {
        let file: BUFRFile
        do {
            file = try BUFRFile(path: path)
        } catch {
            throw .unreadable(file: path, reason: Self.reason(error))
        }
        var summary = BUFRReadSummary(file: path)
        summary.messages = file.messages.count
        func reject(_ source: String, _ reason: String) throws(ObservationError) {
            summary.reports += 1
            summary.reportsSkipped += 1
            table.recordsInFiles += 1
            switch mode {
            case .strict: throw .malformed(source: source, reason: reason)
            case .lenient: table.skipped.append(SkippedRecord(source: source, reason: reason))
            }
        }
        for index in file.messages.indices {
            let prefix = "\(path):message \(index + 1)"
            let message: BUFRMessage
            do {
                message = try file.message(index, keyAttributes: false)
            } catch {
                try reject(prefix, "ecCodes cannot decode the message: " + Self.reason(error))
                continue
            }
            let subsets = message.subsetCount
            let category = message.dataCategory
            guard let kind = BUFRReportKind(dataCategory: category) else {
                for s in 0..<subsets {
                    try reject("\(prefix) subset \(s + 1)",
                               "\(BUFRReportKind.categoryName(category)) is not read (expected SYNOP or SHIP, categories 0 and 1, or TEMP, category 2)")
                }
                continue
            }
            let reports: [[BUFRElement]]
            switch BUFRReportElements.reports(message, subsets: subsets, kind: kind) {
            case .success(let split): reports = split
            case .failure(let failure):
                for s in 0..<subsets { try reject("\(prefix) subset \(s + 1)", "the message's reports cannot be told apart: \(failure.reason)") }
                continue
            }
            for (s, elements) in reports.enumerated() {
                let source = "\(prefix) subset \(s + 1)"
                switch BUFRReport.station(elements, kind: kind, dataCategory: category) {
                case .failure(let failure):
                    try reject(source, failure.reason)
                case .success(let report):
                    summary.reports += 1
                    summary.reportsRead += 1
                    table.recordsInFiles += 1
                    let observations = report.observations(elements, kind: kind, source: source, summary: &summary)
                    if observations.isEmpty { summary.reportsWithoutValues += 1 }
                    table.observations += observations
                }
            }
        }
        return summary
    }

    /// What a `PlumeIOError` says, without the file name the record's source already gives.
    static func reason(_ error: PlumeIOError) -> String {
        switch error {
        case .corruptMessage(_, _, let offset, let reason): "\(reason) (byte offset \(offset))"
        case .cannotOpen(_, let reason): reason
        case .unrecognisedFormat(_, let expected, let found): "expected \(expected), found \(found)"
        default: error.description
        }
    }
}
