import Foundation
import PlumeGrids
import PlumeIO

/// Driving meteorology stored as layer means with their interface pressures: CarbonBench's
/// layout, which `plume generate carbonbench-mini` writes and the CarbonBench datasets use.
///
/// **What is read** from one netCDF file: `u` and `v` (m s⁻¹, the pressure-weighted mean
/// wind of each layer) and `p_bottom`, `p_top` (Pa, the pressures at the layer's lower and
/// upper interface), all `[time, level, lat, lon]`. The surface pressure of a column is the
/// bottom interface of its lowest layer. The layers may be stored bottom first (CarbonBench)
/// or top first; every column's layers must be contiguous (`p_top` of one is `p_bottom` of
/// the next) with `p_bottom > p_top ≥ 0`.
///
/// **Vertical.** When the file's layers are the transport `levels` at the file's surface
/// pressure (every interface within 0.5 Pa, the float32 storage), the winds are copied.
/// Otherwise each transport layer takes the pressure-weighted mean of the file layers it
/// overlaps (the profile is constant within a file layer and beyond the file's top and
/// bottom), which is exact for the column's mass flux Σ u·Δp.
///
/// **Horizontal.** The grid comes from the `lat`/`lon` coordinates (`GridFromData`); the
/// transport grid in another order is copied with reindexing, any other grid remapped
/// first-order conservatively (`MeteorologyHorizontalMapping`). `lat` must come before
/// `lon` in the variables' dimensions.
///
/// **Time.** CF time of the `time` coordinate in the file's calendar; model time counts
/// seconds from 1 January 00 UTC of the first record's year. Records are read lazily, one
/// per call of `record(at:)`.
///
/// Every failure is an `IngestError.invalidValue` naming the file and variable and saying
/// what was expected.
public struct LayerMeanMeteorologyFile: TransportMeteorologySource {
    /// The variables the layout needs.
    public static let requiredVariables = ["u", "v", "p_bottom", "p_top"]

    public let path: String
    public let grid: TransportGrid
    public let levels: HybridLevels
    /// Model times of the records, s since 1 January 00 UTC of `startYear`, increasing.
    public let recordTimes: [Double]
    public let startYear: Int
    /// The CF calendar of the file's times.
    public let calendar: CFCalendar
    /// Whether the file's layers are the transport layers (winds copied, no vertical averaging).
    public private(set) var layersMatch = false
    /// Time coordinate value of each record in the file's units, as stored.
    public let fileTimes: [Double]
    /// The file's CF time units, e.g. `hours since 2000-01-01 00:00:00`.
    public let timeUnits: String

    let recordKeys: [Int64]
    let fileLevelCount: Int
    /// Whether file level 0 is the lowest layer.
    let bottomFirst: Bool
    let mapping: MeteorologyHorizontalMapping
    let sourceShape: (latitudes: Int, longitudes: Int)
    let file: LockedNetCDFFile

    /// Whether `path` is a netCDF file with the variables of this layout.
    public static func holdsLayerMeans(_ path: String) -> Bool {
        guard let file = try? NetCDFFile(path: path) else { return false }
        return requiredVariables.allSatisfy { file.dataset.variable($0) != nil }
    }

