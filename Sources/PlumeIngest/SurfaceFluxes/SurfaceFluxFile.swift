import Foundation
import PlumeGrids
import PlumeIO
import PlumeRegrid

/// Surface CO2 fluxes read from CF netCDF or GRIB files into a `SurfaceFluxArrays` on a
/// `TransportGrid`.
///
/// A reader that returns `SurfaceFluxArrays`, not a provider type of its own: the files are
/// read, checked and put on the transport grid once, and the time integration (exact means
/// over any interval, `cyclic`) stays in one place, `SurfaceFluxArrays.meanFluxes`.
///
/// **Variables**, by name: `co2flux_land`, `co2flux_ocean`, `co2flux_anthro` (CarbonBench,
/// `plume generate carbonbench-mini`), or ECMWF's GRIB short names `co2nbf`, `co2of`,
/// `co2apf` (natural biosphere, ocean, anthropogenic CO2 flux; by variable name or the
/// `GRIB_shortName` attribute; `co2fire` is not added to the land flux). Each is
/// `[time, lat, lon]` (other leading dimensions must have length 1; a reduced Gaussian grid
/// has one `[values]` dimension in place of `[lat, lon]`). Every file must hold at least one of them; a component in no file is zero.
/// Files may split the records in time and/or by component (a land file, an ocean file…),
/// but every component present must end up with the same record times.
///
/// **Units** (the `units` attribute): kg CO2 m⁻² s⁻¹ (`kg m-2 s-1`, `kg/m2/s`,
/// `kg m**-2 s**-1`), kg C m⁻² s⁻¹ (`kgC m-2 s-1`, × 3.664) or mol CO2 m⁻² s⁻¹
/// (`mol m-2 s-1`, × 0.0440095 kg mol⁻¹; also `umol`/`µmol`, × 10⁻⁶ more); anything
/// else is an error. Positive upward (into the atmosphere), as `SurfaceFluxFields`.
///
/// **Time**: each record is the **mean flux over [tᵢ, tᵢ₊₁)**, where tᵢ is its CF time
/// (`time`, or GRIB's `valid_time`; any CF unit "… since …" and calendar). With CF time
/// bounds (the `bounds` attribute, `[time, 2]`) the record covers its bounds instead, and the
/// time value itself only orders the records. Without bounds the records must be equally
/// spaced and the last one lasts as long as the one before; GRIB fields of step type `avg`
/// are stamped at the end of their period, so they cover [tᵢ − Δt, tᵢ). Records must be
/// contiguous and of equal length (`SurfaceFluxArrays` has one `interval`); unequal spacing
/// (e.g. monthly records) is an error. Model time is seconds since 1 January 00 UTC of the
/// year of the first record's start, in the files' calendar (`Loaded.year`, `.calendar`).
///
/// **Horizontal**: the files' grid comes from their latitude/longitude coordinates
/// (`GridFromData`: regular lat-lon, regular or reduced Gaussian). The same cells as the
/// transport grid in another order (rows north to south, longitudes from −180, …) are
/// copied; any other grid is remapped with first-order conservative weights
/// (`ConservativeWeights`), F_i = Σ_k S_ik F_k with S_ik = overlap/area_i, so the global
/// rate Σ F·A is preserved to round-off. Cells outside a regional file's domain get zero
/// flux (the rate of the region is still preserved).
///
/// **Missing values**: a NaN (a fill or missing value after CF decoding) anywhere is an
/// error naming the file, variable, record and cell: fluxes must be defined everywhere.
public enum SurfaceFluxFile {
    /// What was read, with the origin of model time.
    public struct Loaded: Sendable {
        /// The records on the transport grid (kg CO2 m⁻² s⁻¹, `[lat, lon]` each, rows south
        /// to north), from `fluxes.start` (s of model time) every `fluxes.interval` s.
        public let fluxes: SurfaceFluxArrays
        /// Model time 0 is 1 January 00 UTC of this year (the year of the first record's start).
        public let year: Int
        /// The files' CF calendar (`standard` when they have none; GRIB: `proleptic_gregorian`).
        public let calendar: CFCalendar
        /// The components found in the files (the others are zero).
        public let components: SurfaceFluxComponents
        /// Whether some file's grid was remapped conservatively (false: all were copied).
        public let remapped: Bool
    }

