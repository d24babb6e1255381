import CHDF5
import CNetCDF
import Foundation

/// A netCDF file (classic, 64-bit offset, CDF5 or netCDF-4/HDF5) open for reading.
///
/// Opening reads the whole structure (groups, dimensions, variables, attributes) into
/// `dataset`; values are read on demand, whole or by hyperslab, raw or CF-decoded.
/// Variables in groups are named by path: `"forecast/t2m"`.
public final class NetCDFFile {
    public let path: String
    /// Structure of the file, without values.
    public let dataset: Dataset
    private let ncid: Int32
    private let index: [String: (group: Int32, varid: Int32, variable: Variable)]

    /// Opens `path` read-only and reads its structure. An HDF5 file without netCDF-4
    /// markers (`HDF5NetCDFMarkers`) is refused before netCDF-C sees it: netCDF-C crashes on
    /// some plain HDF5 files; read those with `HDF5File` (as `DatasetLoader` does).
    public convenience init(path: String) throws {
        try self.init(path: path, formatRouted: false)
    }

    /// `formatRouted`: the caller has already told this file from plain HDF5 (as
    /// `DatasetLoader` and `FileSummary` do), so the marker scan is not made again.
    package init(path: String, formatRouted: Bool) throws {
        self.path = path
        if !formatRouted, (try? FileFormat.detect(path)) == .hdf5,
           case .success(nil) = Result(catching: { try HDF5NetCDFMarkers.firstMarker(path) }) {
            throw PlumeIOError.unrecognisedFormat(file: path, expected: "a netCDF file",
                                                  found: "plain HDF5 without netCDF-4 markers (read it as HDF5)")
        }
        // netCDF-C reads the missing bytes of a classic file cut short as zeros (or, cut
        // before some variable begins, fails with "Invalid argument"): compare the header's
        // extents with the file's size first. Nil for other formats.
        let classic = try ClassicNetCDFExtent.check(path: path)
        var id: Int32 = -1
        let status = netCDFAndHDF5Lock.withLock { _ in nc_open(path, NC_NOWRITE, &id) }
        guard status == NC_NOERR else {
            if status == NC_ENOTNC {
                throw PlumeIOError.unrecognisedFormat(
                    file: path, expected: "a netCDF file", found: "no netCDF or HDF5 header (\(NetCDFTypes.message(status)))")
            }
            throw PlumeIOError.cannotOpen(file: path, reason: NetCDFTypes.message(status))
        }
        ncid = id
        do {
            var format: Int32 = 0
            try NetCDFFile.check(netCDFAndHDF5Lock.withLock { _ in nc_inq_format(id, &format) }, path, "format")
            var index: [String: (Int32, Int32, Variable)] = [:]
            var root = try netCDFAndHDF5Lock.withLock { _ in
                try NetCDFFile.readGroup(id, prefix: "", path: path, index: &index)
            }
            root.format = NetCDFTypes.formatName(format)
            if let classic, classic.recordCount == nil, let records = root.dimensions.first(where: \.isUnlimited) {
                // A file written as a stream (numrecs STREAMING) holds as many records as its
                // size: netCDF-C must see them all.
                if Int64(records.length) != classic.records {
                    throw PlumeIOError.unsupported(
                        file: path, context: "record dimension '\(records.name)'",
                        what: "a streamed file (numrecs STREAMING) whose size holds \(classic.records) records, of which netCDF-C reads \(records.length)")
                }
            }
            dataset = root
            self.index = index
        } catch {
            _ = netCDFAndHDF5Lock.withLock { _ in nc_close(id) }
            throw error
        }
    }

    deinit {
        let id = ncid
        _ = netCDFAndHDF5Lock.withLock { _ in nc_close(id) }
    }

    /// Caps libhdf5's chunk cache of every variable of a netCDF-4 file at `bytes` (netCDF-C's
    /// default is 16 MiB per variable). For files read once record by record (training data,
    /// forcing), where a cache only makes memory grow with the records read. No effect on
    /// classic files.
    public func limitChunkCache(bytes: Int) {
        guard dataset.format.hasPrefix("netCDF-4") else { return }
        netCDFAndHDF5Lock.withLock { _ in
            for (_, e) in index { _ = nc_set_var_chunk_cache(e.group, e.varid, bytes, 61, 0.75) }
        }
    }

    /// Fixes libhdf5's metadata cache of a netCDF-4 file at `bytes` (libhdf5 lets it grow
    /// adaptively up to 32 MiB). Reading a long file record by record touches ever more of
    /// each variable's chunk index, so without a cap memory grows with the records read. No
    /// effect on classic files. - Returns: whether the cache was changed.
    @discardableResult
    public func limitMetadataCache(bytes: Int) -> Bool {
        guard dataset.format.hasPrefix("netCDF-4") else { return false }
        return netCDFAndHDF5Lock.withLock { _ in plume_h5_limit_metadata_cache(path, max(bytes, 1024)) } > 0
    }

