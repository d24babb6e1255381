import CNetCDF
import Foundation
import PlumeSupport

/// Writes a `Dataset` with values as a CF netCDF-4 file (chunked, deflate + shuffle
/// compressed) or, for scratch files, as a CDF5 classic file, with `Conventions`, `history`
/// and `source` global attributes.
///
/// The file is written under a temporary name and renamed into place when complete.
public struct NetCDFWriter: Sendable {
    /// The on-disk format.
    public enum Format: Sendable {
        /// netCDF-4 (HDF5): chunked, compressed, groups. The default.
        case netCDF4
        /// CDF5 (64-bit data classic): flat, uncompressed, every numeric type, no groups and
        /// no HDF5 underneath, so writing many small files (a rollout's segments) leaves
        /// nothing behind in libhdf5's memory.
        case cdf5
    }

    /// The on-disk format.
    public var format: Format = .netCDF4
    /// zlib level 0…9 (0: no compression; ignored for `.cdf5`).
    public var deflateLevel: Int32 = 4
    /// What produced the data, for the global `source` attribute.
    public var source: String = "Plume"
    /// Line appended to the `history` attribute (the command line, typically), after Plume's
    /// version. It carries no time of writing and no host name: the same inputs and version
    /// give byte-identical files.
    public var historyLine: String?

    public init(format: Format = .netCDF4, deflateLevel: Int32 = 4, source: String = "Plume", historyLine: String? = nil) {
        self.format = format
        self.deflateLevel = deflateLevel
        self.source = source
        self.historyLine = historyLine
    }

    /// Writes `dataset` to `path` atomically. Every variable must hold values.
    public func write(_ dataset: Dataset, to path: String) throws {
        for v in dataset.variables where v.data == nil || v.data?.count != v.count {
            throw PlumeIOError.writeFailed(file: path, reason: "variable '\(v.name)' holds \(v.data?.count ?? 0) values, expected \(v.count) (its shape \(v.shape))")
        }
        try writeAtomically(to: path) { temporary in
            try netCDFAndHDF5Lock.withLock { _ in
                var ncid: Int32 = -1
                try check(nc_create(temporary, createMode, &ncid), path, "create")
                do {
                    var root = dataset
                    root.attributes = globalAttributes(dataset.attributes)
                    try define(root, in: ncid, path: path)
                    try check(nc_enddef(ncid), path, "end of definitions")
                    try put(root, in: ncid, path: path)
                    try check(nc_close(ncid), path, "close")
                } catch {
                    nc_close(ncid)
                    throw error
                }
            }
        }
    }

    /// `nc_create` mode of `format`.
    var createMode: Int32 {
        switch format {
        case .netCDF4: NC_NETCDF4 | NC_CLOBBER
        case .cdf5: NC_64BIT_DATA | NC_CLOBBER
        }
    }

    func globalAttributes(_ given: [Attribute]) -> [Attribute] {
        var attributes = given
        attributes.set("Conventions", .text("CF-1.8"))
        if attributes["source"] == nil { attributes.set("source", .text(source)) }
        let line = "Plume \(PlumeVersion.current): " + (historyLine ?? "written by Plume")
        if let old = attributes["history"]?.text, !old.isEmpty {
            attributes.set("history", .text(old + "\n" + line))
        } else {
            attributes.set("history", .text(line))
        }
        // Written by a stage of `plume run`: the task and the hashes the run catalog holds.
        for (name, value) in PipelineProvenance.current { attributes.set(name, .text(value)) }
        return attributes
    }

    /// Defines a group; `inherited` are the dimensions of enclosing groups, visible here.
    func define(_ dataset: Dataset, in ncid: Int32, path: String, inherited: [String: Int32] = [:]) throws {
        var dimensionIDs = inherited
        for d in dataset.dimensions {
            var id: Int32 = 0
            try check(nc_def_dim(ncid, d.name, d.isUnlimited ? 0 : d.length, &id), path, "dimension '\(d.name)'")
            dimensionIDs[d.name] = id
        }
        for a in dataset.attributes { try putAttribute(a, ncid, NC_GLOBAL, nil, path, "global attributes") }
        for v in dataset.variables {
            let ids = try v.dimensions.map { name -> Int32 in
                guard let id = dimensionIDs[name] else {
                    throw PlumeIOError.writeFailed(file: path, reason: "variable '\(v.name)' uses dimension '\(name)', which the dataset does not define")
                }
                return id
            }
            let type = NetCDFTypes.ncType(Self.storageType(of: v))
            var varid: Int32 = 0
            try check(nc_def_var(ncid, v.name, type, Int32(ids.count), ids, &varid), path, "variable '\(v.name)'")
            if format == .netCDF4 && v.dimensions.count >= 1 && v.count > 1 {
                let chunks = chunkShape(v.shape)
                try check(nc_def_var_chunking(ncid, varid, NC_CHUNKED, chunks), path, "chunking of '\(v.name)'")
                if deflateLevel > 0 {
                    try check(nc_def_var_deflate(ncid, varid, 1, 1, deflateLevel), path, "compression of '\(v.name)'")
                }
            }
            for a in v.attributes { try putAttribute(a, ncid, varid, type, path, "variable '\(v.name)'") }
        }
        if format == .cdf5, let g = dataset.groups.first {
            throw PlumeIOError.writeFailed(file: path, reason: "group '\(g.name)': a CDF5 file has no groups (write netCDF-4)")
        }
        for g in dataset.groups {
            var gid: Int32 = 0
            try check(nc_def_grp(ncid, g.name, &gid), path, "group '\(g.name)'")
            try define(g.dataset, in: gid, path: path, inherited: dimensionIDs)
        }
    }