    /// The file variables of a flux component: the CarbonBench name and ECMWF GRIB short names.
    public struct ComponentNames: Sendable {
        public let component: SurfaceFluxComponents
        public let name: String
        public let aliases: [String]
    }

    /// Names looked for, in order of preference.
    public static let componentNames: [ComponentNames] = [
        ComponentNames(component: .land, name: "co2flux_land", aliases: ["co2nbf"]),
        ComponentNames(component: .ocean, name: "co2flux_ocean", aliases: ["co2of"]),
        ComponentNames(component: .anthropogenic, name: "co2flux_anthro", aliases: ["co2apf"]),
    ]

    /// kg CO2 per mol CO2.
    public static let kilogramsPerMole = 0.0440095
    /// kg CO2 per kg C (44.0095 / 12.011 ≈ 3.664, as `SyntheticSurfaceFluxes`).
    public static let carbonToCO2 = 3.664

    /// Reads the flux records of `paths` onto `grid` (see the type's discussion).
    /// - Parameter cyclic: the records repeat (e.g. one climatological year), as in
    ///   `SurfaceFluxArrays`.
    public static func read(paths: [String], grid: TransportGrid, cyclic: Bool = false) throws(IngestError) -> SurfaceFluxArrays {
        try load(paths: paths, grid: grid, cyclic: cyclic).fluxes
    }

    /// `read`, with the origin of model time and what was found.
    public static func load(paths: [String], grid: TransportGrid, cyclic: Bool = false) throws(IngestError) -> Loaded {
        guard !paths.isEmpty else { throw .invalidValue(name: "surface flux files", reason: "no file given") }
        var reader = Reader(grid: grid)
        for path in paths { try reader.read(path) }
        return try reader.finish(cyclic: cyclic)
    }

    // MARK: - Units