    /// Names (paths for variables in groups) of every variable in the file.
    public var variableNames: [String] { index.keys.sorted() }

    /// Metadata of the variable called `name` (a path for variables in groups).
    public func variable(_ name: String) throws -> Variable {
        try entry(name).variable
    }

    /// Reads values as stored, converted to `Double`, without CF decoding.
    /// - Parameter slab: the selection; the whole variable when nil.
    public func readRaw(_ name: String, _ slab: Hyperslab? = nil) throws -> [Double] {
        let e = try entry(name)
        return try readValues(e, slab, nc_get_vars_double)
    }

    /// Reads the values of an integer variable exactly, as stored, without CF decoding
    /// (`Double` holds integers exactly only up to 2^53). Throws for unsigned 64-bit values
    /// above `Int64.max`.
    public func readIntegers(_ name: String, _ slab: Hyperslab? = nil) throws -> [Int64] {
        let e = try entry(name)
        return try readValues(e, slab, nc_get_vars_longlong)
    }

    /// Reads a text variable, one string per record: `char` values with the string length
    /// as last dimension (each string up to its first NUL, trailing blanks removed; a
    /// variable without dimensions is one string), or netCDF-4 `string` values.
    /// - Throws: `PlumeIOError` for a variable of another type, naming it.
    public func readText(_ name: String) throws -> [String] {
        let e = try entry(name)
        let v = e.variable
        let count = v.count
        if count == 0 { return [] }
        switch v.dataType {
        case .char:
            let length = v.shape.last ?? 1
            var bytes = [UInt8](repeating: 0, count: count)
            try NetCDFFile.check(netCDFAndHDF5Lock.withLock { _ in
                bytes.withUnsafeMutableBytes { raw in
                    nc_get_var_text(e.group, e.varid, raw.baseAddress?.assumingMemoryBound(to: CChar.self))
                }
            }, path, "variable '\(v.name)'")
            return stride(from: 0, to: count, by: max(length, 1)).map { start in
                let field = bytes[start..<min(start + length, count)].prefix { $0 != 0 }
                return String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
        case .string:
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try NetCDFFile.check(netCDFAndHDF5Lock.withLock { _ in nc_get_var_string(e.group, e.varid, &pointers) },
                                 path, "variable '\(v.name)'")
            let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
            _ = netCDFAndHDF5Lock.withLock { _ in nc_free_string(count, &pointers) }
            return strings
        default:
            throw PlumeIOError.invalidRequest(file: path, variable: v.name, reason: "holds \(v.dataType.rawValue) values, expected text (char or string)")
        }
    }

    /// Reads CF-decoded values as `Double`: packed values unpacked, missing ones as NaN.
    public func read(_ name: String, _ slab: Hyperslab? = nil) throws -> [Double] {
        let e = try entry(name)
        var values = try readValues(e, slab, nc_get_vars_double)
        packing(e.variable).decode(&values)
        return values
    }

    /// Reads CF-decoded values as `Float`. Unpacked floating-point data is read directly
    /// in single precision; packed or integer data is decoded in double precision first.
    public func readFloat(_ name: String, _ slab: Hyperslab? = nil) throws -> [Float] {
        let e = try entry(name)
        let cf = packing(e.variable)
        if cf.isPacked || !(e.variable.dataType == .float32 || e.variable.dataType == .float64) {
            var values = try readValues(e, slab, nc_get_vars_double)
            cf.decode(&values)
            return values.map(Float.init)
        }
        var values = try readValues(e, slab, nc_get_vars_float)
        cf.maskMissing(&values)
        return values
    }

    /// The CF packing and missing-value conventions of a variable.
    public func packing(_ variable: Variable) -> CFPacking {
        CFPacking(attributes: variable.attributes, dataType: variable.dataType,
                  defaultFill: NetCDFTypes.defaultFill(variable.dataType))
    }

    // MARK: - Reading values

    private typealias Getter<T> = (Int32, Int32, UnsafePointer<Int>?, UnsafePointer<Int>?, UnsafePointer<Int>?, UnsafeMutablePointer<T>?) -> Int32

    private func readValues<T: Numeric>(
        _ e: (group: Int32, varid: Int32, variable: Variable), _ slab: Hyperslab?, _ get: Getter<T>
    ) throws -> [T] {
        let v = e.variable
        guard v.dataType.isNumeric else {
            throw PlumeIOError.invalidRequest(file: path, variable: v.name, reason: "holds \(v.dataType.rawValue) values, expected a numeric type")
        }
        let slab = slab ?? .all(v.shape)
        if let problem = slab.problem(forShape: v.shape) {
            throw PlumeIOError.invalidRequest(file: path, variable: v.name, reason: "bad selection: \(problem)")
        }
        let n = slab.elementCount
        if n == 0 { return [] }
        let bytes = Double(n) * Double(MemoryLayout<T>.size)
        if bytes > Double(ProcessInfo.processInfo.physicalMemory) / 2 {
            throw PlumeIOError.invalidRequest(file: path, variable: v.name, reason: "selection of \(n) values needs \(Int(bytes / 1e9)) GB, more than half this machine's memory; read it by hyperslab")
        }
        // netCDF writes every element of the selection (or fails, and the array is
        // dropped): no need to zero it first.
        var status: Int32 = NC_NOERR
        let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            status = slab.start.withUnsafeBufferPointer { start in
                slab.count.withUnsafeBufferPointer { count in
                    slab.stride.withUnsafeBufferPointer { stride in
                        netCDFAndHDF5Lock.withLock { _ in
                            get(e.group, e.varid, start.baseAddress, count.baseAddress, stride.baseAddress, buffer.baseAddress)
                        }
                    }
                }
            }
            if status != NC_NOERR && status != NC_ERANGE {
                // Zero-fill: the array is dropped below, but must not hold uninitialised floats.
                buffer.initialize(repeating: 0)
            }
            initialized = n
        }
        // NC_ERANGE: some values did not fit the destination type; they are still written
        // (floating point: as ±∞). An integer destination has no such value: refused.
        if status == NC_ERANGE && !(T.self == Double.self || T.self == Float.self) {
            throw PlumeIOError.unsupported(file: path, context: "variable '\(v.name)'",
                                           what: "\(v.dataType.rawValue) values beyond the range of 64-bit signed integers")
        }
        if status != NC_NOERR && status != NC_ERANGE {
            throw PlumeIOError.library(file: path, context: "variable '\(v.name)'", library: "netCDF", message: NetCDFTypes.message(status))
        }
        return values
    }

