import Foundation
import PlumeIO

/// Observations from a CSV file. The first line names the columns (any order; names are
/// case-insensitive):
///
/// | column | required | meaning |
/// |---|---|---|
/// | `time` | yes | ISO 8601, UTC (`2017-01-01T06:00:00Z`, `2017-01-01 06:00`) |
/// | `latitude` | yes | degrees north, −90…90 |
/// | `longitude` | yes | degrees east, −180…360 |
/// | `altitude` | no | m above sea level |
/// | `pressure` | no | Pa (not both altitude and pressure in one row) |
/// | `variable` | yes | Plume's name: `co2` (mol/mol), `t` (K), `u`, `v` (m/s), `z` (m²/s²), `p` (Pa) |
/// | `value` | yes | in the variable's SI units |
/// | `sigma` | no | observation error, same units, > 0 |
/// | `site` | yes | station or site identifier |
///
/// Blank lines and lines starting with `#` are not records. Fields may be double-quoted
/// (with `""` for a quote). Every other line is a record: read, or — in lenient mode —
/// skipped with its reason. A record repeating an earlier one's time, position, vertical,
/// variable and value is malformed ("duplicate of line K"). Records outside the time
/// window are skipped in every mode with the reason "outside the window …".
public enum ObservationCSV {
    public static let columns = ["time", "latitude", "longitude", "altitude", "pressure", "variable", "value", "sigma", "site"]
    static let required = ["time", "latitude", "longitude", "variable", "value", "site"]

