import CHDF5

/// A plain HDF5 file (satellite and observation products often are) open for reading:
/// its groups, its numeric and string datasets with their shapes, and attributes.
///
/// netCDF-4 files are HDF5 files too; read those with `NetCDFFile`, which understands
/// their dimensions and conventions.
public final class HDF5File {
    /// One dataset of the file.
    public struct Entry: Sendable, Equatable {
        /// Absolute path inside the file, e.g. `/geolocation/latitude`.
        public var path: String
        public var shape: [Int]
        public var dataType: DataType
        public var attributes: [Attribute]
    }

    public let path: String
    /// Absolute paths of every group, the root `/` first.
    public let groups: [String]
    /// Every dataset of a numeric or string type, depth-first in name order.
    public let datasets: [Entry]
    /// Attributes of the root group.
    public let rootAttributes: [Attribute]
    private let fileID: hid_t

    public init(path: String) throws {
        self.path = path
        let id: hid_t = netCDFAndHDF5Lock.withLock { _ in
            guard H5Fis_hdf5(path) > 0 else { return -2 }
            return H5Fopen(path, plume_h5f_acc_rdonly(), plume_h5p_default())
        }
        if id == -2 {
            throw PlumeIOError.unrecognisedFormat(file: path, expected: "an HDF5 file", found: "no HDF5 signature")
        }
        guard id >= 0 else { throw PlumeIOError.cannotOpen(file: path, reason: Self.lastError()) }
        fileID = id
        do {
            var groups: [String] = []
            var datasets: [Entry] = []
            var root: [Attribute] = []
            try netCDFAndHDF5Lock.withLock { _ in
                root = try Self.attributes(id, path: path, context: "/")
                try Self.walk(id, "/", file: path, groups: &groups, datasets: &datasets)
            }
            self.groups = groups
            self.datasets = datasets
            rootAttributes = root
        } catch {
            _ = netCDFAndHDF5Lock.withLock { _ in H5Fclose(id) }
            throw error
        }
    }

    deinit {
        let id = fileID
        _ = netCDFAndHDF5Lock.withLock { _ in H5Fclose(id) }
    }

    /// The dataset at `datasetPath` (absolute, or relative to the root).
    public func entry(_ datasetPath: String) throws -> Entry {
        let p = datasetPath.hasPrefix("/") ? datasetPath : "/" + datasetPath
        guard let e = datasets.first(where: { $0.path == p }) else {
            throw PlumeIOError.missingVariable(file: path, variable: datasetPath, available: datasets.map(\.path))
        }
        return e
    }

    /// Reads a numeric dataset whole, converted to `Double`, row-major.
    public func read(_ datasetPath: String) throws -> [Double] {
        let e = try entry(datasetPath)
        guard e.dataType.isNumeric else {
            throw PlumeIOError.invalidRequest(file: path, variable: e.path, reason: "holds \(e.dataType.rawValue) values, expected a numeric type")
        }
        let n = e.shape.reduce(1, *)
        var values = [Double](repeating: 0, count: n)
        let status: herr_t = netCDFAndHDF5Lock.withLock { _ in
            let did = H5Dopen2(fileID, e.path, plume_h5p_default())
            guard did >= 0 else { return -1 }
            defer { H5Dclose(did) }
            return values.withUnsafeMutableBytes { buffer in
                H5Dread(did, plume_h5t_native_double(), plume_h5s_all(), plume_h5s_all(), plume_h5p_default(), buffer.baseAddress)
            }
        }
        guard status >= 0 else {
            throw PlumeIOError.library(file: path, context: "dataset '\(e.path)'", library: "HDF5", message: Self.lastError())
        }
        return values
    }

    // MARK: - Walking the file (caller holds the lock)

