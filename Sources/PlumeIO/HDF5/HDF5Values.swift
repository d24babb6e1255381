import CHDF5

/// Where HDF5 values are read from: a dataset or an attribute (both read whole).
enum HDF5Source {
    case dataset(hid_t)
    case attribute(hid_t)

    /// The dataset's or attribute's identifier.
    var id: hid_t {
        switch self {
        case .dataset(let id), .attribute(let id): id
        }
    }

    /// Reads every element, converted to `memoryType`, into `buffer`. Caller holds the lock.
    func read(_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer?) -> herr_t {
        switch self {
        case .dataset(let id): H5Dread(id, memoryType, plume_h5s_all(), plume_h5s_all(), plume_h5p_default(), buffer)
        case .attribute(let id): H5Aread(id, memoryType, buffer)
        }
    }
}

/// How HDF5 element types map onto Plume's `DataType`, and the reading of values of those
/// types (whole datasets or attributes, or one member of a compound type). Every function
/// expects the caller to hold `netCDFAndHDF5Lock`.
///
/// Mapping (widen, never narrow): integers of 1, 2, 4 and 8 bytes keep their type; float16
/// is read as `float32`, float32 and float64 keep theirs; an enumeration is its integer base
/// type (its names are kept alongside); strings of any kind are `string`, and so are
/// object references (the paths of the objects they point to). Compounds are
/// read member by member and arrays of numbers as extra dimensions (`HDF5Catalog`).
/// Everything else (region references, variable-length sequences, opaque, bitfield, time, long
/// double) has no place in the data model and is reported by the callers.
enum HDF5Values {
    /// Calls `body` with the name and type of each member of compound type `type` (the
    /// member type is closed after `body` returns).
    static func forEachMember(of type: hid_t, _ body: (_ name: String, _ memberType: hid_t) -> Void) {
        for m in 0..<UInt32(max(H5Tget_nmembers(type), 0)) {
            guard let cName = H5Tget_member_name(type, m) else { continue }
            let name = String(cString: cName)
            H5free_memory(cName)
            let memberType = H5Tget_member_type(type, m)
            defer { H5Tclose(memberType) }
            body(name, memberType)
        }
    }

    /// What one stored element is in Plume's terms, or why it cannot be held.
    enum Kind: Equatable {
        case numeric(DataType)
        case enumeration(DataType)
        case string
        /// Object references, read as the paths of the objects they point to.
        case objectReference
    }

    static func kind(_ type: hid_t) -> Result<Kind, Unrepresentable> {
        let size = H5Tget_size(type)
        let typeClass = H5Tget_class(type)
        switch typeClass {
        case H5T_INTEGER:
            let unsigned = H5Tget_sign(type) == H5T_SGN_NONE
            switch size {
            case 1: return .success(.numeric(unsigned ? .uint8 : .int8))
            case 2: return .success(.numeric(unsigned ? .uint16 : .int16))
            case 4: return .success(.numeric(unsigned ? .uint32 : .int32))
            case 8: return .success(.numeric(unsigned ? .uint64 : .int64))
            default: return .failure(Unrepresentable(what: "\(size)-byte integers, wider than the 8 bytes Plume holds"))
            }
        case H5T_FLOAT:
            switch size {
            case 2, 4: return .success(.numeric(.float32))
            case 8: return .success(.numeric(.float64))
            default: return .failure(Unrepresentable(what: "\(size)-byte floating-point values, which float64 would round"))
            }
        case H5T_STRING:
            return .success(.string)
        case H5T_REFERENCE where H5Tequal(type, plume_h5t_std_ref_obj()) > 0:
            return .success(.objectReference)
        case H5T_REFERENCE:
            return .failure(Unrepresentable(what: "HDF5 region references, which Plume's data model cannot hold"))
        case H5T_ENUM:
            let base = H5Tget_super(type)
            defer { H5Tclose(base) }
            guard case .success(.numeric(let dataType)) = kind(base), H5Tget_class(base) == H5T_INTEGER else {
                return .failure(Unrepresentable(what: "an enumeration over a non-integer base type"))
            }
            return .success(.enumeration(dataType))
        default:
            return .failure(Unrepresentable(what: "HDF5 \(className(typeClass)) values, which Plume's data model cannot hold"))
        }
    }

    /// Why a type cannot be held, phrased for "…: not supported: <what>".
    struct Unrepresentable: Error, Equatable {
        var what: String
    }

    static func className(_ c: H5T_class_t) -> String {
        switch c {
        case H5T_INTEGER: "integer"
        case H5T_FLOAT: "floating-point"
        case H5T_TIME: "time"
        case H5T_STRING: "string"
        case H5T_BITFIELD: "bitfield"
        case H5T_OPAQUE: "opaque"
        case H5T_COMPOUND: "compound"
        case H5T_REFERENCE: "reference"
        case H5T_ENUM: "enumeration"
        case H5T_VLEN: "variable-length sequence"
        case H5T_ARRAY: "array"
        default: "unknown-class (\(c.rawValue))"
        }
    }

