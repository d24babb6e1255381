import Foundation
import PlumeEmulators

/// The Plume metadata of an emulator checkpoint, read from the safetensors header alone
/// (8-byte little-endian length, then JSON) without loading a tensor: what the checks of a
/// pipeline need (the model's grid and task) at the cost of one small read.
enum CheckpointHeader {
    /// The checkpoint's `EmulatorCheckpointInfo`.
    /// - Throws: a message saying what is wrong with the file.
    static func info(path: String) throws(PipelineError) -> EmulatorCheckpointInfo {
        func fail(_ why: String) -> PipelineError { .io(path: path, reason: why) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw fail("cannot be opened") }
        defer { try? handle.close() }
        guard let lengthBytes = try? handle.read(upToCount: 8), lengthBytes.count == 8 else {
            throw fail("too short for a safetensors file")
        }
        let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length > 1, length < 100_000_000, let header = try? handle.read(upToCount: Int(length)), header.count == Int(length) else {
            throw fail("not a safetensors file (header length \(length))")
        }
        guard let json = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let metadata = json["__metadata__"] as? [String: Any],
              let text = metadata["plume"] as? String else {
            throw fail("no Plume metadata: not an emulator checkpoint written by plume train")
        }
        do {
            return try JSONDecoder().decode(EmulatorCheckpointInfo.self, from: Data(text.utf8))
        } catch {
            throw fail("Plume metadata does not decode: \(error)")
        }
    }
}
