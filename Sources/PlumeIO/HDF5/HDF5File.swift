import CHDF5

/// A plain HDF5 file (satellite and observation products, PyTables and h5py files often
/// are) open for reading through the HDF5 library alone: its groups, its numeric and
/// string datasets with their shapes, attributes, and what it holds that Plume cannot read,
/// each with the reason (`problems`).
///
/// netCDF-4 files are HDF5 files too; read those with `NetCDFFile`, which understands
/// their dimensions and conventions (`HDF5NetCDFMarkers` tells them apart).
public final class HDF5File {
    /// One readable dataset of the file, or one member of a compound dataset.
    public struct Entry: Sendable, Equatable {
        /// Absolute path inside the file, e.g. `/geolocation/latitude`; a member of a
        /// compound dataset is `/table.member` (nested: `/table.outer.inner`).
        public var path: String
        /// Lengths of the dimensions, slowest-varying first; empty for a scalar. Values of an
        /// HDF5 array type (e.g. a PyTables column of shape (3,)) add their dimensions last.
        public var shape: [Int]
        /// Element type as stored: float16 appears as `float32` (its values are exact in
        /// float32), an enumeration as its integer base type with CF `flag_values` and
        /// `flag_meanings` attributes naming the values.
        public var dataType: DataType
        public var attributes: [Attribute]
        /// The HDF5 dataset the values come from (differs from `path` for compound members).
        var dataset: String
        /// The path of compound member names down to the values read (empty for a whole dataset).
        var members: [String]
        /// Dimensions of an HDF5 array element type (the trailing dimensions of `shape`).
        var arrayShape: [Int]
        var kind: HDF5Values.Kind
        /// Per dimension, the path of the dimension scale attached to it (HDF5's
        /// DIMENSION_LIST; a scale's own dimension is itself), or nil.
        var dimensionScales: [String?] = []
    }

    public let path: String
    /// Absolute paths of every group, the root `/` first, depth-first in name order.
    public let groups: [String]
    /// Every readable dataset (numeric, string, enumeration, arrays of numbers, and the
    /// members of compounds of those, nested compounds included), depth-first in name order.
    public let datasets: [Entry]
    /// Attributes of the root group.
    public let rootAttributes: [Attribute]
    /// Attributes of every group, by absolute path.
    public let groupAttributes: [String: [Attribute]]
    /// What was found but not read, one error each naming the file, the object and why:
    /// types the data model cannot hold, missing filters, dangling and external links,
    /// attributes that could not be read.
    public let problems: [PlumeIOError]
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
            var catalog = HDF5Catalog(file: path)
            try netCDFAndHDF5Lock.withLock { _ in try catalog.walk(fileID: id) }
            groups = catalog.groups
            datasets = catalog.datasets
            groupAttributes = catalog.groupAttributes
            rootAttributes = catalog.groupAttributes["/"] ?? []
            problems = catalog.problems
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

    /// Reads a numeric dataset whole, row-major, in the narrowest `VariableData` that holds
    /// its type exactly (see `HDF5Values.numeric`). uint64 values above `Int64.max` are
    /// refused with an error naming the file and dataset.
    public func values(_ datasetPath: String) throws -> VariableData {
        let e = try entry(datasetPath)
        guard e.dataType.isNumeric else {
            throw PlumeIOError.invalidRequest(file: path, variable: e.path, reason: "holds \(e.dataType.rawValue) values, expected a numeric type")
        }
        return try withElementType(e) { source, elementType in
            try HDF5Values.numeric(source, elementType: elementType, members: e.members, arrayShape: e.arrayShape, kind: e.kind, count: e.shape.reduce(1, *),
                                   file: path, context: "dataset '\(e.path)'")
        }
    }

    /// Reads a numeric dataset whole, converted to `Double`, row-major.
    public func read(_ datasetPath: String) throws -> [Double] {
        try values(datasetPath).doubles
    }

    /// Reads a string dataset whole, row-major (an object-reference dataset as the paths of
    /// the objects its references point to).
    public func strings(_ datasetPath: String) throws -> [String] {
        let e = try entry(datasetPath)
        guard e.dataType == .string else {
            throw PlumeIOError.invalidRequest(file: path, variable: e.path, reason: "holds \(e.dataType.rawValue) values, expected strings")
        }
        return try withElementType(e) { source, elementType in
            guard e.kind != .objectReference else {
                return try HDF5Values.objectReferences(source, members: e.members, count: e.shape.reduce(1, *),
                                                       file: path, context: "dataset '\(e.path)'")
            }
            return try HDF5Values.strings(source, elementType: elementType, members: e.members, count: e.shape.reduce(1, *),
                                          file: path, context: "dataset '\(e.path)'")
        }
    }

    /// Opens the entry's dataset and runs `body` with it and the stored type of one value
    /// (the member's type for a compound member), under the lock.
    private func withElementType<T>(_ e: Entry, _ body: (HDF5Source, hid_t) throws -> T) throws -> T {
        try netCDFAndHDF5Lock.withLock { _ in
            let context = "dataset '\(e.dataset)'"
            let did = H5Dopen2(fileID, e.dataset, plume_h5p_default())
            guard did >= 0 else { throw HDF5Values.libraryError(path, context) }
            defer { H5Dclose(did) }
            let type = H5Dget_type(did)
            guard type >= 0 else { throw HDF5Values.libraryError(path, context) }
            defer { H5Tclose(type) }
            var elementType = H5Tcopy(type)
            for member in e.members where elementType >= 0 {
                let index = H5Tget_member_index(elementType, member)
                let next = index >= 0 ? H5Tget_member_type(elementType, UInt32(index)) : -1
                H5Tclose(elementType)
                elementType = next
            }
            if !e.arrayShape.isEmpty, elementType >= 0 {
                let base = H5Tget_super(elementType)
                H5Tclose(elementType)
                elementType = base
            }
            guard elementType >= 0 else { throw HDF5Values.libraryError(path, context) }
            defer { H5Tclose(elementType) }
            return try body(.dataset(did), elementType)
        }
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        plume_h5_last_error(&buffer)
        let text = String(nulTerminated: buffer)
        return text.isEmpty ? "unknown HDF5 error" : text
    }
}
