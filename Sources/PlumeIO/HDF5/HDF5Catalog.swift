import CHDF5
import Foundation

/// The walk over a plain HDF5 file that lists its groups, its readable datasets (compound
/// members as `dataset.member`, nested ones `dataset.outer.inner`; arrays of numbers with
/// their dimensions appended) and everything it cannot read, with the reason. Caller holds
/// the lock.
///
/// Links: hard links and soft links that resolve are followed (a soft link to a dataset
/// lists it under the link's path); a group reached a second time (a hard-link cycle, a
/// soft link to an ancestor) is not traversed again. Dangling soft links, external links
/// (never opened: they name other files) and user-defined links are reported.
/// Datasets that need a filter this HDF5 library lacks are refused, naming the filter.
struct HDF5Catalog {
    let file: String
    var groups: [String] = []
    var groupAttributes: [String: [Attribute]] = [:]
    var datasets: [HDF5File.Entry] = []
    var problems: [PlumeIOError] = []
    private var seenGroups: [ObjectKey: String] = [:]
    /// The first path of every dataset, by identity (to resolve dimension scales).
    private var datasetPaths: [ObjectKey: String] = [:]
    /// Entries and the identities of the scales attached to their dimensions.
    private var attachedScales: [(entries: Range<Int>, scales: [ObjectKey?])] = []

    init(file: String) {
        self.file = file
    }

    /// Identity of an object within the open files.
    struct ObjectKey: Hashable {
        var a: UInt64, b: UInt64, c: UInt64

        init?(_ oid: hid_t) {
            var key: [UInt64] = [0, 0, 0]
            guard plume_h5o_identity(oid, &key) >= 0 else { return nil }
            (a, b, c) = (key[0], key[1], key[2])
        }

        init(a: UInt64, b: UInt64, c: UInt64) {
            (self.a, self.b, self.c) = (a, b, c)
        }
    }

    static let maximumDepth = 64

    mutating func walk(fileID: hid_t) throws {
        let root = H5Gopen2(fileID, "/", plume_h5p_default())
        guard root >= 0 else { throw HDF5Values.libraryError(file, "root group") }
        defer { H5Gclose(root) }
        if let key = ObjectKey(root) { seenGroups[key] = "/" }
        try walk(root, "/", depth: 0)
        for (entries, scales) in attachedScales {
            let paths = scales.map { $0.flatMap { datasetPaths[$0] } }
            for i in entries {
                datasets[i].dimensionScales = paths + Array(repeating: nil, count: max(0, datasets[i].shape.count - paths.count))
            }
        }
    }