    /// The factor from `units` to kg CO2 m⁻² s⁻¹, nil when they are not a CO2 mass or molar
    /// flux density. Exponents may be written `m-2`, `m**-2`, `m^-2` or as `/m2`; a `C` or
    /// `CO2` after the mass unit (`kgC`, `kg C`, `mol CO2`) names the substance.
    public static func unitScale(_ units: String) -> Double? {
        var text = units.lowercased()
        for (from, to) in [("**", ""), ("^", ""), ("/", " / "), (".", " "), ("·", " "), ("(", " "), (")", " ")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        // Mass (or amount) units, kg CO2 per unit; longest prefixes first.
        let masses: [(prefix: String, kilograms: Double)] = [
            ("micromol", kilogramsPerMole * 1e-6), ("umol", kilogramsPerMole * 1e-6), ("µmol", kilogramsPerMole * 1e-6),
            ("μmol", kilogramsPerMole * 1e-6), ("mol", kilogramsPerMole), ("kg", 1),
        ]
        var mass: (prefix: String, kilograms: Double)?
        var carbon = false
        var metres = 0, seconds = 0
        var divide = false
        for token in text.split(separator: " ").map(String.init) {
            if token == "/" { divide = true; continue }
            let sign = divide ? -1 : 1
            divide = false
            // A substance after the mass unit: "kg C", "mol CO2".
            if token == "co2" { continue }
            if token == "c" { carbon = true; continue }
            if let m = masses.first(where: { token.hasPrefix($0.prefix) }) {
                let substance = token.dropFirst(m.prefix.count)
                guard mass == nil, sign == 1, ["", "c", "co2"].contains(substance) else { return nil }
                mass = m
                if substance == "c" { carbon = true }
                continue
            }
            let symbol = String(token.prefix { $0.isLetter })
            let rest = token.dropFirst(symbol.count)
            guard let exponent = rest.isEmpty ? 1 : Int(rest) else { return nil }
            switch symbol {
            case "m": metres += sign * exponent
            case "s": seconds += sign * exponent
            default: return nil
            }
        }
        guard let mass, metres == -2, seconds == -1 else { return nil }
        // A mole of C is a mole of CO2; a kilogram of C is 3.664 kg of CO2.
        return carbon && mass.prefix == "kg" ? carbonToCO2 : mass.kilograms
    }

    // MARK: - Reading

    /// One record of one component, on the transport grid.
    private struct Record {
        /// Time coordinate, s since 1970-01-01 00 UTC in the files' calendar.
        var time: Double
        /// CF time bounds, same clock, when the file has them.
        var bounds: (Double, Double)?
        /// The time stamps the end of the averaging period (GRIB `avg`).
        var stampedAtEnd: Bool
        var file: String
        /// kg CO2 m⁻² s⁻¹, `[lat, lon]` on the transport grid.
        var values: [Double]
    }

    /// How a source grid reaches the transport grid.
    private enum Mapping {
        /// Transport cell c takes source cell `index[c]`.
        case copy(index: [Int])
        case conservative(RemapWeights)
    }

    private struct GridKey: Hashable {
        var latitudes: [Double]
        var longitudes: [Double]
        var latitudeDimensions: [String]
        var longitudeDimensions: [String]
    }

    private struct Reader {
        let grid: TransportGrid
        var records: [String: [Record]] = [:]
        var calendar: CFCalendar?
        var calendarFile = ""
        var mappings: [GridKey: (grid: any BandedGrid, mapping: Mapping)] = [:]
        var remapped = false

        init(grid: TransportGrid) { self.grid = grid }

        mutating func read(_ path: String) throws(IngestError) {
            let file = try FluxFile(path: path)
            var found = 0
            for names in SurfaceFluxFile.componentNames {
                guard let variable = file.variable(for: names) else { continue }
                found += 1
                try readVariable(variable, component: names.name, in: file)
            }
            guard found > 0 else {
                let all = SurfaceFluxFile.componentNames.map(\.name).joined(separator: ", ")
                let aliases = SurfaceFluxFile.componentNames.flatMap(\.aliases).joined(separator: ", ")
                let has = file.dataset.variables.map(\.name).joined(separator: ", ")
                throw failure(path, nil, "no surface CO2 flux variable (expected at least one of \(all), or GRIB \(aliases)); the file has: \(has)")
            }
        }

        mutating func readVariable(_ v: Variable, component: String, in file: FluxFile) throws(IngestError) {
            let path = file.path
            // Units.
            guard let units = v.units, !units.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw failure(path, v.name, "has no units attribute (expected kg m-2 s-1, kgC m-2 s-1 or mol m-2 s-1)")
            }
            guard let scale = SurfaceFluxFile.unitScale(units) else {
                throw failure(path, v.name, "units '\(units)' are not a CO2 flux density (expected kg m-2 s-1 — also written kg/m2/s or kg m**-2 s**-1 — kgC m-2 s-1 or mol m-2 s-1)")
            }

            // Horizontal grid.
            let (source, mapping, gridRank) = try sourceGrid(of: v, in: file)
            let cellCount = source.cellCount
            let leadingShape = Array(v.shape.dropLast(gridRank))
            let leadingDimensions = Array(v.dimensions.dropLast(gridRank))
            let recordCount = leadingShape.reduce(1, *)

            // Times.
            let clock = try times(of: v, leadingDimensions: leadingDimensions, leadingShape: leadingShape, in: file)
            if let calendar, Self.family(calendar) != Self.family(clock.calendar) {
                throw failure(path, clock.name, "calendar '\(clock.calendar.rawValue)' differs from '\(calendar.rawValue)' of \(calendarFile); all flux files must share one calendar")
            }
            if calendar == nil { calendar = clock.calendar; calendarFile = path }
            let stampedAtEnd = v.attributes["GRIB_stepType"]?.text == "avg"

            // Values, record by record.
            var out: [Record] = []
            out.reserveCapacity(recordCount)
            for r in 0..<recordCount {
                var values = try file.record(v, index: r, leadingShape: leadingShape, gridRank: gridRank)
                guard values.count == cellCount else {
                    throw failure(path, v.name, "record \(r) holds \(values.count) values, expected \(cellCount) on its grid")
                }
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    let date = Self.epoch(clock.calendar).date(clock.times[r])
                    throw failure(path, v.name, "record \(r) (\(date)) is \(values[bad]) at \(Self.describeCell(bad, source)) (a fill or missing value?); fluxes must be defined everywhere")
                }
                if scale != 1 { for c in values.indices { values[c] *= scale } }
                out.append(Record(time: clock.times[r], bounds: clock.bounds?[r], stampedAtEnd: stampedAtEnd, file: path,
                                  values: Self.apply(mapping, values, cellCount: grid.cellCount)))
            }
            records[component, default: []] += out
        }