    private func entry(_ name: String) throws -> (group: Int32, varid: Int32, variable: Variable) {
        let key = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard let e = index[key] else {
            throw PlumeIOError.missingVariable(file: path, variable: name, available: variableNames)
        }
        return e
    }

    // MARK: - Reading structure

    /// Throws the netCDF error of `status`; `context` (built only on failure) says what was being read.
    static func check(_ status: Int32, _ path: String, _ context: @autoclosure () -> String) throws {
        if status != NC_NOERR {
            throw PlumeIOError.library(file: path, context: context(), library: "netCDF", message: NetCDFTypes.message(status))
        }
    }

    /// Reads a group and its subgroups. The caller holds `netCDFAndHDF5Lock`.
    private static func readGroup(
        _ gid: Int32, prefix: String, path: String, index: inout [String: (Int32, Int32, Variable)]
    ) throws -> Dataset {
        var dataset = Dataset()
        var ndims: Int32 = 0
        try check(nc_inq_dimids(gid, &ndims, nil, 0), path, "group '\(prefix)' dimensions")
        var dimids = [Int32](repeating: 0, count: Int(max(ndims, 0)))
        try check(nc_inq_dimids(gid, &ndims, &dimids, 0), path, "group '\(prefix)' dimensions")
        var nunlim: Int32 = 0
        try check(nc_inq_unlimdims(gid, &nunlim, nil), path, "unlimited dimensions")
        var unlimited = [Int32](repeating: 0, count: Int(max(nunlim, 1)))
        try check(nc_inq_unlimdims(gid, &nunlim, &unlimited), path, "unlimited dimensions")
        let unlimitedSet = Set(unlimited.prefix(Int(max(nunlim, 0))))
        for d in dimids {
            let (name, length) = try dimension(gid, d, path)
            dataset.dimensions.append(Dimension(name: name, length: length, isUnlimited: unlimitedSet.contains(d)))
        }
        dataset.attributes = try attributes(gid, NC_GLOBAL, path, prefix.isEmpty ? "global attributes" : "group '\(prefix)' attributes")

        var nvars: Int32 = 0
        try check(nc_inq_varids(gid, &nvars, nil), path, "variables")
        var varids = [Int32](repeating: 0, count: Int(max(nvars, 0)))
        try check(nc_inq_varids(gid, &nvars, &varids), path, "variables")
        for varid in varids {
            var nameBuffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            var xtype: nc_type = 0
            var nd: Int32 = 0
            var natts: Int32 = 0
            try check(nc_inq_var(gid, varid, &nameBuffer, &xtype, &nd, nil, &natts), path, "variable \(varid)")
            guard nd >= 0, nd <= 1024 else {
                throw PlumeIOError.library(file: path, context: "variable \(varid)", library: "netCDF", message: "impossible rank \(nd)")
            }
            var vdims = [Int32](repeating: 0, count: Int(nd))
            try check(nc_inq_vardimid(gid, varid, &vdims), path, "variable \(varid) dimensions")
            let name = String(nulTerminated: nameBuffer)
            guard let type = NetCDFTypes.dataType(xtype) else { continue }  // user-defined types are not read
            var dimNames: [String] = []
            var shape: [Int] = []
            for d in vdims {
                let (dn, len) = try dimension(gid, d, path)
                dimNames.append(dn)
                shape.append(len)
            }
            let variable = Variable(
                name: name, dimensions: dimNames, shape: shape, dataType: type,
                attributes: try attributes(gid, varid, path, "variable '\(prefix + name)'"))
            dataset.variables.append(variable)
            index[prefix + name] = (gid, varid, variable)
        }

        var ngroups: Int32 = 0
        try check(nc_inq_grps(gid, &ngroups, nil), path, "groups")
        var groupIDs = [Int32](repeating: 0, count: Int(max(ngroups, 0)))
        try check(nc_inq_grps(gid, &ngroups, &groupIDs), path, "groups")
        for child in groupIDs {
            var nameBuffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            try check(nc_inq_grpname(child, &nameBuffer), path, "group name")
            let name = String(nulTerminated: nameBuffer)
            let sub = try readGroup(child, prefix: prefix + name + "/", path: path, index: &index)
            dataset.groups.append(Group(name: name, dataset: sub))
        }
        return dataset
    }

