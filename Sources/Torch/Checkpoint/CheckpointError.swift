/// A checkpoint that could not be written or read. Every case names the file, and where it
/// applies the tensor or metadata key at fault, so that the message alone locates the problem.
public enum CheckpointError: Error, CustomStringConvertible, Sendable {
    /// The file system refused an operation (open, read, write, rename).
    case io(path: String, operation: String, message: String)
    /// The file is shorter than the 8-byte header length.
    case truncated(path: String, fileSize: Int)
    /// The header length field points past the end of the file.
    case headerBeyondFile(path: String, headerLength: UInt64, fileSize: Int)
    /// The header length exceeds the format's limit (100 MB).
    case headerTooLarge(path: String, headerLength: UInt64, limit: Int)
    /// The header is not UTF-8, not JSON, or not a JSON object of the expected form.
    case invalidHeader(path: String, message: String)
    /// A tensor's entry in the header is malformed (missing field, wrong type, negative size).
    case invalidEntry(path: String, tensor: String, message: String)
    /// A dtype string that the safetensors format does not define.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A dtype that exists in safetensors (or libtorch) but that Plume cannot store or load.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// The same tensor name (or metadata key) appears twice.
    case duplicateName(path: String, name: String)
    /// A tensor's byte range does not match its shape and dtype.
    case sizeMismatch(path: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    /// A tensor's byte range overlaps the previous one or leaves a gap before it.
    case invalidOffsets(path: String, tensor: String, begin: Int, end: Int, expectedBegin: Int)
    /// A tensor's byte range runs past the end of the data buffer.
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, bufferSize: Int)
    /// The tensors do not cover the whole data buffer (trailing bytes).
    case incompleteBuffer(path: String, covered: Int, bufferSize: Int)
    /// The `__metadata__` block is not a map of strings to strings.
    case invalidMetadata(path: String, key: String, message: String)
    /// The JSON info block stored under a metadata key could not be encoded or decoded.
    case invalidInfo(key: String, message: String)
    /// libtorch failed to build or export a tensor.
    case tensor(path: String, tensor: String, error: TorchError)

    public var description: String {
        switch self {
        case let .io(path, operation, message):
            "\(path): cannot \(operation): \(message)"
        case let .truncated(path, fileSize):
            "\(path): truncated safetensors file (\(fileSize) bytes, fewer than the 8-byte header length)"
        case let .headerBeyondFile(path, headerLength, fileSize):
            "\(path): header length \(headerLength) bytes runs past the end of the \(fileSize)-byte file"
        case let .headerTooLarge(path, headerLength, limit):
            "\(path): header length \(headerLength) bytes exceeds the safetensors limit of \(limit) bytes"
        case let .invalidHeader(path, message):
            "\(path): invalid safetensors header: \(message)"
        case let .invalidEntry(path, tensor, message):
            "\(path): tensor \"\(tensor)\": \(message)"
        case let .unknownDType(path, tensor, dtype):
            "\(path): tensor \"\(tensor)\": unknown dtype \"\(dtype)\""
        case let .unsupportedDType(path, tensor, dtype):
            "\(path): tensor \"\(tensor)\": dtype \(dtype) is not supported by Plume's safetensors"
        case let .duplicateName(path, name):
            "\(path): name \"\(name)\" appears more than once"
        case let .sizeMismatch(path, tensor, shape, dtype, expectedBytes, actualBytes):
            "\(path): tensor \"\(tensor)\": shape \(shape) of \(dtype) needs \(expectedBytes) bytes but data_offsets span \(actualBytes)"
        case let .invalidOffsets(path, tensor, begin, end, expectedBegin):
            begin < expectedBegin
                ? "\(path): tensor \"\(tensor)\": data_offsets [\(begin), \(end)] overlap the previous tensor (which ends at \(expectedBegin))"
                : "\(path): tensor \"\(tensor)\": data_offsets [\(begin), \(end)] leave a gap after byte \(expectedBegin)"
        case let .offsetsOutOfRange(path, tensor, begin, end, bufferSize):
            "\(path): tensor \"\(tensor)\": data_offsets [\(begin), \(end)] run past the \(bufferSize)-byte data buffer"
        case let .incompleteBuffer(path, covered, bufferSize):
            "\(path): tensors cover \(covered) of the \(bufferSize) data bytes (file truncated or trailing bytes)"
        case let .invalidMetadata(path, key, message):
            "\(path): __metadata__ key \"\(key)\": \(message)"
        case let .invalidInfo(key, message):
            "checkpoint info block \"\(key)\": \(message)"
        case let .tensor(path, tensor, error):
            "\(path): tensor \"\(tensor)\": \(error)"
        }
    }
}
