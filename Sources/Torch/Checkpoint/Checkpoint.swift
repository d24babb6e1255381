import Foundation

/// Named tensors plus metadata, saved as one safetensors file.
///
/// Besides free string `metadata`, a checkpoint carries an optional JSON info block (any
/// `Codable` value: training step, configuration, normalisation constants…) stored as a JSON
/// string under the metadata key `"plume"`, so Python sees it as
/// `json.loads(safe_open(path, "pt").metadata()["plume"])`.
public struct Checkpoint {
    /// The metadata key under which `setInfo` stores its JSON.
    public static let infoKey = "plume"

    /// The tensors, by name.
    public var tensors: [String: Tensor]
    /// Free string metadata (the file's `__metadata__`), including the info block's JSON.
    public var metadata: [String: String]

    /// A checkpoint of `tensors` and `metadata`.
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Tensor names in sorted order, the order in which `save` writes them.
    public var names: [String] { tensors.keys.sorted() }

    /// The tensor called `name`; setting nil removes it.
    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }

    // MARK: JSON info block

    /// Stores `info` as JSON (sorted keys) under the metadata key `"plume"`, replacing any
    /// earlier block.
    public mutating func setInfo<T: Encodable>(_ info: T) throws(CheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            metadata[Self.infoKey] = String(decoding: try encoder.encode(info), as: UTF8.self)
        } catch {
            throw .invalidInfo(key: Self.infoKey, message: "cannot encode \(T.self): \(error)")
        }
    }

    /// The JSON info block decoded as `T`, or nil when the checkpoint has none.
    /// - Throws: `CheckpointError.invalidInfo` when the block is not JSON of type `T`.
    public func decodeInfo<T: Decodable>(_ type: T.Type = T.self) throws(CheckpointError) -> T? {
        guard let text = metadata[Self.infoKey] else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw .invalidInfo(key: Self.infoKey, message: "cannot decode \(T.self): \(error)")
        }
    }

    // MARK: Files

    /// Writes the checkpoint to `path` in the safetensors format, atomically
    /// (see `SafeTensors.write`).
    public func save(to path: String) throws(CheckpointError) {
        try SafeTensors.write(tensors, metadata: metadata, to: path)
    }

    /// Reads a safetensors file (written by Plume or by Python) into a checkpoint, every tensor
    /// on the CPU.
    public static func load(from path: String) throws(CheckpointError) -> Checkpoint {
        let (tensors, metadata) = try SafeTensors.read(path)
        return Checkpoint(tensors: tensors, metadata: metadata)
    }
}