    private static func dimension(_ gid: Int32, _ dimid: Int32, _ path: String) throws -> (String, Int) {
        var nameBuffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        var length = 0
        try check(nc_inq_dim(gid, dimid, &nameBuffer, &length), path, "dimension \(dimid)")
        return (String(nulTerminated: nameBuffer), length)
    }

    /// The attributes of variable `varid` (or the group's, for `NC_GLOBAL`). `context`
    /// names the variable or group in errors and is built only on failure.
    private static func attributes(_ gid: Int32, _ varid: Int32, _ path: String, _ context: @autoclosure () -> String) throws -> [Attribute] {
        var natts: Int32 = 0
        try check(nc_inq_varnatts(gid, varid, &natts), path, context())
        var result: [Attribute] = []
        result.reserveCapacity(Int(max(natts, 0)))
        var nameBuffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        for i in 0..<max(natts, 0) {
            try check(nc_inq_attname(gid, varid, i, &nameBuffer), path, context())
            let name = String(nulTerminated: nameBuffer)
            var xtype: nc_type = 0
            var length = 0
            try check(nc_inq_att(gid, varid, nameBuffer, &xtype, &length), path, "\(context()), attribute '\(name)'")
            func where_() -> String { "\(context()), attribute '\(name)'" }
            switch xtype {
            case NC_CHAR:
                var bytes = [UInt8](repeating: 0, count: length + 1)
                try check(nc_get_att_text(gid, varid, nameBuffer, &bytes), path, where_())
                let text = String(decoding: bytes.prefix(length).prefix { $0 != 0 }, as: UTF8.self)
                result.append(Attribute(name, .text(text)))
            case NC_STRING:
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: length)
                try check(nc_get_att_string(gid, varid, nameBuffer, &pointers), path, where_())
                let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                nc_free_string(length, &pointers)
                result.append(Attribute(name, .text(strings.joined(separator: "\n"))))
            case NC_FLOAT:
                var values = [Float](repeating: 0, count: length)
                try check(nc_get_att_float(gid, varid, nameBuffer, &values), path, where_())
                result.append(Attribute(name, .floats(values)))
            case NC_DOUBLE:
                var values = [Double](repeating: 0, count: length)
                try check(nc_get_att_double(gid, varid, nameBuffer, &values), path, where_())
                result.append(Attribute(name, .doubles(values)))
            case NC_BYTE, NC_UBYTE, NC_SHORT, NC_USHORT, NC_INT, NC_UINT, NC_INT64, NC_UINT64:
                var values = [Int64](repeating: 0, count: length)
                let status = nc_get_att_longlong(gid, varid, nameBuffer, &values)
                if status != NC_ERANGE { try check(status, path, where_()) }
                result.append(Attribute(name, .integers(values)))
            default:
                continue  // attributes of user-defined types are not read
            }
        }
        return result
    }
}