    /// Reads `count` numeric values whose stored element type is `elementType` (for a
    /// compound member: the member's type, `members` the path of names down to it; for an
    /// array type: its base type, `arrayShape` its dimensions), widened into the smallest
    /// `VariableData` that holds `dataType` exactly: `int32` for integers up to 16 bits and
    /// int32, `int64` for uint32/int64/uint64, `float32` for float16/float32, `float64`.
    static func numeric(
        _ source: HDF5Source, elementType: hid_t, members: [String], arrayShape: [Int] = [], kind: Kind, count: Int,
        file: String, context: String
    ) throws -> VariableData {
        switch kind {
        case .string, .objectReference:
            throw PlumeIOError.invalidRequest(file: file, variable: context, reason: "holds strings, expected a numeric type")
        case .enumeration(let dataType):
            let native = H5Tget_native_type(elementType, H5T_DIR_DEFAULT)
            guard native >= 0 else { throw libraryError(file, context) }
            defer { H5Tclose(native) }
            let size = H5Tget_size(native)
            var bytes = [UInt8](repeating: 0, count: count * size)
            try bytes.withUnsafeMutableBytes { try read(source, native, members, arrayShape, $0.baseAddress, count: count, file, context) }
            var values = [Int64](repeating: 0, count: count)
            for i in 0..<count {
                guard let v = bytes.withUnsafeBytes({ integer($0, offset: i * size, size: size, signed: dataType.isSigned) }) else {
                    throw overflow(file, context, index: i)
                }
                values[i] = v
            }
            return dataType.fitsInt32 ? .int32(values.map { Int32(truncatingIfNeeded: $0) }) : .int64(values)
        case .numeric(let dataType):
            switch dataType {
            case .int8, .uint8, .int16, .uint16, .int32:
                var v = [Int32](repeating: 0, count: count)
                try v.withUnsafeMutableBytes { try read(source, plume_h5t_native_int32(), members, arrayShape, $0.baseAddress, count: count, file, context) }
                return .int32(v)
            case .uint32, .int64:
                var v = [Int64](repeating: 0, count: count)
                try v.withUnsafeMutableBytes { try read(source, plume_h5t_native_int64(), members, arrayShape, $0.baseAddress, count: count, file, context) }
                return .int64(v)
            case .uint64:
                var v = [UInt64](repeating: 0, count: count)
                try v.withUnsafeMutableBytes { try read(source, plume_h5t_native_uint64(), members, arrayShape, $0.baseAddress, count: count, file, context) }
                var out = [Int64](repeating: 0, count: count)
                for i in 0..<count {
                    guard let x = Int64(exactly: v[i]) else { throw overflow(file, context, index: i, value: String(v[i])) }
                    out[i] = x
                }
                return .int64(out)
            case .float32:
                var v = [Float](repeating: 0, count: count)
                try v.withUnsafeMutableBytes { try read(source, plume_h5t_native_float(), members, arrayShape, $0.baseAddress, count: count, file, context) }
                return .float32(v)
            case .float64:
                var v = [Double](repeating: 0, count: count)
                try v.withUnsafeMutableBytes { try read(source, plume_h5t_native_double(), members, arrayShape, $0.baseAddress, count: count, file, context) }
                return .float64(v)
            case .char, .string:
                throw PlumeIOError.invalidRequest(file: file, variable: context, reason: "holds strings, expected a numeric type")
            }
        }
    }