    private static func walk(_ gid: hid_t, _ groupPath: String, file: String, groups: inout [String], datasets: inout [Entry]) throws {
        groups.append(groupPath)
        var info = H5G_info_t()
        guard H5Gget_info(gid, &info) >= 0 else {
            throw PlumeIOError.library(file: file, context: "group '\(groupPath)'", library: "HDF5", message: lastError())
        }
        for i in 0..<info.nlinks {
            let size = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, plume_h5p_default())
            guard size >= 0, size < 1 << 16 else {
                throw PlumeIOError.library(file: file, context: "group '\(groupPath)' link \(i)", library: "HDF5", message: lastError())
            }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            _ = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(size) + 1, plume_h5p_default())
            let name = String(nulTerminated: buffer)
            let child = groupPath == "/" ? "/" + name : groupPath + "/" + name
            let oid = H5Oopen(gid, name, plume_h5p_default())
            guard oid >= 0 else { continue }  // dangling soft or external link
            defer { H5Oclose(oid) }
            switch H5Iget_type(oid) {
            case H5I_GROUP:
                try walk(oid, child, file: file, groups: &groups, datasets: &datasets)
            case H5I_DATASET:
                let space = H5Dget_space(oid)
                let type = H5Dget_type(oid)
                defer { H5Sclose(space); H5Tclose(type) }
                guard let dataType = Self.dataType(type) else { continue }
                let rank = H5Sget_simple_extent_ndims(space)
                guard rank >= 0, rank <= 32 else {
                    throw PlumeIOError.library(file: file, context: "dataset '\(child)'", library: "HDF5", message: "rank \(rank)")
                }
                var dims = [hsize_t](repeating: 0, count: Int(rank))
                H5Sget_simple_extent_dims(space, &dims, nil)
                datasets.append(Entry(path: child, shape: dims.map { Int($0) }, dataType: dataType,
                                      attributes: try attributes(oid, path: file, context: child)))
            default:
                continue
            }
        }
    }

    private static func dataType(_ type: hid_t) -> DataType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            let unsigned = H5Tget_sign(type) == H5T_SGN_NONE
            switch size {
            case 1: return unsigned ? .uint8 : .int8
            case 2: return unsigned ? .uint16 : .int16
            case 4: return unsigned ? .uint32 : .int32
            case 8: return unsigned ? .uint64 : .int64
            default: return nil
            }
        case H5T_FLOAT:
            return size == 4 ? .float32 : size == 8 ? .float64 : nil
        case H5T_STRING:
            return .string
        default:
            return nil
        }
    }

    private final class NameList { var names: [String] = [] }

    private static func attributes(_ oid: hid_t, path: String, context: String) throws -> [Attribute] {
        let list = NameList()
        let unmanaged = Unmanaged.passUnretained(list)
        _ = H5Aiterate2(oid, H5_INDEX_CRT_ORDER, H5_ITER_INC, nil, { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<NameList>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }, unmanaged.toOpaque())
        if list.names.isEmpty {
            // Files without creation-order tracking only iterate by name.
            _ = H5Aiterate2(oid, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, context in
                guard let name, let context else { return 0 }
                Unmanaged<NameList>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
                return 0
            }, unmanaged.toOpaque())
        }
        var result: [Attribute] = []
        for name in list.names {
            let aid = H5Aopen(oid, name, plume_h5p_default())
            guard aid >= 0 else { continue }
            defer { H5Aclose(aid) }
            let type = H5Aget_type(aid)
            let space = H5Aget_space(aid)
            defer { H5Tclose(type); H5Sclose(space) }
            let n = Int(H5Sget_simple_extent_npoints(space))
            guard n >= 0, n < 1 << 24 else { continue }
            switch H5Tget_class(type) {
            case H5T_INTEGER:
                var values = [Int64](repeating: 0, count: n)
                guard H5Aread(aid, plume_h5t_native_int64(), &values) >= 0 else { continue }
                result.append(Attribute(name, .integers(values)))
            case H5T_FLOAT:
                var values = [Double](repeating: 0, count: n)
                guard H5Aread(aid, plume_h5t_native_double(), &values) >= 0 else { continue }
                result.append(Attribute(name, .doubles(values)))
            case H5T_STRING:
                if H5Tis_variable_str(type) > 0 {
                    let memType = H5Tcopy(plume_h5t_c_s1())
                    defer { H5Tclose(memType) }
                    H5Tset_size(memType, plume_h5t_variable())
                    var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
                    guard H5Aread(aid, memType, &pointers) >= 0 else { continue }
                    let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                    for p in pointers { H5free_memory(p) }
                    result.append(Attribute(name, .text(strings.joined(separator: "\n"))))
                } else {
                    let size = H5Tget_size(type)
                    guard size > 0, size * n < 1 << 24 else { continue }
                    var bytes = [CChar](repeating: 0, count: size * n + 1)
                    guard H5Aread(aid, type, &bytes) >= 0 else { continue }
                    let strings = (0..<n).map { i in String(nulTerminated: Array(bytes[(i * size)..<((i + 1) * size)])) }
                    result.append(Attribute(name, .text(strings.joined(separator: "\n"))))
                }
            default:
                continue
            }
        }
        return result
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        plume_h5_last_error(&buffer)
        let text = String(nulTerminated: buffer)
        return text.isEmpty ? "unknown HDF5 error" : text
    }
}
