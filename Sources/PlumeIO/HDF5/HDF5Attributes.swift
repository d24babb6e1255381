import CHDF5

/// Reads every attribute of an HDF5 object into `Attribute`s. Caller holds the lock.
///
/// Integers become `integers` (uint64 values above `Int64.max` become their decimal text,
/// reported), float16/float32 `floats`, float64 `doubles`, strings `text` (several joined
/// by newlines), object references the paths they point to (text), enumerations the text
/// of their names, a compound's numeric, string and
/// enumeration members one attribute each named `attribute.member`, and an attribute with
/// a null dataspace (no value) an empty value of its type. Other types (region references,
/// variable-length sequences, opaque, bitfield, array) are reported and skipped.
enum HDF5Attributes {
    private final class NameList { var names: [String] = [] }

    /// Names of the attributes of `oid` in creation order when tracked, else name order.
    static func names(_ oid: hid_t) -> [String] {
        let list = NameList()
        let unmanaged = Unmanaged.passUnretained(list)
        let callback: H5A_operator2_t = { _, name, _, context in
            guard let name, let context else { return 0 }
            Unmanaged<NameList>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
            return 0
        }
        if H5Aiterate2(oid, H5_INDEX_CRT_ORDER, H5_ITER_INC, nil, callback, unmanaged.toOpaque()) < 0 || list.names.isEmpty {
            // Files without creation-order tracking only iterate by name.
            list.names = []
            _ = H5Aiterate2(oid, H5_INDEX_NAME, H5_ITER_INC, nil, callback, unmanaged.toOpaque())
        }
        return list.names
    }

    /// The attributes of `oid`, except those named in `skip` (dimension-scale bookkeeping
    /// already turned into dimension names).
    static func read(_ oid: hid_t, file: String, context: String, skip: Set<String> = [], problems: inout [PlumeIOError]) -> [Attribute] {
        var result: [Attribute] = []
        for name in names(oid) where !skip.contains(name) {
            let where_ = "\(context), attribute '\(name)'"
            let aid = H5Aopen(oid, name, plume_h5p_default())
            guard aid >= 0 else {
                problems.append(HDF5Values.libraryError(file, where_))
                continue
            }
            defer { H5Aclose(aid) }
            let type = H5Aget_type(aid)
            let space = H5Aget_space(aid)
            defer { H5Tclose(type); H5Sclose(space) }
            let n = Int(H5Sget_simple_extent_npoints(space))
            guard type >= 0, space >= 0, n >= 0, n < 1 << 24 else {
                problems.append(.unsupported(file: file, context: where_, what: "an attribute of \(n) values"))
                continue
            }
            let source = HDF5Source.attribute(aid)
            if H5Tget_class(type) == H5T_COMPOUND {
                HDF5Values.forEachMember(of: type) { member, memberType in
                    do {
                        let value = try attributeValue(source, memberType, members: [member], count: n, file: file, context: "\(where_) member '\(member)'", problems: &problems)
                        result.append(Attribute(name + "." + member, value))
                    } catch {
                        problems.append(PlumeIOError(error, file: file, context: "\(where_) member '\(member)'"))
                    }
                }
                continue
            }
            do {
                result.append(Attribute(name, try attributeValue(source, type, members: [], count: n, file: file, context: where_, problems: &problems)))
            } catch {
                problems.append(PlumeIOError(error, file: file, context: where_))
            }
        }
        return result
    }

    /// A string attribute's value, nil when absent or not a string.
    static func text(_ oid: hid_t, _ name: String, path: String) -> String? {
        guard H5Aexists(oid, name) > 0 else { return nil }
        let aid = H5Aopen(oid, name, plume_h5p_default())
        guard aid >= 0 else { return nil }
        defer { H5Aclose(aid) }
        let type = H5Aget_type(aid)
        guard type >= 0 else { return nil }
        defer { H5Tclose(type) }
        let space = H5Aget_space(aid)
        guard space >= 0 else { return nil }
        defer { H5Sclose(space) }
        guard H5Tget_class(type) == H5T_STRING, H5Sget_simple_extent_npoints(space) == 1 else { return nil }
        return (try? HDF5Values.strings(.attribute(aid), elementType: type, members: [], count: 1, file: path, context: name))?.first
    }

    private static func attributeValue(
        _ source: HDF5Source, _ type: hid_t, members: [String], count n: Int, file: String, context: String,
        problems: inout [PlumeIOError]
    ) throws -> AttributeValue {
        switch HDF5Values.kind(type) {
        case .failure(let reason):
            throw PlumeIOError.unsupported(file: file, context: context, what: reason.what)
        case .success(.string):
            return .text(try HDF5Values.strings(source, elementType: type, members: members, count: n, file: file, context: context)
                .joined(separator: "\n"))
        case .success(.objectReference):
            return .text(try HDF5Values.objectReferences(source, members: members, count: n, file: file, context: context)
                .joined(separator: "\n"))
        case .success(.enumeration(let base)):
            let data = try HDF5Values.numeric(source, elementType: type, members: members, kind: .enumeration(base), count: n, file: file, context: context)
            let labels = HDF5Values.enumerationLabels(type, signed: base.isSigned)
            let names = integers(data).map { v in labels.first { $0.value == v }?.name ?? String(v) }
            return .text(names.joined(separator: "\n"))
        case .success(.numeric(.uint64)):
            var raw = [UInt64](repeating: 0, count: n)
            try raw.withUnsafeMutableBytes {
                try HDF5Values.read(source, plume_h5t_native_uint64(), members, [], $0.baseAddress, count: n, file, context)
            }
            if raw.allSatisfy({ $0 <= UInt64(Int64.max) }) { return .integers(raw.map { Int64($0) }) }
            problems.append(.unsupported(file: file, context: context,
                                         what: "uint64 values above Int64.max; kept exactly as decimal text"))
            return .text(raw.map(String.init).joined(separator: ", "))
        case .success(let kind):
            let data = try HDF5Values.numeric(source, elementType: type, members: members, kind: kind, count: n, file: file, context: context)
            switch data {
            case .int32, .int64: return .integers(integers(data))
            case .float32(let v): return .floats(v)
            case .float64(let v): return .doubles(v)
            }
        }
    }

    private static func integers(_ data: VariableData) -> [Int64] {
        switch data {
        case .int32(let v): v.map(Int64.init)
        case .int64(let v): v
        case .float32(let v): v.map { Int64($0) }
        case .float64(let v): v.map { Int64($0) }
        }
    }
}

extension PlumeIOError {
    /// `error` as a `PlumeIOError`, or wrapped as an HDF5 library error on `context`.
    init(_ error: any Error, file: String, context: String) {
        self = (error as? PlumeIOError) ?? .library(file: file, context: context, library: "HDF5", message: "\(error)")
    }
}