        // MARK: Grid

        mutating func sourceGrid(of v: Variable, in file: FluxFile) throws(IngestError) -> (any BandedGrid, Mapping, Int) {
            let path = file.path
            guard let lat = GridFromData.latitudeNames.lazy.compactMap({ file.dataset.variable($0) }).first,
                  let lon = GridFromData.longitudeNames.lazy.compactMap({ file.dataset.variable($0) }).first else {
                throw failure(path, v.name, "no latitude/longitude coordinates (looked for \(GridFromData.latitudeNames) and \(GridFromData.longitudeNames))")
            }
            let rectilinear = lat.dimensions.count == 1 && lon.dimensions.count == 1 && lat.dimensions != lon.dimensions
            let gridDimensions = rectilinear ? lat.dimensions + lon.dimensions : lat.dimensions
            guard lat.dimensions.count == 1, lon.dimensions.count == 1 else {
                throw failure(path, v.name, "latitude '\(lat.name)' and longitude '\(lon.name)' are not one-dimensional (curvilinear grids are not supported)")
            }
            guard v.dimensions.count >= gridDimensions.count, Array(v.dimensions.suffix(gridDimensions.count)) == gridDimensions else {
                throw failure(path, v.name, "dimensions \(v.dimensions) do not end with the grid's \(gridDimensions) (expected [time, \(gridDimensions.joined(separator: ", "))])")
            }
            let key = GridKey(latitudes: try file.values(lat), longitudes: try file.values(lon),
                              latitudeDimensions: lat.dimensions, longitudeDimensions: lon.dimensions)
            if let known = mappings[key] { return (known.grid, known.mapping, gridDimensions.count) }
            let description = Dataset(variables: [
                Variable(name: "lat", dimensions: lat.dimensions, shape: lat.shape, data: .float64(key.latitudes)),
                Variable(name: "lon", dimensions: lon.dimensions, shape: lon.shape, data: .float64(key.longitudes)),
            ])
            let found: any Grid
            do {
                found = try GridFromData.grid(from: description, source: path)
            } catch {
                throw failure(path, v.name, "grid not recognised: \(error)")
            }
            guard let banded = found as? any BandedGrid else {
                throw failure(path, v.name, "grid \(found.name) is not made of latitude rows (expected regular lat-lon or Gaussian)")
            }
            let mapping: Mapping
            if let regular = banded as? RegularLatLonGrid, let index = MeteorologyHorizontalMapping.reindexing(regular, grid) {
                mapping = .copy(index: index)
            } else {
                mapping = .conservative(ConservativeWeights.make(from: banded, to: TransportBandedGrid(grid)))
                remapped = true
            }
            mappings[key] = (banded, mapping)
            return (banded, mapping, gridDimensions.count)
        }

        static func apply(_ mapping: Mapping, _ values: [Double], cellCount: Int) -> [Double] {
            var out = [Double](repeating: 0, count: cellCount)
            switch mapping {
            case .copy(let index):
                for c in 0..<cellCount { out[c] = values[index[c]] }
            case .conservative(let w):
                // Σ S·F without renormalising by Σ S: zero flux outside a regional source.
                for i in 0..<cellCount {
                    var sum = 0.0
                    for k in w.rowStart[i]..<w.rowStart[i + 1] { sum += w.weights[k] * values[Int(w.sourceIndex[k])] }
                    out[i] = sum
                }
            }
            return out
        }

