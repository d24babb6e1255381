import Foundation
import PlumeIO

/// The files a `TransportMeteorologyFiles` reads fields from, kept open between records
/// (a GRIB file is indexed when opened, which costs more than reading one record's fields).
/// At most `capacity` files stay open, the least recently used closing first. Reads go
/// through one lock: `GRIBFile` is not thread-safe and the C libraries are locked anyway.
final class MeteorologyOpenFiles: @unchecked Sendable {
    enum OpenFile {
        case grib(GRIBFile)
        case netCDF(NetCDFFile)
    }

    private let lock = NSLock()
    /// Most recently used last.
    private var open: [(path: String, file: OpenFile)] = []
    let capacity: Int

    init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// Opens `path` (format by content) for indexing; the file stays open for reading.
    func open(_ path: String) throws(IngestError) -> OpenFile {
        lock.lock()
        defer { lock.unlock() }
        return try file(path)
    }

    /// Reads one field of `variable` as `Double`, in the source grid's cell order.
    func read(_ variable: MeteorologyVariable, _ field: MeteorologyLevelField) throws(IngestError) -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        let opened = try file(variable.path)
        switch (opened, field.location) {
        case (.grib(let file), .gribMessage(let position)):
            guard file.messages.indices.contains(position), file.messages[position].shortName == variable.name else {
                throw MeteorologyFailure.variable(variable.path, variable.name, "\(field.label): the file changed since it was indexed "
                    + "(message \(position + 1) is no longer \(variable.name))")
            }
            do {
                return try file.decode(position).values.map(Double.init)
            } catch {
                throw MeteorologyFailure.variable(variable.path, variable.name, "\(field.label): \(error)")
            }
        case (.netCDF(let file), .netCDF(let slab, let transposed)):
            var values: [Double]
            do {
                values = try file.read(variable.name, slab)
            } catch {
                throw MeteorologyFailure.variable(variable.path, variable.name, "\(field.label): \(error)")
            }
            if transposed {
                // Stored [lon, lat]: put into the grid's [lat, lon] order.
                let shape = variable.grid.shape
                if shape.count == 2, values.count == shape[0] * shape[1] {
                    let nlat = shape[0], nlon = shape[1]
                    var out = [Double](repeating: 0, count: values.count)
                    for i in 0..<nlon { for j in 0..<nlat { out[j * nlon + i] = values[i * nlat + j] } }
                    values = out
                }
            }
            return values
        default:
            throw MeteorologyFailure.variable(variable.path, variable.name, "the file's format changed since it was indexed")
        }
    }

    /// The open file for `path`, opening it (and closing the least recently used) when needed. Lock held.
    private func file(_ path: String) throws(IngestError) -> OpenFile {
        if let i = open.firstIndex(where: { $0.path == path }) {
            let entry = open.remove(at: i)
            open.append(entry)
            return entry.file
        }
        let opened: OpenFile
        do {
            switch try FileFormat.detect(path) {
            case .grib: opened = .grib(try GRIBFile(path: path))
            case .netCDF, .hdf5: opened = .netCDF(try NetCDFFile(path: path))
            }
        } catch {
            throw MeteorologyFailure.file(path, "cannot read it as meteorology (expected a GRIB or netCDF file): \(error)")
        }
        if open.count >= capacity { open.removeFirst() }
        open.append((path, opened))
        return opened
    }
}
