import Foundation
import PlumeIO

/// CO2 observations from an ObsPack data file (NOAA GML's ObsPack netCDF format, classic or
/// netCDF-4), read through `NetCDFFile`. One record per index of the `obs` dimension:
///
/// | variable | required | meaning |
/// |---|---|---|
/// | `time` | one of the two | seconds (CF units attribute, e.g. `seconds since 1970-01-01T00:00:00Z`), UTC |
/// | `time_components` | one of the two | int [obs, 6]: year, month, day, hour, minute, second, UTC |
/// | `latitude` | yes | degrees north, −90…90 |
/// | `longitude` | yes | degrees east, −180…360 |
/// | `altitude` | no | m above sea level (else `intake_height` + global `site_elevation`; else no vertical) |
/// | `value` | yes | CO2 mole fraction; `units` `mol mol-1`, `mol/mol` or `1`; `ppm`, `micromol mol-1` are converted (× 1e-6) |
/// | `value_unc` | no | its uncertainty, same units rules → `sigma` (fill values: no sigma) |
/// | `obs_flag` | no | 1 representative, 0 not: kept in `Observation.qcFlag`, never dropped |
/// | `obspack_id` | no | char [obs, n] or string [obs]: named in the record's source |
///
/// The site is the global attribute `site_code`, else the second `_`-separated part of the
/// file name (`co2_mlo_surface-insitu_1_allvalid.nc` → `MLO`). A file whose
/// `dataset_parameter` is not `co2` is refused. Records are named
/// `FILE:record K (obspack_id)` (K from 1).
///
/// A record is malformed — an error in strict mode, skipped with its reason in lenient
/// mode — when a required value is a fill value (`_FillValue`, `missing_value`, the type's
/// default fill), NaN or outside `valid_range`; when its time is not a date; its position
/// is out of range; its value is not a plausible CO2 mole fraction (1e-4…1e-2 mol/mol);
/// its uncertainty is not positive; or it repeats an earlier record's time, position,
/// altitude and value ("duplicate of record K"). Records outside `window` are skipped in
/// every mode with the reason "outside the window …" (they are not errors): read +
/// skipped = records in the file.
public enum ObsPackNetCDF {
    /// `units` of values in mol/mol.
    public static let molPerMol: Set<String> = ["mol mol-1", "mol/mol", "1", "mol mol^-1", "mol.mol-1"]
    /// `units` of values in µmol/mol, converted × 1e-6.
    public static let microMolPerMol: Set<String> = [
        "ppm", "ppmv", "micromol mol-1", "micromol/mol", "umol mol-1", "umol/mol", "µmol mol-1", "µmol/mol", "μmol mol-1", "μmol/mol",
    ]
    /// Plausible CO2 mole fractions (mol/mol): a value outside is a malformed record.
    public static let plausibleCO2: ClosedRange<Double> = 1e-4...1e-2

    /// Reads the records of `path` into `table`.
    /// - Parameter window: when given, records whose time is outside it are skipped (in
    ///   every mode), each with the reason.
    /// - Returns: the site, the units converted and how many records went where.
    /// - Throws: `ObservationError.unreadable` naming the file and what is missing or wrong
    ///   (a required variable, with the variables the file has; units; dimensions); in
    ///   strict mode `.malformed` for the first malformed record, naming `FILE:record K`.
    @discardableResult
    public static func read(_ path: String, into table: inout ObservationTable, mode: ReadingMode = .strict,
                            window: ClosedRange<CFDate>? = nil) throws(ObservationError) -> ObsPackSummary {
        let file: NetCDFFile
        do {
            file = try NetCDFFile(path: path)
        } catch {
            throw .unreadable(file: path, reason: "cannot be read as netCDF: \(error)")
        }
        let layout = try ObsPackLayout(file: file, path: path)
        let n = layout.records
        var summary = ObsPackSummary(file: path, site: layout.site, valueUnits: layout.valueUnits, valueScale: layout.valueScale)
        summary.records = n
        table.recordsInFiles += n
        var seen: [ObsPackLayout.RecordKey: Int] = [:]
        for i in 0..<n {
            var source = "\(path):record \(i + 1)"
            if let id = layout.ids?[i], !id.isEmpty { source += " (\(id))" }
            switch layout.observation(i, source: source, window: window) {
            case .success(let (observation, key)):
                if let earlier = seen[key] {
                    summary.malformed += 1
                    try reject(source, "duplicate of record \(earlier + 1) (same time, position, altitude and value)", mode: mode, table: &table)
                    continue
                }
                seen[key] = i
                table.observations.append(observation)
                summary.read += 1
                if observation.qcFlag == 0 { summary.notRepresentative += 1 }
            case .failure(.outsideWindow(let reason)):
                summary.outsideWindow += 1
                table.skipped.append(SkippedRecord(source: source, reason: reason))
            case .failure(.malformed(let reason)):
                summary.malformed += 1
                try reject(source, reason, mode: mode, table: &table)
            }
        }
        return summary
    }

    static func reject(_ source: String, _ reason: String, mode: ReadingMode, table: inout ObservationTable) throws(ObservationError) {
        switch mode {
        case .strict: throw .malformed(source: source, reason: reason)
        case .lenient: table.skipped.append(SkippedRecord(source: source, reason: reason))
        }
    }

    /// The factor to mol/mol of `units` given to `variable`.
    static func scale(_ units: String, variable: String, path: String) throws(ObservationError) -> Double {
        let key = units.trimmingCharacters(in: .whitespaces).lowercased()
        if molPerMol.contains(key) { return 1 }
        if microMolPerMol.contains(key) { return 1e-6 }
        throw .unreadable(file: path, reason: "variable '\(variable)' has units '\(units)', expected mol mol-1 (or mol/mol, 1; ppm and micromol mol-1 are converted)")
    }

    /// The site code in an ObsPack file name: `co2_mlo_surface-insitu_1_allvalid.nc` → `MLO`.
    static func site(fromFileName path: String) -> String {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let parts = name.split(separator: "_")
        return parts.count > 1 ? parts[1].uppercased() : name
    }

    /// A number in a reason: up to ten significant digits.
    static func shown(_ value: Double) -> String {
        String(format: "%.10g", value)
    }
}