        static func describeCell(_ c: Int, _ g: any BandedGrid) -> String {
            guard let row = g.rows.firstIndex(where: { c >= $0.firstCell && c < $0.firstCell + $0.count }) else { return "cell \(c)" }
            let r = g.rows[row], k = c - r.firstCell
            let lon = r.west + Double(r.direction) * (Double(k) + 0.5) * r.width
            return "cell \(c) (row \(row), column \(k): \(String(format: "%.4g", r.centreLatitude))°N, \(String(format: "%.4g", lon))°E)"
        }

        // MARK: Time

        struct Clock {
            var name: String
            var calendar: CFCalendar
            /// s since 1970-01-01 in `calendar`, one per record.
            var times: [Double]
            var bounds: [(Double, Double)]?
        }

        static func family(_ c: CFCalendar) -> CFCalendar { c == .standard ? .proleptic_gregorian : c }

        static func epoch(_ c: CFCalendar) -> CFTimeUnits {
            CFTimeUnits(secondsPerUnit: 1, reference: CFDate(year: 1970, month: 1, day: 1), calendar: c)
        }

        func times(of v: Variable, leadingDimensions: [String], leadingShape: [Int], in file: FluxFile) throws(IngestError) -> Clock {
            let path = file.path
            let recordDimensions = zip(leadingDimensions, leadingShape).filter { $0.1 > 1 }.map(\.0)
            func isTime(_ t: Variable) -> Bool {
                guard let u = t.units, u.contains(" since "), t.dataType.isNumeric else { return false }
                return zip(t.dimensions, t.shape).filter { $0.1 > 1 }.map(\.0) == recordDimensions
            }
            let candidates = file.dataset.variables.filter(isTime)
            guard let t = candidates.first(where: { $0.name == "valid_time" })
                    ?? candidates.first(where: { $0.dimensions.count == 1 && $0.dimensions[0] == $0.name })
                    ?? candidates.first(where: { $0.attributes["standard_name"]?.text == "time" })
                    ?? candidates.first else {
                throw failure(path, v.name, "no CF time coordinate over its record dimensions \(recordDimensions) (expected e.g. 'time' with units '<unit> since <date>')")
            }
            let units: CFTimeUnits
            do {
                units = try CFTimeUnits(units: t.units ?? "", calendar: t.attributes["calendar"]?.text)
            } catch {
                throw failure(path, t.name, "\(error)")
            }
            let recordCount = leadingShape.reduce(1, *)
            let offset = Self.epoch(units.calendar).value(of: units.reference)
            let raw = try file.values(t)
            guard raw.count == recordCount else {
                throw failure(path, t.name, "holds \(raw.count) times, expected \(recordCount) (the records of '\(v.name)')")
            }
            for (r, value) in raw.enumerated() {
                // Finite and within the calendar's range (±∞, NaN or 1e300 would give no date).
                do throws(CFTimeError) { _ = try units.checkedDate(value) } catch {
                    throw failure(path, t.name, "time \(r) is \(value): \(error)")
                }
            }
            let times = raw.map { $0 * units.secondsPerUnit + offset }
            var bounds: [(Double, Double)]?
            if let name = t.attributes["bounds"]?.text, let b = file.dataset.variable(name) {
                let values = try file.values(b)
                guard values.count == 2 * recordCount else {
                    throw failure(path, name, "holds \(values.count) values, expected \(2 * recordCount) ([time, 2] bounds of '\(t.name)')")
                }
                bounds = (0..<recordCount).map { r in
                    let a = values[2 * r] * units.secondsPerUnit + offset, z = values[2 * r + 1] * units.secondsPerUnit + offset
                    return (min(a, z), max(a, z))
                }
                if let bad = bounds?.firstIndex(where: { !($0.0.isFinite && $0.1.isFinite && $0.1 > $0.0) }) {
                    throw failure(path, name, "bounds of record \(bad) (\(values[2 * bad]), \(values[2 * bad + 1])) are not an interval")
                }
            }
            return Clock(name: t.name, calendar: units.calendar, times: times, bounds: bounds)
        }

        // MARK: Assembly