    /// Opens `path`, reads its coordinates and the first record's interface pressures.
    /// - Throws: `IngestError.invalidValue` naming the file and variable at fault.
    public init(path: String, grid: TransportGrid, levels: HybridLevels) throws(IngestError) {
        let netCDF: NetCDFFile
        do {
            netCDF = try NetCDFFile(path: path)
        } catch {
            throw MeteorologyFailure.file(path, "cannot be read as netCDF: \(error)")
        }
        let dataset = netCDF.dataset
        var dimensions: [String]?
        for name in Self.requiredVariables {
            guard let variable = dataset.variable(name) else {
                throw MeteorologyFailure.file(path, "has no variable '\(name)' (expected \(Self.requiredVariables.joined(separator: ", ")), "
                    + "each [time, level, lat, lon])")
            }
            guard variable.dimensions.count == 4 else {
                throw MeteorologyFailure.variable(path, name, "has dimensions \(variable.dimensions) (expected [time, level, lat, lon])")
            }
            if let dimensions, dimensions != variable.dimensions {
                throw MeteorologyFailure.variable(path, name, "has dimensions \(variable.dimensions) but u has \(dimensions) (expected the same)")
            }
            dimensions = variable.dimensions
        }
        guard let dims = dimensions, let u = dataset.variable("u") else {
            throw MeteorologyFailure.file(path, "has no variable 'u'")
        }
        // Horizontal grid, from the coordinates of u's last two dimensions.
        guard let lat = dataset.variables.first(where: { $0.name == dims[2] && $0.dimensions == [dims[2]] }),
              let lon = dataset.variables.first(where: { $0.name == dims[3] && $0.dimensions == [dims[3]] }) else {
            throw MeteorologyFailure.variable(path, "u", "dimensions \(dims): no coordinate variables '\(dims[2])' and '\(dims[3])' "
                + "(expected [time, level, lat, lon] with 1-D latitude and longitude coordinates)")
        }
        let sourceGrid: any BandedGrid
        do {
            let description = Dataset(variables: [
                Variable(name: "lat", dimensions: lat.dimensions, shape: lat.shape, data: .float64(try netCDF.read(lat.name))),
                Variable(name: "lon", dimensions: lon.dimensions, shape: lon.shape, data: .float64(try netCDF.read(lon.name))),
            ])
            guard let banded = try GridFromData.grid(from: description, source: path) as? any BandedGrid else {
                throw MeteorologyFailure.file(path, "the latitude/longitude coordinates do not describe a banded (lat-lon or Gaussian) grid")
            }
            sourceGrid = banded
        } catch let error as IngestError {
            throw error
        } catch {
            throw MeteorologyFailure.file(path, "grid: \(error)")
        }
        let latitudes = u.shape[2], longitudes = u.shape[3]
        guard latitudes * longitudes == sourceGrid.cellCount, Self.isLatitude(lat), !Self.isLatitude(lon) else {
            throw MeteorologyFailure.variable(path, "u", "dimensions \(dims) with shape \(u.shape) do not match the \(sourceGrid.cellCount) cells "
                + "of the latitude/longitude coordinates (expected [time, level, lat, lon])")
        }
        // Time.
        guard let timeVariable = dataset.variables.first(where: { $0.name == dims[0] && $0.dimensions == [dims[0]] }),
              let units = timeVariable.units else {
            throw MeteorologyFailure.variable(path, dims[0], "no time coordinate with units (expected \"<unit> since <date>\")")
        }
        let cf: CFTimeUnits
        do {
            cf = try CFTimeUnits(units: units, calendar: timeVariable.attributes["calendar"]?.text)
        } catch {
            throw MeteorologyFailure.variable(path, timeVariable.name, "units '\(units)': \(error)")
        }
        let values: [Double]
        do {
            values = try netCDF.read(timeVariable.name)
        } catch {
            throw MeteorologyFailure.variable(path, timeVariable.name, "cannot be read: \(error)")
        }
        var keys: [Int64] = []
        for (i, value) in values.enumerated() {
            guard let key = MeteorologyClock.key(value: value, units: cf) else {
                throw MeteorologyFailure.variable(path, timeVariable.name, "record \(i): \(value) is not a usable time")
            }
            if let last = keys.last, key <= last {
                throw MeteorologyFailure.variable(path, timeVariable.name, "record \(i) (\(value) \(units)) does not follow the one before (expected increasing times)")
            }
            keys.append(key)
        }
        guard let firstKey = keys.first else {
            throw MeteorologyFailure.variable(path, timeVariable.name, "has no records")
        }
        let calendar = MeteorologyClock.family(cf.calendar)
        let year = MeteorologyClock.date(firstKey, calendar: calendar).year
        let yearStart = MeteorologyClock.yearStart(year, calendar: calendar)

        self.path = path
        self.grid = grid
        self.levels = levels
        self.calendar = cf.calendar
        self.startYear = year
        self.recordTimes = keys.map { Double($0 - yearStart) / 1000 }
        self.recordKeys = keys
        self.fileTimes = values
        self.timeUnits = units
        self.fileLevelCount = u.shape[1]
        self.mapping = MeteorologyHorizontalMapping(source: sourceGrid, target: grid)
        self.sourceShape = (latitudes, longitudes)
        self.file = LockedNetCDFFile(netCDF)

        // The layer order and whether the layers are the transport levels, from record 0.
        let bottom = try file.field("p_bottom", record: 0, levels: fileLevelCount, shape: sourceShape, path: path)
        let n = sourceGrid.cellCount
        bottomFirst = fileLevelCount < 2 || bottom[0] >= bottom[(fileLevelCount - 1) * n]
        let first = try interfaces(record: 0)
        var match = fileLevelCount == levels.count
        if match {
            let cells = grid.cellCount, L = levels.count
            check: for c in 0..<cells {
                let expected = levels.interfacePressures(surfacePressure: first.surfacePressure[c])
                for k in 0..<L where abs(first.bottom[k * cells + c] - expected[k]) > 0.5 || abs(first.top[k * cells + c] - expected[k + 1]) > 0.5 {
                    match = false
                    break check
                }
            }
        }
        layersMatch = match
    }

