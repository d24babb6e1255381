import Foundation
import PlumeSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files in Hugging Face's safetensors format, as written and read by Python's `safetensors`
/// (`safetensors.torch.save_file` / `load_file`) and its Rust reader.
///
/// Layout: an 8-byte little-endian `u64` header length `N`; `N` bytes of UTF-8 JSON
/// `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …,
/// "__metadata__": {"key": "value"}}`; then the data buffer, in which each tensor's bytes
/// (row-major, little-endian, its own dtype) lie at `[begin, end)`. The byte ranges are
/// contiguous and cover the whole buffer.
public enum SafeTensors {
    /// The Rust reader's limit on the header length, in bytes.
    public static let maximumHeaderLength = 100_000_000

    /// The header key of the string metadata block.
    public static let metadataKey = "__metadata__"

    /// One tensor's description in a file's header.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name (the header key).
        public let name: String
        public let dtype: DType
        /// Sizes of every dimension, outermost first; `[]` for a zero-dimensional tensor.
        public let shape: [Int]
        /// The tensor's bytes within the data buffer (offsets from the end of the header).
        public let dataOffsets: Range<Int>
    }

    // MARK: Writing

    /// Writes `tensors` and string `metadata` to `path` in the safetensors format.
    ///
    /// Tensors may come in any order; they are written sorted by name, each as its row-major
    /// bytes in its own dtype (copied to the CPU first). The header is padded with spaces so
    /// that the data starts at an 8-byte-aligned offset. The file is written under a temporary
    /// name in the same folder, flushed, then renamed over `path`, so readers never see a
    /// partial file.
    /// - Throws: `CheckpointError` for duplicate or reserved names, complex128 tensors (no
    ///   safetensors dtype) and file-system failures.
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String
    ) throws(CheckpointError) {
        var seen = Set<String>()
        for (name, _) in tensors {
            guard name != metadataKey else {
                throw .invalidEntry(path: path, tensor: name, message: "the name \(metadataKey) is reserved for metadata")
            }
            guard seen.insert(name).inserted else { throw .duplicateName(path: path, name: name) }
        }
        let sorted = tensors.sorted { $0.name < $1.name }

        // Header: every entry's dtype, shape and byte range, in name order.
        var entries: [String] = []
        var offset = 0
        for (name, tensor) in sorted {
            let dtype = tensor.dtype
            guard let code = code(for: dtype) else {
                throw .unsupportedDType(path: path, tensor: name, dtype: dtype.description)
            }
            let shape = tensor.shape
            let size = shape.reduce(1, *) * dtype.byteCount
            let shapeText = shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"\(code)\",\"shape\":[\(shapeText)],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        if !metadata.isEmpty {
            let fields = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.insert("\(jsonString(metadataKey)):{\(fields.joined(separator: ","))}", at: 0)
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        let padding = (8 - (8 + header.count) % 8) % 8
        header.append(contentsOf: repeatElement(0x20, count: padding))

        try writeAtomically(path: path) { (file: OutputFile) throws(CheckpointError) in
            let length = UInt64(header.count)
            try file.write((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
            try file.write(header)
            for (name, tensor) in sorted {
                let bytes: [UInt8]
                do throws(TorchError) { bytes = try tensor.bytes() } catch { throw .tensor(path: path, tensor: name, error: error) }
                try file.write(bytes)
            }
        }
    }

    /// Writes the tensors of a dictionary; see `write(_:metadata:to:)`.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws(CheckpointError) {
        try write(tensors.map { (name: $0.key, tensor: $0.value) }, metadata: metadata, to: path)
    }

    // MARK: Reading

    /// Reads every tensor (onto the CPU) and the string metadata of the file at `path`.
    /// - Throws: `CheckpointError` naming the file and the tensor or key when the file is
    ///   missing, truncated or malformed in any way.
    public static func read(_ path: String) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        let (list, metadata) = try readOrdered(path)
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in list { tensors[name] = tensor }
        return (tensors, metadata)
    }

    /// Reads every tensor and the string metadata, the tensors in file order (by data offset).
    public static func readOrdered(_ path: String) throws(CheckpointError) -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let data = try map(path)
        let header = try parseHeader(data, path: path)
        let result = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<[(name: String, tensor: Tensor)], CheckpointError> in
            var tensors: [(name: String, tensor: Tensor)] = []
            tensors.reserveCapacity(header.entries.count)
            for entry in header.entries {
                let lower = header.dataStart + entry.dataOffsets.lowerBound
                let upper = header.dataStart + entry.dataOffsets.upperBound
                let bytes = UnsafeRawBufferPointer(rebasing: raw[lower..<upper])
                if entry.dtype == .bool, let bad = bytes.firstIndex(where: { $0 > 1 }) {
                    return .failure(.invalidEntry(path: path, tensor: entry.name,
                                                  message: "BOOL element \(bad) holds byte \(bytes[bad]), not 0 or 1"))
                }
                do throws(TorchError) {
                    tensors.append((entry.name, try Tensor(bytes: bytes, shape: entry.shape, dtype: entry.dtype)))
                } catch {
                    return .failure(.tensor(path: path, tensor: entry.name, error: error))
                }
            }
            return .success(tensors)
        }
        return (try result.get(), header.metadata)
    }

    /// Reads only the header of the file at `path`: each tensor's name, dtype, shape and byte
    /// range (in file order) and the string metadata, validated as `read` does.
    public static func inspect(_ path: String) throws(CheckpointError) -> (entries: [Entry], metadata: [String: String]) {
        let header = try parseHeader(try map(path), path: path)
        return (header.entries, header.metadata)
    }
}