        func finish(cyclic: Bool) throws(IngestError) -> Loaded {
            let calendar = self.calendar ?? .standard
            let epoch = Self.epoch(calendar)
            func date(_ t: Double) -> String { epoch.date(t).description }

            // Per component: record starts and length.
            var axes: [(name: String, starts: [Double], interval: Double, records: [Record])] = []
            for names in SurfaceFluxFile.componentNames {
                guard var list = records[names.name], !list.isEmpty else { continue }
                list.sort { $0.time < $1.time }
                let name = names.name
                for n in 1..<max(1, list.count) where abs(list[n].time - list[n - 1].time) < 1e-3 {
                    throw failure(list[n].file, name, "the record at \(date(list[n].time)) is also in \(list[n - 1].file)")
                }
                let withBounds = list.filter { $0.bounds != nil }.count
                guard withBounds == 0 || withBounds == list.count else {
                    throw failure(list[0].file, name, "some files have time bounds and some do not; give all or none")
                }
                var starts: [Double]
                let interval: Double
                if withBounds > 0 {
                    let b = list.map { $0.bounds ?? (0, 0) }
                    starts = b.map(\.0)
                    interval = b[0].1 - b[0].0
                    for n in b.indices {
                        let length = b[n].1 - b[n].0
                        guard abs(length - interval) <= Self.tolerance(interval) else {
                            throw failure(list[n].file, name, "record at \(date(list[n].time)) lasts \(length) s, the first \(interval) s; "
                                          + "the records must be of equal length (SurfaceFluxArrays has one interval)")
                        }
                        if n > 0, abs(b[n].0 - b[n - 1].1) > Self.tolerance(interval) {
                            throw failure(list[n].file, name, "record at \(date(list[n].time)) starts at \(date(b[n].0)), "
                                          + "not where the one before ends (\(date(b[n - 1].1))); records must be contiguous")
                        }
                    }
                } else {
                    guard list.count >= 2 else {
                        throw failure(list[0].file, name, "one record (\(date(list[0].time))) and no time bounds: its length is unknown (add CF time bounds or a second record)")
                    }
                    let t = list.map(\.time)
                    let first = t[1] - t[0]
                    for n in 1..<t.count where abs(t[n] - t[n - 1] - first) > Self.tolerance(first) {
                        throw failure(list[n].file, name, "records are not equally spaced: \(date(t[n])) follows \(date(t[n - 1])) after \(t[n] - t[n - 1]) s, "
                                      + "the first two are \(first) s apart (SurfaceFluxArrays needs one interval; resample the fluxes)")
                    }
                    interval = (t[t.count - 1] - t[0]) / Double(t.count - 1)
                    starts = t.indices.map { t[0] + Double($0) * interval }
                    let atEnd = list.filter(\.stampedAtEnd).count
                    guard atEnd == 0 || atEnd == list.count else {
                        throw failure(list[0].file, name, "some records are GRIB averages stamped at the end of their period and some are not")
                    }
                    if atEnd > 0 { starts = starts.map { $0 - interval } }
                }
                axes.append((name, starts, interval, list))
            }
            guard let reference = axes.first else {
                throw .invalidValue(name: "surface flux files", reason: "no flux records")
            }

            // Every component on the same records.
            for other in axes.dropFirst() {
                let a = reference, b = other
                let same = a.starts.count == b.starts.count && abs(a.interval - b.interval) <= Self.tolerance(a.interval)
                    && abs(a.starts[0] - b.starts[0]) <= Self.tolerance(a.interval)
                guard same else {
                    func span(_ x: (name: String, starts: [Double], interval: Double, records: [Record])) -> String {
                        "\(x.starts.count) records of \(x.interval) s from \(date(x.starts[0]))"
                    }
                    throw .invalidValue(name: "surface flux files", reason: "\(b.name) has \(span(b)), \(a.name) has \(span(a)); every component must have the same records")
                }
            }

            let first = reference.starts[0]
            let year = epoch.date(first).year
            let yearStart = epoch.value(of: CFDate(year: year, month: 1, day: 1))
            let zero = [Double](repeating: 0, count: grid.cellCount)
            var components: SurfaceFluxComponents = []
            func field(_ name: String, _ n: Int) -> [Double] {
                axes.first { $0.name == name }?.records[n].values ?? zero
            }
            for names in SurfaceFluxFile.componentNames where axes.contains(where: { $0.name == names.name }) {
                components.insert(names.component)
            }
            var fields: [SurfaceFluxFields] = []
            fields.reserveCapacity(reference.starts.count)
            for n in reference.starts.indices {
                fields.append(try SurfaceFluxFields(grid: grid, land: field("co2flux_land", n), ocean: field("co2flux_ocean", n),
                                                    anthropogenic: field("co2flux_anthro", n)))
            }
            let arrays = try SurfaceFluxArrays(grid: grid, records: fields, start: first - yearStart, interval: reference.interval,
                                               cyclic: cyclic)
            return Loaded(fluxes: arrays, year: year, calendar: calendar, components: components, remapped: remapped)
        }