    /// Reads `count` strings (fixed-length or variable-length, ASCII or UTF-8). Fixed-length
    /// strings end at their first NUL; space-padded ones lose their trailing spaces.
    static func strings(
        _ source: HDF5Source, elementType: hid_t, members: [String], count: Int, file: String, context: String
    ) throws -> [String] {
        if H5Tis_variable_str(elementType) > 0 {
            let memory = H5Tcopy(plume_h5t_c_s1())
            defer { H5Tclose(memory) }
            H5Tset_size(memory, plume_h5t_variable())
            H5Tset_cset(memory, H5Tget_cset(elementType))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { try read(source, memory, members, [], $0.baseAddress, count: count, file, context) }
            defer { for p in pointers where p != nil { H5free_memory(p) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(elementType)
        let total = count.multipliedReportingOverflow(by: size)
        guard size > 0, size <= 1 << 20, !total.overflow, total.partialValue <= 1 << 32 else {
            throw PlumeIOError.unsupported(file: file, context: context, what: "\(count) fixed-length strings of \(size) bytes, too large to load whole")
        }
        let memory = H5Tcopy(elementType)
        defer { H5Tclose(memory) }
        var bytes = [UInt8](repeating: 0, count: count * size)
        try bytes.withUnsafeMutableBytes { try read(source, memory, members, [], $0.baseAddress, count: count, file, context) }
        let spacePadded = H5Tget_strpad(elementType) == H5T_STR_SPACEPAD
        return (0..<count).map { i in
            var slice = bytes[(i * size)..<((i + 1) * size)]
            if let nul = slice.firstIndex(of: 0) { slice = slice[..<nul] }
            if spacePadded { while slice.last == 0x20 { slice = slice.dropLast() } }
            return String(decoding: slice, as: UTF8.self)
        }
    }

    /// Reads `count` object references as the paths of the objects they point to ("" for a
    /// null reference).
    static func objectReferences(
        _ source: HDF5Source, members: [String], count: Int, file: String, context: String
    ) throws -> [String] {
        var references = [UInt64](repeating: 0, count: count)  // hobj_ref_t
        try references.withUnsafeMutableBytes { try read(source, plume_h5t_std_ref_obj(), members, [], $0.baseAddress, count: count, file, context) }
        var buffer = [CChar](repeating: 0, count: 4096)
        return try references.map { reference in
            var r = reference
            guard plume_h5r_object_name(source.id, &r, &buffer, buffer.count) >= 0 else {
                throw libraryError(file, context + " (object reference)")
            }
            return String(nulTerminated: buffer)
        }
    }

    /// The names and values of an enumeration type, in declaration order.
    static func enumerationLabels(_ type: hid_t, signed: Bool) -> [(value: Int64, name: String)] {
        let native = H5Tget_native_type(type, H5T_DIR_DEFAULT)
        guard native >= 0 else { return [] }
        defer { H5Tclose(native) }
        let size = H5Tget_size(native)
        let n = H5Tget_nmembers(native)
        guard n > 0, size <= 8 else { return [] }
        var labels: [(Int64, String)] = []
        for i in 0..<UInt32(n) {
            guard let name = H5Tget_member_name(native, i) else { continue }
            defer { H5free_memory(name) }
            var buffer = [UInt8](repeating: 0, count: 8)
            guard H5Tget_member_value(native, i, &buffer) >= 0,
                  let value = buffer.withUnsafeBytes({ integer($0, offset: 0, size: size, signed: signed) }) else { continue }
            labels.append((value, String(cString: name)))
        }
        return labels
    }

    /// Reads all elements through `memory`, made an array type of `arrayShape` when given,
    /// then wrapped in one-member compound types from the innermost member outwards when a
    /// member of a compound is read. `count` counts `memory` values.
    static func read(
        _ source: HDF5Source, _ memory: hid_t, _ members: [String], _ arrayShape: [Int], _ buffer: UnsafeMutableRawPointer?,
        count: Int, _ file: String, _ context: String
    ) throws {
        guard count > 0 else { return }
        var created: [hid_t] = []
        defer { for t in created.reversed() { H5Tclose(t) } }
        var memoryType = memory
        if !arrayShape.isEmpty {
            let dims = arrayShape.map { hsize_t($0) }
            let array = H5Tarray_create2(memory, UInt32(dims.count), dims)
            guard array >= 0 else { throw libraryError(file, context) }
            created.append(array)
            memoryType = array
        }
        for member in members.reversed() {
            let compound = H5Tcreate(H5T_COMPOUND, H5Tget_size(memoryType))
            guard compound >= 0 else { throw libraryError(file, context) }
            created.append(compound)
            guard H5Tinsert(compound, member, 0, memoryType) >= 0 else { throw libraryError(file, context) }
            memoryType = compound
        }
        guard source.read(memoryType, buffer) >= 0 else { throw libraryError(file, context) }
    }

    /// A native-endian integer of `size` bytes at `offset`; nil for an unsigned 8-byte
    /// value above `Int64.max`.
    static func integer(_ bytes: UnsafeRawBufferPointer, offset: Int, size: Int, signed: Bool) -> Int64? {
        switch (size, signed) {
        case (1, true): Int64(bytes.loadUnaligned(fromByteOffset: offset, as: Int8.self))
        case (1, false): Int64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt8.self))
        case (2, true): Int64(bytes.loadUnaligned(fromByteOffset: offset, as: Int16.self))
        case (2, false): Int64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        case (4, true): Int64(bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
        case (4, false): Int64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        case (8, true): bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)
        case (8, false): Int64(exactly: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        default: nil
        }
    }

    static func libraryError(_ file: String, _ context: String) -> PlumeIOError {
        .library(file: file, context: context, library: "HDF5", message: HDF5File.lastError())
    }

    private static func overflow(_ file: String, _ context: String, index: Int, value: String? = nil) -> PlumeIOError {
        .unsupported(file: file, context: context,
                     what: "uint64 value \(value ?? "") at index \(index) exceeds Int64.max, the widest integer Plume holds; values not read")
    }
}

extension DataType {
    /// Whether values of this integer type fit `Int32` (so are held as `int32`).
    var fitsInt32: Bool { [.int8, .uint8, .int16, .uint16, .int32].contains(self) }

    var isSigned: Bool { ![.uint8, .uint16, .uint32, .uint64].contains(self) }
}