    /// Names of the links of group `gid`, in name order.
    static func linkNames(_ gid: hid_t, _ groupPath: String, file: String) throws -> [String] {
        var info = H5G_info_t()
        guard H5Gget_info(gid, &info) >= 0 else { throw HDF5Values.libraryError(file, "group '\(groupPath)'") }
        var names: [String] = []
        for i in 0..<info.nlinks {
            let size = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, plume_h5p_default())
            guard size >= 0, size < 1 << 16 else { throw HDF5Values.libraryError(file, "group '\(groupPath)' link \(i)") }
            var buffer = [CChar](repeating: 0, count: Int(size) + 1)
            _ = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(size) + 1, plume_h5p_default())
            names.append(String(nulTerminated: buffer))
        }
        return names
    }

    static func childPath(_ group: String, _ name: String) -> String {
        group == "/" ? "/" + name : group + "/" + name
    }

    private mutating func walk(_ gid: hid_t, _ groupPath: String, depth: Int) throws {
        groups.append(groupPath)
        groupAttributes[groupPath] = HDF5Attributes.read(gid, file: file, context: "group '\(groupPath)'", problems: &problems)
        for name in try Self.linkNames(gid, groupPath, file: file) {
            let child = Self.childPath(groupPath, name)
            switch plume_h5l_type(gid, name) {
            case 0:  // hard
                try visit(gid, name, child, depth: depth)
            case 1:  // soft
                let target = Self.linkTarget(gid, name)
                if H5Oexists_by_name(gid, name, plume_h5p_default()) > 0 {
                    try visit(gid, name, child, depth: depth)
                } else {
                    problems.append(.unsupported(file: file, context: "link '\(child)'", what: "dangling soft link to '\(target)'; not followed"))
                }
            case 64:  // external
                let target = Self.linkTarget(gid, name)
                let targetFile = String(target.prefix { $0 != ":" })
                let folder = (file as NSString).deletingLastPathComponent
                let resolved = targetFile.hasPrefix("/") || folder.isEmpty ? targetFile : folder + "/" + targetFile
                let exists = FileManager.default.fileExists(atPath: resolved)
                problems.append(.unsupported(file: file, context: "link '\(child)'",
                                             what: "external link to '\(target)'\(exists ? "" : " (that file does not exist)"); not followed"))
            case let kind:
                problems.append(.unsupported(file: file, context: "link '\(child)'", what: "link of type \(kind) (user-defined); not followed"))
            }
        }
    }

    static func linkTarget(_ gid: hid_t, _ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard plume_h5l_target(gid, name, &buffer, buffer.count) >= 0 else { return "?" }
        return String(nulTerminated: buffer)
    }

    private mutating func visit(_ gid: hid_t, _ name: String, _ child: String, depth: Int) throws {
        let oid = H5Oopen(gid, name, plume_h5p_default())
        guard oid >= 0 else {
            problems.append(HDF5Values.libraryError(file, "object '\(child)'"))
            return
        }
        defer { H5Oclose(oid) }
        switch H5Iget_type(oid) {
        case H5I_GROUP:
            let key = ObjectKey(oid)
            if let key, let earlier = seenGroups[key] {
                problems.append(.unsupported(file: file, context: "group '\(child)'",
                                             what: "the same group as '\(earlier)' (listed there); not traversed twice"))
                return
            }
            guard depth < Self.maximumDepth else {
                problems.append(.unsupported(file: file, context: "group '\(child)'", what: "groups nested deeper than \(Self.maximumDepth); not traversed"))
                return
            }
            if let key { seenGroups[key] = child }
            try walk(oid, child, depth: depth + 1)
        case H5I_DATASET:
            catalogueDataset(oid, child)
        case H5I_DATATYPE:
            problems.append(.unsupported(file: file, context: "named datatype '\(child)'", what: "a committed datatype holds no values; not read"))
        default:
            problems.append(.unsupported(file: file, context: "object '\(child)'", what: "an HDF5 object that is neither group nor dataset; not read"))
        }
    }

    private mutating func catalogueDataset(_ did: hid_t, _ path: String) {
        let context = "dataset '\(path)'"
        let key = ObjectKey(did)
        if let key, datasetPaths[key] == nil { datasetPaths[key] = path }
        let space = H5Dget_space(did)
        let type = H5Dget_type(did)
        defer { if space >= 0 { H5Sclose(space) }; if type >= 0 { H5Tclose(type) } }
        guard space >= 0, type >= 0 else {
            problems.append(HDF5Values.libraryError(file, context))
            return
        }
        var shape: [Int] = []
        let spaceClass = H5Sget_simple_extent_type(space)
        let rank = spaceClass == H5S_SIMPLE ? H5Sget_simple_extent_ndims(space) : 0
        if spaceClass == H5S_SIMPLE, rank >= 0, rank <= 32 {
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            H5Sget_simple_extent_dims(space, &dims, nil)
            shape = dims.map { Int(clamping: $0) }
        }
        // Dimension scales (HDF5's DIMENSION_LIST / REFERENCE_LIST bookkeeping) become
        // dimension names; their attributes are not kept once understood.
        var skip: Set<String> = []
        var scales = [ObjectKey?](repeating: nil, count: shape.count)
        if !shape.isEmpty, H5Aexists(did, "DIMENSION_LIST") > 0 {
            var keys = [UInt64](repeating: 0, count: 3 * shape.count)
            var attached = [Int32](repeating: 0, count: shape.count)
            if plume_h5ds_dimension_list(did, Int32(shape.count), &keys, &attached) >= 0 {
                skip.insert("DIMENSION_LIST")
                for i in shape.indices where attached[i] == 1 {
                    scales[i] = ObjectKey(a: keys[3 * i], b: keys[3 * i + 1], c: keys[3 * i + 2])
                }
            }
        }
        if HDF5Attributes.text(did, "CLASS", path: file) == "DIMENSION_SCALE" {
            skip.insert("REFERENCE_LIST")
            if shape.count == 1 { scales[0] = key }
        }
        let attributes = HDF5Attributes.read(did, file: file, context: context, skip: skip, problems: &problems)
        switch spaceClass {
        case H5S_SCALAR:
            break
        case H5S_SIMPLE:
            guard rank >= 0, rank <= 32 else {
                problems.append(.unsupported(file: file, context: context, what: "rank \(rank)"))
                return
            }
        case H5S_NULL:
            problems.append(.unsupported(file: file, context: context,
                                         what: "a null dataspace (no values, \(attributes.count) attribute(s)); not read"))
            return
        default:
            problems.append(.unsupported(file: file, context: context, what: "an unknown dataspace class"))
            return
        }
        if let missing = Self.unavailableFilter(did) {
            problems.append(.unsupported(file: file, context: context,
                                         what: "needs HDF5 filter \(missing.id)\(missing.name.isEmpty ? "" : " ('\(missing.name)')"), which this HDF5 library does not have; values not read"))
            return
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= 1 << 32 else {
            problems.append(.unsupported(file: file, context: context, what: "\(shape) elements, too many to load whole"))
            return
        }
        let first = datasets.count
        add(path, shape: shape, type: type, attributes: attributes, dataset: path, members: [])
        if scales.contains(where: { $0 != nil }) { attachedScales.append((first..<datasets.count, scales)) }
    }

    /// Lists the values of `type` at `path`: a compound member by member (recursively), an
    /// array of numbers with its dimensions appended to `shape`, other types that fit the
    /// data model as they are; reports the rest.
    private mutating func add(_ path: String, shape: [Int], type: hid_t, attributes: [Attribute], dataset: String, members: [String]) {
        let context = members.isEmpty ? "dataset '\(dataset)'" : "dataset '\(dataset)' member '\(members.joined(separator: "."))'"
        switch H5Tget_class(type) {
        case H5T_COMPOUND:
            guard members.count < Self.maximumDepth else {
                problems.append(.unsupported(file: file, context: context, what: "compound types nested deeper than \(Self.maximumDepth); not read"))
                return
            }
            HDF5Values.forEachMember(of: type) { member, memberType in
                add(path + "." + member, shape: shape, type: memberType, attributes: attributes, dataset: dataset, members: members + [member])
            }
        case H5T_ARRAY:
            let rank = H5Tget_array_ndims(type)
            let base = H5Tget_super(type)
            defer { if base >= 0 { H5Tclose(base) } }
            guard rank >= 1, rank <= 32, base >= 0 else {
                problems.append(HDF5Values.libraryError(file, context))
                return
            }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            H5Tget_array_dims2(type, &dims)
            let arrayShape = dims.map { Int(clamping: $0) }
            let full = shape + arrayShape
            let count = full.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard case .success(.numeric(let dataType)) = HDF5Values.kind(base), count <= 1 << 32 else {
                let what = H5Tget_class(base) == H5T_INTEGER || H5Tget_class(base) == H5T_FLOAT ? "\(full) elements, too many to load whole"
                    : "arrays of HDF5 \(HDF5Values.className(H5Tget_class(base))) values, which Plume's data model cannot hold"
                problems.append(.unsupported(file: file, context: context, what: what + "; not read"))
                return
            }
            datasets.append(HDF5File.Entry(path: path, shape: full, dataType: dataType, attributes: attributes,
                                           dataset: dataset, members: members, arrayShape: arrayShape, kind: .numeric(dataType)))
        default:
            switch HDF5Values.kind(type) {
            case .failure(let reason):
                problems.append(.unsupported(file: file, context: context, what: reason.what + "; not read"))
            case .success(let kind):
                var attributes = attributes
                var dataType = DataType.string
                switch kind {
                case .numeric(let t):
                    dataType = t
                case .enumeration(let t):
                    dataType = t
                    // CF's flag_values / flag_meanings; whitespace inside a name becomes "_".
                    let labels = HDF5Values.enumerationLabels(type, signed: t.isSigned)
                    attributes.set("flag_values", .integers(labels.map(\.value)))
                    attributes.set("flag_meanings", .text(labels.map { $0.name.split(whereSeparator: \.isWhitespace).joined(separator: "_") }.joined(separator: " ")))
                case .string, .objectReference:
                    dataType = .string
                }
                datasets.append(HDF5File.Entry(path: path, shape: shape, dataType: dataType, attributes: attributes,
                                               dataset: dataset, members: members, arrayShape: [], kind: kind))
            }
        }
    }

    /// The first filter of the dataset's pipeline that this HDF5 library cannot apply.
    static func unavailableFilter(_ did: hid_t) -> (id: Int32, name: String)? {
        let plist = H5Dget_create_plist(did)
        guard plist >= 0 else { return nil }
        defer { H5Pclose(plist) }
        let n = H5Pget_nfilters(plist)
        for i in 0..<UInt32(max(n, 0)) {
            var flags: UInt32 = 0
            var elements = 0
            var name = [CChar](repeating: 0, count: 256)
            var config: UInt32 = 0
            let id = H5Pget_filter2(plist, i, &flags, &elements, nil, name.count, &name, &config)
            if id < 0 || H5Zfilter_avail(id) <= 0 {
                return (id, String(nulTerminated: name))
            }
        }
        return nil
    }
}