        /// Times closer than this are the same, s.
        static func tolerance(_ interval: Double) -> Double { max(1e-3, 1e-9 * abs(interval)) }
    }

    /// The error for `path` (and `variable`): "path: variable 'x': reason".
    private static func failure(_ path: String, _ variable: String?, _ reason: String) -> IngestError {
        .invalidValue(name: variable.map { "\(path): variable '\($0)'" } ?? path, reason: reason)
    }

    // MARK: - Files

    /// A netCDF file read variable by variable and record by record, or a GRIB file read whole.
    private final class FluxFile {
        let path: String
        let dataset: Dataset
        private let netCDF: NetCDFFile?
        private var cache: [String: [Double]] = [:]

        init(path: String) throws(IngestError) {
            self.path = path
            do {
                switch try FileFormat.detect(path) {
                case .grib:
                    let loaded = try DatasetLoader.load(path)
                    if let problem = loaded.problems.first {
                        throw failure(path, nil, "damaged GRIB (\(problem)); fluxes must be complete")
                    }
                    dataset = loaded.dataset
                    netCDF = nil
                case .netCDF, .hdf5:
                    let file = try NetCDFFile(path: path)
                    dataset = file.dataset
                    netCDF = file
                }
            } catch let error as IngestError {
                throw error
            } catch {
                throw .invalidValue(name: "surface flux file", reason: "\(error)")
            }
        }

        /// The variable of a flux component: by name, then an alias by name or GRIB short name.
        func variable(for names: ComponentNames) -> Variable? {
            if let v = dataset.variable(names.name) { return v }
            for alias in names.aliases {
                if let v = dataset.variable(alias) ?? dataset.variables.first(where: { $0.attributes["GRIB_shortName"]?.text == alias }) {
                    return v
                }
            }
            return nil
        }

        /// All values of `v`, CF-decoded (missing → NaN).
        func values(_ v: Variable) throws(IngestError) -> [Double] {
            if let known = cache[v.name] { return known }
            let values: [Double]
            if let netCDF {
                do {
                    values = try netCDF.read(v.name)
                } catch {
                    throw .invalidValue(name: "surface flux file", reason: "\(error)")
                }
            } else {
                guard let data = v.data else { throw failure(path, v.name, "holds no values") }
                values = data.doubles
            }
            cache[v.name] = values
            return values
        }

        /// Record `index` (row-major over `leadingShape`) of `v`: one field on its grid.
        func record(_ v: Variable, index: Int, leadingShape: [Int], gridRank: Int) throws(IngestError) -> [Double] {
            let cells = v.shape.suffix(gridRank).reduce(1, *)
            guard let netCDF else {
                let all = try values(v)
                guard (index + 1) * cells <= all.count else {
                    throw failure(path, v.name, "holds \(all.count) values, expected \((index + 1) * cells) or more")
                }
                return Array(all[(index * cells)..<((index + 1) * cells)])
            }
            var start = [Int](repeating: 0, count: v.shape.count)
            var rest = index
            for d in stride(from: leadingShape.count - 1, through: 0, by: -1) {
                start[d] = rest % leadingShape[d]
                rest /= leadingShape[d]
            }
            let count = leadingShape.map { _ in 1 } + Array(v.shape.suffix(gridRank))
            do {
                return try netCDF.read(v.name, Hyperslab(start: start, count: count))
            } catch {
                throw .invalidValue(name: "surface flux file", reason: "\(error)")
            }
        }
    }
}
