/// What `plume inspect` shows of a file: its format, dimensions, variables with shape,
/// type, units and NaN-aware statistics, its grid and its time range.
public struct FileSummary: Sendable, Codable, Equatable {
    public struct DimensionSummary: Sendable, Codable, Equatable {
        public var name: String
        public var length: Int
        public var unlimited: Bool
    }

    public struct VariableSummary: Sendable, Codable, Equatable {
        public var name: String
        public var dimensions: [String]
        public var shape: [Int]
        public var type: String
        public var units: String?
        public var longName: String?
        /// NaN-aware statistics over all values; nil when every value is missing or the type is not numeric.
        public var min: Double?
        public var max: Double?
        public var mean: Double?
        /// Number of missing (NaN after CF decoding) values.
        public var missing: Int
    }

    public var file: String
    public var format: String
    public var dimensions: [DimensionSummary]
    public var variables: [VariableSummary]
    /// A one-line description of the horizontal grid, when one is recognised.
    public var grid: String?
    /// First and last time of the time coordinate (ISO 8601), when there is one.
    public var timeRange: [String]?
    /// Damaged parts that were skipped (GRIB messages), one line each.
    public var problems: [String]

    /// Reads `path` and summarises it.
    public static func make(_ path: String) throws -> FileSummary {
        switch try FileFormat.detect(path) {
        case .grib:
            let file = try GRIBFile(path: path)
            var summary = summarise(path, try file.dataset()) { $0.data?.doubles ?? [] }
            summary.format = "GRIB edition " + Set(file.messages.map(\.edition)).sorted().map(String.init).joined(separator: "+")
                + ", \(Set(file.messages.map(\.index)).count) messages"
                + (file.messages.contains { $0.fieldsInMessage > 1 } ? " holding \(file.messages.count) fields" : "")
            let grids = Set(file.messages.map { "\($0.grid.gridType) (\($0.grid.numberOfPoints) points)" }).sorted()
            summary.grid = grids.joined(separator: "; ")
            summary.problems = file.problems.map(\.description)
            return summary
        case .netCDF:
            let file = try NetCDFFile(path: path, formatRouted: true)
            return try summariseNetCDF(path, file)
        case .hdf5:
            // netCDF-C only sees files with netCDF-4 markers: it crashes on some plain HDF5.
            if try HDF5NetCDFMarkers.isNetCDF4(path) { return try summariseNetCDF(path, try NetCDFFile(path: path, formatRouted: true)) }
            return summariseHDF5(path, try HDF5File(path: path))
        }
    }

    private static func summariseNetCDF(_ path: String, _ file: NetCDFFile) throws -> FileSummary {
        var flat = file.dataset
        // Variables of groups appear under their path.
        func collect(_ d: Dataset, _ prefix: String) {
            for g in d.groups {
                for v in g.dataset.variables {
                    var copy = v
                    copy.name = prefix + g.name + "/" + v.name
                    flat.variables.append(copy)
                }
                flat.dimensions += g.dataset.dimensions.map { Dimension(name: prefix + g.name + "/" + $0.name, length: $0.length, isUnlimited: $0.isUnlimited) }
                collect(g.dataset, prefix + g.name + "/")
            }
        }
        collect(file.dataset, "")
        var failure: Error?
        let summary = summarise(path, flat) { v in
            guard v.dataType.isNumeric else { return [] }
            do { return try file.read(v.name) } catch { failure = error; return [] }
        }
        if let failure { throw failure }
        return summary
    }

    /// Every readable dataset with statistics; what could not be read is listed in `problems`.
    private static func summariseHDF5(_ path: String, _ file: HDF5File) -> FileSummary {
        var variables: [VariableSummary] = []
        var problems = file.problems.map(\.description)
        for e in file.datasets {
            var s = VariableSummary(name: e.path, dimensions: [], shape: e.shape, type: e.dataType.rawValue,
                                    units: e.attributes["units"]?.text, longName: e.attributes["long_name"]?.text, missing: 0)
            if e.dataType.isNumeric {
                do {
                    Self.statistics(try file.read(e.path), into: &s)
                } catch {
                    problems.append(PlumeIOError(error, file: path, context: "dataset '\(e.path)'").description)
                    continue
                }
            }
            variables.append(s)
        }
        return FileSummary(file: path, format: "HDF5", dimensions: [], variables: variables, grid: nil, timeRange: nil, problems: problems)
    }

    private static func summarise(_ path: String, _ d: Dataset, values: (Variable) -> [Double]) -> FileSummary {
        var variables: [VariableSummary] = []
        var timeRange: [String]?
        for v in d.variables {
            var s = VariableSummary(name: v.name, dimensions: v.dimensions, shape: v.shape, type: (v.data?.dataType ?? v.dataType).rawValue,
                                    units: v.units, longName: v.attributes["long_name"]?.text, missing: 0)
            let x = values(v)
            statistics(x, into: &s)
            variables.append(s)
            if timeRange == nil, ["time", "valid_time"].contains(v.name) || v.attributes["standard_name"]?.text == "time",
               let units = v.units, let decoded = try? CFTimeUnits(units: units, calendar: v.attributes["calendar"]?.text),
               let lo = x.filter({ !$0.isNaN }).min(), let hi = x.filter({ !$0.isNaN }).max() {
                // Values from the file: NaN is left out above, ±∞ and absurd values are shown
                // as what they are rather than trap.
                func show(_ t: Double) -> String {
                    do { return try decoded.checkedDate(t).description } catch { return "\(error)" }
                }
                timeRange = [show(lo), show(hi)]
            }
        }
        return FileSummary(
            file: path, format: d.format,
            dimensions: d.dimensions.map { DimensionSummary(name: $0.name, length: $0.length, unlimited: $0.isUnlimited) },
            variables: variables, grid: gridDescription(d), timeRange: timeRange, problems: [])
    }

    static func statistics(_ x: [Double], into s: inout VariableSummary) {
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, n = 0
        for v in x where !v.isNaN {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
            sum += v
            n += 1
        }
        s.missing = x.count - n
        if n > 0 {
            s.min = lo
            s.max = hi
            s.mean = sum / Double(n)
        }
    }

    /// "regular lat-lon 61 × 120 (lat 90 … -90, lon 0 … 357)" for 1-D latitude/longitude coordinates.
    static func gridDescription(_ d: Dataset) -> String? {
        let lat = d.variables.first { $0.dimensions.count == 1 && ($0.attributes["units"]?.text?.hasPrefix("degrees_n") ?? false || $0.name == "latitude" || $0.name == "lat") }
        let lon = d.variables.first { $0.dimensions.count == 1 && ($0.attributes["units"]?.text?.hasPrefix("degrees_e") ?? false || $0.name == "longitude" || $0.name == "lon") }
        guard let lat, let lon, lat.dimensions != lon.dimensions else { return nil }
        let la = lat.data?.doubles ?? [], lo = lon.data?.doubles ?? []
        var text = "lat-lon \(lat.count) × \(lon.count)"
        if let a = la.first, let b = la.last, let c = lo.first, let e = lo.last {
            text += " (lat \(a) … \(b), lon \(c) … \(e))"
        }
        return text
    }
}