// MARK: - dtype codes

extension SafeTensors {
    /// The safetensors dtype string of `dtype`; nil for complex128, which the format lacks.
    static func code(for dtype: DType) -> String? {
        switch dtype {
        case .float64: "F64"
        case .float32: "F32"
        case .float16: "F16"
        case .bfloat16: "BF16"
        case .int64: "I64"
        case .int32: "I32"
        case .int16: "I16"
        case .int8: "I8"
        case .uint8: "U8"
        case .bool: "BOOL"
        case .complex64: "C64"
        case .complex128: nil
        }
    }

    /// The dtype of a safetensors dtype string, if Plume supports it.
    static func dtype(for code: String) -> DType? {
        DType.allCases.first { self.code(for: $0) == code }
    }

    /// Dtypes the format defines but libtorch 1.13 (and so Plume) cannot hold.
    static let unsupportedCodes: Set<String> = [
        "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
    ]
}

// MARK: - Header parsing and validation

extension SafeTensors {
    struct Header {
        /// Tensors sorted by data offset.
        var entries: [Entry]
        var metadata: [String: String]
        /// Byte offset of the data buffer within the file (8 + header length).
        var dataStart: Int
    }

    /// Maps the file into memory.
    static func map(_ path: String) throws(CheckpointError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .io(path: path, operation: "read the file", message: describe(error))
        }
    }

    /// Parses and validates the header of a whole safetensors file `data`.
    static func parseHeader(_ data: Data, path: String) throws(CheckpointError) -> Header {
        let fileSize = data.count
        guard fileSize >= 8 else { throw .truncated(path: path, fileSize: fileSize) }
        let (length, headerBytes) = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (UInt64, [UInt8]?) in
            var length: UInt64 = 0
            for i in 0..<8 { length |= UInt64(raw[i]) << (8 * UInt64(i)) }
            guard length <= UInt64(fileSize - 8), length <= UInt64(maximumHeaderLength) else { return (length, nil) }
            return (length, Array(raw[8..<(8 + Int(length))]))
        }
        guard length <= UInt64(fileSize - 8) else {
            throw .headerBeyondFile(path: path, headerLength: length, fileSize: fileSize)
        }
        guard let headerBytes else {
            throw .headerTooLarge(path: path, headerLength: length, limit: maximumHeaderLength)
        }
        guard String(validating: headerBytes, as: UTF8.self) != nil else {
            throw .invalidHeader(path: path, message: "the header is not valid UTF-8")
        }
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw .invalidHeader(path: path, message: "the header does not start with '{'")
        }
        var parser = HeaderJSONParser(bytes: headerBytes)
        let json: HeaderJSON
        do throws(HeaderJSONParser.Failure) { json = try parser.parseDocument() } catch {
            throw .invalidHeader(path: path, message: error.message)
        }
        guard case let .object(fields) = json else {
            throw .invalidHeader(path: path, message: "the header is not a JSON object")
        }

        let dataStart = 8 + Int(length)
        let bufferSize = fileSize - dataStart
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        var names = Set<String>()
        for (key, value) in fields {
            guard names.insert(key).inserted else { throw .duplicateName(path: path, name: key) }
            if key == metadataKey {
                metadata = try parseMetadata(value, path: path)
            } else {
                entries.append(try parseEntry(key, value, path: path, bufferSize: bufferSize))
            }
        }

        // The byte ranges, in offset order, must tile the buffer exactly.
        entries.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var end = 0
        for entry in entries {
            guard entry.dataOffsets.lowerBound == end else {
                throw .invalidOffsets(path: path, tensor: entry.name, begin: entry.dataOffsets.lowerBound,
                                      end: entry.dataOffsets.upperBound, expectedBegin: end)
            }
            end = entry.dataOffsets.upperBound
        }
        guard end == bufferSize else { throw .incompleteBuffer(path: path, covered: end, bufferSize: bufferSize) }
        return Header(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: HeaderJSON, path: String) throws(CheckpointError) -> [String: String] {
        if case .null = value { return [:] }
        guard case let .object(fields) = value else {
            throw .invalidHeader(path: path, message: "\(metadataKey) is not a JSON object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in fields {
            guard case let .string(text) = value else {
                throw .invalidMetadata(path: path, key: key, message: "the value is \(value.kind), not a string")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw .invalidMetadata(path: path, key: key, message: "the key appears more than once")
            }
        }
        return metadata
    }

    private static func parseEntry(_ name: String, _ value: HeaderJSON, path: String, bufferSize: Int) throws(CheckpointError) -> Entry {
        guard case let .object(fields) = value else {
            throw .invalidEntry(path: path, tensor: name, message: "the entry is \(value.kind), not a JSON object")
        }
        var dtypeValue: HeaderJSON?
        var shapeValue: HeaderJSON?
        var offsetsValue: HeaderJSON?
        for (key, field) in fields {
            switch key {
            case "dtype", "shape", "data_offsets":
                let previous: HeaderJSON?
                switch key {
                case "dtype": previous = dtypeValue; dtypeValue = field
                case "shape": previous = shapeValue; shapeValue = field
                default: previous = offsetsValue; offsetsValue = field
                }
                guard previous == nil else {
                    throw .invalidEntry(path: path, tensor: name, message: "field \"\(key)\" appears more than once")
                }
            default:
                continue  // Unknown fields are ignored, as by the Rust reader.
            }
        }

        guard case let .string(code)? = dtypeValue else {
            throw .invalidEntry(path: path, tensor: name, message: dtypeValue.map { "\"dtype\" is \($0.kind), not a string" } ?? "missing \"dtype\"")
        }
        guard let dtype = dtype(for: code) else {
            if unsupportedCodes.contains(code) { throw .unsupportedDType(path: path, tensor: name, dtype: code) }
            throw .unknownDType(path: path, tensor: name, dtype: code)
        }
        let shape = try integers(shapeValue, field: "shape", tensor: name, path: path)
        let offsets = try integers(offsetsValue, field: "data_offsets", tensor: name, path: path)
        guard offsets.count == 2 else {
            throw .invalidEntry(path: path, tensor: name, message: "\"data_offsets\" has \(offsets.count) numbers, not 2")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else {
            throw .invalidEntry(path: path, tensor: name, message: "data_offsets [\(begin), \(end)] end before they begin")
        }
        guard end <= bufferSize else {
            throw .offsetsOutOfRange(path: path, tensor: name, begin: begin, end: end, bufferSize: bufferSize)
        }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw .invalidEntry(path: path, tensor: name, message: "shape \(shape) has too many elements")
            }
            count = product
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow else {
            throw .invalidEntry(path: path, tensor: name, message: "shape \(shape) of \(code) has too many bytes")
        }
        guard expected == end - begin else {
            throw .sizeMismatch(path: path, tensor: name, shape: shape, dtype: code, expectedBytes: expected, actualBytes: end - begin)
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// A JSON array of non-negative integers that fit in `Int`.
    private static func integers(_ value: HeaderJSON?, field: String, tensor: String, path: String) throws(CheckpointError) -> [Int] {
        guard let value else { throw .invalidEntry(path: path, tensor: tensor, message: "missing \"\(field)\"") }
        guard case let .array(items) = value else {
            throw .invalidEntry(path: path, tensor: tensor, message: "\"\(field)\" is \(value.kind), not an array")
        }
        var result: [Int] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard case let .number(text) = item, let number = Int(text), number >= 0 else {
                let shown = if case let .number(text) = item { text } else { item.kind }
                throw .invalidEntry(path: path, tensor: tensor, message: "\"\(field)\" holds \(shown), not a non-negative integer")
            }
            result.append(number)
        }
        return result
    }
}

// MARK: - Atomic output

extension SafeTensors {
    /// A file being written through the project's atomic writer (`PendingFile`).
    struct OutputFile {
        let pending: PendingFile
        let path: String

        /// Appends all of `bytes`.
        func write(_ bytes: [UInt8]) throws(CheckpointError) {
            do throws(AtomicWriteError) {
                try pending.append(bytes)
            } catch {
                throw .io(path: path, operation: "write", message: error.reason)
            }
        }
    }

    /// Runs `body` on a temporary file in `path`'s folder, then flushes it and renames it over
    /// `path` (`PendingFile`). On any failure the temporary file is removed and `path` is left untouched.
    static func writeAtomically(path: String, _ body: (OutputFile) throws(CheckpointError) -> Void) throws(CheckpointError) {
        let pending: PendingFile
        do throws(AtomicWriteError) {
            pending = try PendingFile(destination: path)
        } catch {
            throw .io(path: path, operation: "create", message: error.reason)
        }
        do throws(CheckpointError) {
            try body(OutputFile(pending: pending, path: path))
            do throws(AtomicWriteError) {
                try pending.commit()
            } catch {
                throw .io(path: path, operation: "commit", message: error.reason)
            }
        } catch {
            pending.discard()
            throw error
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }

    /// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