    /// The type a variable is stored with: its declared `dataType` when it is an integer type
    /// that every value held in memory fits (an int16 variable read into an `int32`/`int64`
    /// container goes back as int16), else the type of the values in memory. Never narrower
    /// than the values: a value outside the declared type's range keeps the wider type.
    static func storageType(of v: Variable) -> DataType {
        guard let data = v.data else { return v.dataType }
        let range: ClosedRange<Int64>
        switch v.dataType {
        case .int8: range = Int64(Int8.min)...Int64(Int8.max)
        case .uint8: range = 0...Int64(UInt8.max)
        case .int16: range = Int64(Int16.min)...Int64(Int16.max)
        case .uint16: range = 0...Int64(UInt16.max)
        case .int32: range = Int64(Int32.min)...Int64(Int32.max)
        case .uint32: range = 0...Int64(UInt32.max)
        case .uint64: range = 0...Int64.max
        default: return data.dataType
        }
        let fits: Bool
        switch data {
        case .int32(let values): fits = values.allSatisfy { range.contains(Int64($0)) }
        case .int64(let values): fits = values.allSatisfy { range.contains($0) }
        default: fits = false
        }
        return fits ? v.dataType : data.dataType
    }

    /// One chunk is one record of a variable: a whole horizontal field (the last two
    /// dimensions, capped at 4 Mi elements) and, while the chunk stays within 1 Mi elements,
    /// the whole of the dimensions before it except the first (time). A year of a 10-level
    /// LowRes field is then 1,460 chunks rather than 14,600: libhdf5 keeps ~170 bytes per
    /// chunk written (measured), so fewer chunks keep a long streamed write flat in memory,
    /// and a reader of one record at all levels decompresses one chunk.
    private func chunkShape(_ shape: [Int]) -> [Int] {
        var chunks = shape.map { _ in 1 }
        var size = 1
        for d in stride(from: shape.count - 1, through: max(0, shape.count - 2), by: -1) {
            let n = max(1, shape[d])
            if size * n > 4 << 20 {
                chunks[d] = max(1, (4 << 20) / size)
                return chunks
            }
            chunks[d] = n
            size *= n
        }
        for d in stride(from: shape.count - 3, through: 1, by: -1) {
            let n = max(1, shape[d])
            guard size * n <= 1 << 20 else { break }
            chunks[d] = n
            size *= n
        }
        return chunks
    }

    func put(_ dataset: Dataset, in ncid: Int32, path: String) throws {
        for v in dataset.variables {
            var varid: Int32 = 0
            try check(nc_inq_varid(ncid, v.name, &varid), path, "variable '\(v.name)'")
            // nc_put_vara with the full shape: nc_put_var would write only the current
            // (zero) length of an unlimited dimension.
            let start = [Int](repeating: 0, count: v.shape.count)
            let count = v.shape
            let status: Int32
            switch v.data {
            case .float32(let values): status = nc_put_vara_float(ncid, varid, start, count, values)
            case .float64(let values): status = nc_put_vara_double(ncid, varid, start, count, values)
            case .int32(let values): status = nc_put_vara_int(ncid, varid, start, count, values)
            case .int64(let values): status = nc_put_vara_longlong(ncid, varid, start, count, values)
            case nil: status = NC_NOERR
            }
            try check(status, path, "values of '\(v.name)'")
        }
        for g in dataset.groups {
            var gid: Int32 = 0
            try check(nc_inq_grp_ncid(ncid, g.name, &gid), path, "group '\(g.name)'")
            try put(g.dataset, in: gid, path: path)
        }
    }

    private func putAttribute(_ a: Attribute, _ ncid: Int32, _ varid: Int32, _ variableType: nc_type?, _ path: String, _ context: String) throws {
        let status: Int32
        // Values CF compares with the data must have the variable's type.
        let typed = ["_FillValue", "missing_value", "valid_min", "valid_max", "valid_range"].contains(a.name)
        switch a.value {
        case .text(let s):
            let bytes = Array(s.utf8)
            status = nc_put_att_text(ncid, varid, a.name, bytes.count, bytes.map { CChar(bitPattern: $0) })
        case .integers(let v):
            if typed, let t = variableType {
                status = nc_put_att_longlong(ncid, varid, a.name, t, v.count, v)
            } else {
                let fitsInt32 = v.allSatisfy { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }
                status = nc_put_att_longlong(ncid, varid, a.name, fitsInt32 ? NC_INT : NC_INT64, v.count, v)
            }
        case .floats(let v):
            status = nc_put_att_float(ncid, varid, a.name, typed ? (variableType ?? NC_FLOAT) : NC_FLOAT, v.count, v)
        case .doubles(let v):
            status = nc_put_att_double(ncid, varid, a.name, typed ? (variableType ?? NC_DOUBLE) : NC_DOUBLE, v.count, v)
        }
        try check(status, path, "\(context), attribute '\(a.name)'")
    }

    func check(_ status: Int32, _ path: String, _ context: String) throws {
        if status != NC_NOERR {
            throw PlumeIOError.writeFailed(file: path, reason: "\(context): \(NetCDFTypes.message(status))")
        }
    }
}