    /// Reads `path` into `table`.
    /// - Parameter window: when given, records whose time is outside it are skipped (in
    ///   every mode), each with the reason.
    /// - Throws: `ObservationError` for an unreadable file or header, and in strict mode
    ///   for the first malformed record (naming `FILE:LINE`).
    public static func read(_ path: String, into table: inout ObservationTable, mode: ReadingMode = .strict,
                            window: ClosedRange<CFDate>? = nil) throws(ObservationError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: path, reason: "cannot be read as UTF-8 text")
        }
        var header: [String: Int]?
        var seen: [DuplicateKey: Int] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let source = "\(path):\(number + 1)"
            guard let fields = split(String(line)) else {
                if header == nil { throw .unreadable(file: path, reason: "line \(number + 1): an unclosed quote in the header") }
                table.recordsInFiles += 1
                try reject(source, "an unclosed quote", mode: mode, table: &table)
                continue
            }
            guard let columns = header else {
                var found: [String: Int] = [:]
                for (i, name) in fields.enumerated() {
                    let key = name.trimmingCharacters(in: .whitespaces).lowercased()
                    guard Self.columns.contains(key) else {
                        throw .unreadable(file: path, reason: "line \(number + 1): unknown column '\(name)'; the columns are \(Self.columns.joined(separator: ", "))")
                    }
                    guard found[key] == nil else { throw .unreadable(file: path, reason: "line \(number + 1): column '\(key)' twice") }
                    found[key] = i
                }
                if let missing = required.first(where: { found[$0] == nil }) {
                    throw .unreadable(file: path, reason: "line \(number + 1): the header has no '\(missing)' column (required: \(required.joined(separator: ", ")))")
                }
                header = found
                continue
            }
            table.recordsInFiles += 1
            switch parse(fields, columns: columns, source: source) {
            case .success(let observation):
                if let reason = ObservationWindow.outside(window, observation.time) {
                    table.skipped.append(SkippedRecord(source: source, reason: reason))
                } else if let earlier = seen[DuplicateKey(observation)] {
                    try reject(source, "duplicate of line \(earlier) (same time, position, vertical, variable and value)", mode: mode, table: &table)
                } else {
                    seen[DuplicateKey(observation)] = number + 1
                    table.observations.append(observation)
                }
            case .failure(let failure): try reject(source, failure.reason, mode: mode, table: &table)
            }
        }
        guard header != nil else { throw .unreadable(file: path, reason: "no header line (expected \(required.joined(separator: ",")), …)") }
    }

    static func reject(_ source: String, _ reason: String, mode: ReadingMode, table: inout ObservationTable) throws(ObservationError) {
        switch mode {
        case .strict: throw .malformed(source: source, reason: reason)
        case .lenient: table.skipped.append(SkippedRecord(source: source, reason: reason))
        }
    }

    static func parse(_ fields: [String], columns: [String: Int], source: String) -> Result<Observation, ObservationCSVFailure> {
        func field(_ name: String) -> String? {
            guard let i = columns[name], i < fields.count else { return nil }
            let value = fields[i].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        func number(_ name: String) -> Result<Double?, ObservationCSVFailure> {
            guard let text = field(name) else { return .success(nil) }
            guard let value = Double(text), value.isFinite else { return .failure(ObservationCSVFailure("\(name) '\(text)' is not a finite number")) }
            return .success(value)
        }
        guard fields.count == columns.count else {
            return .failure(ObservationCSVFailure("\(fields.count) fields, the header has \(columns.count)"))
        }
        guard let timeText = field("time"), let time = CFDate.parseISO(timeText) else {
            return .failure(ObservationCSVFailure("time '\(field("time") ?? "")' is not an ISO 8601 date-time"))
        }
        let values: [String: Double?]
        do {
            var found: [String: Double?] = [:]
            for name in ["latitude", "longitude", "altitude", "pressure", "value", "sigma"] {
                found[name] = try number(name).get()
            }
            values = found
        } catch let failure as ObservationCSVFailure {
            return .failure(failure)
        } catch {
            return .failure(ObservationCSVFailure("\(error)"))
        }
        guard let latitude = values["latitude"] ?? nil, (-90...90).contains(latitude) else {
            return .failure(ObservationCSVFailure("latitude \(field("latitude") ?? "(empty)") is not within −90…90"))
        }
        guard let longitude = values["longitude"] ?? nil, (-180...360).contains(longitude) else {
            return .failure(ObservationCSVFailure("longitude \(field("longitude") ?? "(empty)") is not within −180…360"))
        }
        guard let value = values["value"] ?? nil else { return .failure(ObservationCSVFailure("no value")) }
        guard let variable = field("variable") else { return .failure(ObservationCSVFailure("no variable")) }
        guard let site = field("site") else { return .failure(ObservationCSVFailure("no site")) }
        let sigma = values["sigma"] ?? nil
        if let sigma, sigma <= 0 { return .failure(ObservationCSVFailure("sigma \(sigma) must be positive")) }
        let altitude = values["altitude"] ?? nil, pressure = values["pressure"] ?? nil
        if altitude != nil, pressure != nil { return .failure(ObservationCSVFailure("both altitude and pressure: give one")) }
        if let pressure, pressure <= 0 { return .failure(ObservationCSVFailure("pressure \(pressure) Pa must be positive")) }
        let vertical: Observation.Vertical? = altitude.map { .altitudeM($0) } ?? pressure.map { .pressurePa($0) }
        return .success(Observation(time: time, latitude: latitude, longitude: longitude, vertical: vertical, variable: variable,
                                    value: value, sigma: sigma, site: site, source: source))
    }

    /// The fields of a CSV line (double quotes, `""` inside them); nil for an unclosed quote.
    static func split(_ line: String) -> [String]? {
        var fields: [String] = []
        var current = ""
        var quoted = false
        let characters = Array(line)
        var i = 0
        while i < characters.count {
            let ch = characters[i]
            if quoted {
                if ch == "\"" {
                    if i + 1 < characters.count, characters[i + 1] == "\"" { current.append("\""); i += 1 } else { quoted = false }
                } else {
                    current.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(ch)
            }
            i += 1
        }
        guard !quoted else { return nil }
        fields.append(current)
        return fields
    }
}

/// What makes two CSV records duplicates: time, position, vertical, variable and value.
struct DuplicateKey: Hashable {
    var time: [Double]
    var position: [Double]
    var vertical: [Double]
    var variable: String
    var value: Double

    init(_ o: Observation) {
        time = [Double(o.time.year), Double(o.time.month), Double(o.time.day), Double(o.time.hour), Double(o.time.minute), o.time.second]
        position = [o.latitude, o.longitude]
        switch o.vertical {
        case .altitudeM(let h)?: vertical = [0, h]
        case .pressurePa(let p)?: vertical = [1, p]
        case nil: vertical = []
        }
        variable = o.variable
        value = o.value
    }
}

/// Why a CSV record was not read.
struct ObservationCSVFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