    /// The interface pressures of record `index` on the transport grid, bottom layer first,
    /// `[level, lat, lon]`, and the surface pressure `[lat, lon]`, Pa.
    func interfaces(record index: Int) throws(IngestError) -> (bottom: [Double], top: [Double], surfacePressure: [Double]) {
        let when = describe(record: index)
        let L = fileLevelCount
        var fields: [[Double]] = []
        for name in ["p_bottom", "p_top"] {
            let raw = try file.field(name, record: index, levels: L, shape: sourceShape, path: path)
            let mapped = try mapping.apply(raw, count: L, name: "\(path): \(name)")
            fields.append(bottomFirst ? mapped : Self.reversedLevels(mapped, levels: L))
        }
        let bottom = fields[0], top = fields[1], cells = grid.cellCount
        for c in 0..<cells {
            for k in 0..<L {
                let b = bottom[k * cells + c], t = top[k * cells + c]
                guard b.isFinite, t.isFinite, b > t, t >= 0 else {
                    throw MeteorologyFailure.variable(path, "p_bottom/p_top", "layer \(k) (from the bottom) at transport cell \(c) at \(when): "
                        + "\(b) / \(t) Pa (expected finite pressures with p_bottom > p_top ≥ 0)")
                }
                if k > 0, abs(bottom[k * cells + c] - top[(k - 1) * cells + c]) > 0.5 {
                    throw MeteorologyFailure.variable(path, "p_bottom/p_top", "layer \(k) (from the bottom) at transport cell \(c) at \(when): "
                        + "bottom \(b) Pa but the layer below ends at \(top[(k - 1) * cells + c]) Pa (expected contiguous layers)")
                }
            }
        }
        return (bottom, top, Array(bottom[0..<cells]))
    }

    public func record(at index: Int) throws(IngestError) -> TransportMeteorologyRecord {
        guard recordTimes.indices.contains(index) else {
            throw .invalidValue(name: "\(path): meteorology record", reason: "index \(index) is outside 0..<\(recordTimes.count)")
        }
        let when = describe(record: index)
        let layers = try interfaces(record: index)
        let L = fileLevelCount
        var winds: [[Double]] = []
        for name in ["u", "v"] {
            let raw = try file.field(name, record: index, levels: L, shape: sourceShape, path: path)
            if let bad = raw.firstIndex(where: { !$0.isFinite }) {
                throw MeteorologyFailure.variable(path, name, "value \(raw[bad]) at element \(bad) of record \(index) (\(when)) (expected a complete field)")
            }
            let mapped = try mapping.apply(raw, count: L, name: "\(path): \(name)")
            let ordered = bottomFirst ? mapped : Self.reversedLevels(mapped, levels: L)
            winds.append(layersMatch ? ordered : regridded(ordered, layers: layers))
        }
        return TransportMeteorologyRecord(time: recordTimes[index], surfacePressure: layers.surfacePressure,
                                          eastwardWind: winds[0], northwardWind: winds[1])
    }

    /// The date of record `index` in the file's calendar.
    public func date(ofRecord index: Int) -> CFDate {
        MeteorologyClock.date(recordKeys[index], calendar: MeteorologyClock.family(calendar))
    }

    func describe(record index: Int) -> String {
        recordTimes.indices.contains(index) ? date(ofRecord: index).description : "record \(index)"
    }

    /// Pressure-weighted means of the file layers over each transport layer, `[level, lat, lon]`.
    func regridded(_ values: [Double], layers: (bottom: [Double], top: [Double], surfacePressure: [Double])) -> [Double] {
        let cells = grid.cellCount, L = fileLevelCount, K = levels.count
        var out = [Double](repeating: 0, count: K * cells)
        for c in 0..<cells {
            let target = levels.interfacePressures(surfacePressure: layers.surfacePressure[c])
            for k in 0..<K {
                let pb = target[k], pt = target[k + 1], dp = pb - pt
                guard dp > 0 else { continue }
                var sum = 0.0
                for l in 0..<L {
                    // The lowest file layer extends down and the highest up, so the profile is constant beyond them.
                    let fb = l == 0 ? max(layers.bottom[c], pb) : layers.bottom[l * cells + c]
                    let ft = l == L - 1 ? min(layers.top[l * cells + c], pt) : layers.top[l * cells + c]
                    let overlap = min(fb, pb) - max(ft, pt)
                    if overlap > 0 { sum += overlap * values[l * cells + c] }
                }
                out[k * cells + c] = sum / dp
            }
        }
        return out
    }

    static func isLatitude(_ v: Variable) -> Bool {
        GridFromData.latitudeNames.contains(v.name) || v.attributes["standard_name"]?.text == "latitude"
            || (v.units ?? "").lowercased().hasPrefix("degrees_n") || (v.units ?? "").lowercased().hasPrefix("degree_n")
    }

    static func reversedLevels(_ values: [Double], levels: Int) -> [Double] {
        let n = values.count / max(levels, 1)
        var out = [Double](repeating: 0, count: values.count)
        for l in 0..<levels {
            let from = (levels - 1 - l) * n
            for c in 0..<n { out[l * n + c] = values[from + c] }
        }
        return out
    }
}

/// A netCDF file read from several tasks: one read at a time (the C library is not thread-safe).
final class LockedNetCDFFile: @unchecked Sendable {
    private let lock = NSLock()
    private let file: NetCDFFile

    init(_ file: NetCDFFile) { self.file = file }

    /// `[levels, lat, lon]` of `name` at `record`.
    func field(_ name: String, record: Int, levels: Int, shape: (latitudes: Int, longitudes: Int), path: String) throws(IngestError) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try file.read(name, Hyperslab(start: [record, 0, 0, 0], count: [1, levels, shape.latitudes, shape.longitudes]))
        } catch {
            throw MeteorologyFailure.variable(path, name, "record \(record) cannot be read: \(error)")
        }
    }
}
