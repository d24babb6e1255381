import Foundation
import PlumeTestSupport
import Testing
@testable import Torch

/// A fresh temporary folder per test, removed by `remove()`.
private struct SafeTensorsScratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "plume-safetensors-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A tensor of raw 16-bit patterns (bfloat16 or float16), row-major.
private func tensor16(_ bits: [UInt16], shape: [Int], dtype: DType) throws -> Tensor {
    try bits.map(\.littleEndian).withUnsafeBytes { raw throws(TorchError) in try Tensor(bytes: raw, shape: shape, dtype: dtype) }
}

/// The error `SafeTensors.read` throws for `path`, or nil when it succeeds.
private func readError(_ path: String) -> CheckpointError? {
    do throws(CheckpointError) {
        _ = try SafeTensors.read(path)
        return nil
    } catch {
        return error
    }
}

/// A safetensors file from a raw header text and data buffer; `declaredLength` overrides the
/// header length field.
private func craftedFile(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    let length = declaredLength ?? UInt64(json.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + json + data
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// Bit-exact equality of doubles (NaN equals NaN, -0.0 differs from 0.0).
private func identical(_ a: Double, _ b: Double) -> Bool {
    a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern
}

/// The JSON info block the tests store in checkpoints.
private struct TrainingInfo: Codable, Equatable {
    var step: Int
    var learningRate: Double
    var variables: [String]
}

@Suite struct SafeTensorsTests {
    // MARK: Swift round trip

    @Test func roundTripInSwift() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("round.safetensors")

        let f32 = try Tensor([1.5, -2.25, 0.1, .infinity, -0.0, .nan] as [Float], shape: [2, 3])
        let f64 = try Tensor([Double.pi, -1e300, 5e-324, -0.0], shape: [2, 2])
        let bf16 = try tensor16([0x3F80, 0xBF00, 0x4049, 0x7F80], shape: [4], dtype: .bfloat16)  // 1, -0.5, 3.140625, inf
        let f16 = try tensor16([0x3C00, 0xC000, 0x7BFF], shape: [3], dtype: .float16)  // 1, -2, 65504
        let i64 = try Tensor([Int64.max, Int64.min, 0, -7, 1 << 40, 3], shape: [3, 2])
        let i32 = try Tensor([Int32.max, Int32.min, -1], shape: [3])
        let i16 = try Tensor([Int16.min, 12345] as [Int16], shape: [2])
        let i8 = try Tensor([Int8.min, -1, 127] as [Int8], shape: [1, 3])
        let u8 = try Tensor([0, 127, 255] as [UInt8], shape: [3])
        let mask = try Tensor([true, false, true, true], shape: [2, 2])
        let scalar = try Tensor(scalar: Float(42.5))
        let empty = try Tensor([Float](), shape: [0, 4])
        let emptyBool = try Tensor([Bool](), shape: [0])
        let metadata = ["format": "pt", "note": "héllo \"quoted\" \\ back\nnew line\u{1}", "": "empty key"]

        // Deliberately not in name order.
        try SafeTensors.write([
            ("weights", f32), ("double", f64), ("bf16", bf16), ("half", f16), ("steps", i64), ("i32", i32),
            ("i16", i16), ("i8", i8), ("bytes", u8), ("mask", mask), ("scalar", scalar), ("empty", empty),
            ("empty_bool", emptyBool),
        ], metadata: metadata, to: path)

        let (tensors, readMetadata) = try SafeTensors.read(path)
        #expect(readMetadata == metadata)
        #expect(tensors.count == 13)

        let expected: [(String, Tensor, DType, [Int])] = [
            ("weights", f32, .float32, [2, 3]), ("double", f64, .float64, [2, 2]), ("bf16", bf16, .bfloat16, [4]),
            ("half", f16, .float16, [3]), ("steps", i64, .int64, [3, 2]), ("i32", i32, .int32, [3]),
            ("i16", i16, .int16, [2]), ("i8", i8, .int8, [1, 3]), ("bytes", u8, .uint8, [3]),
            ("mask", mask, .bool, [2, 2]), ("scalar", scalar, .float32, []), ("empty", empty, .float32, [0, 4]),
            ("empty_bool", emptyBool, .bool, [0]),
        ]
        for (name, original, dtype, shape) in expected {
            let loaded = try #require(tensors[name], "tensor \(name) missing")
            #expect(loaded.dtype == dtype, "\(name)")
            #expect(loaded.shape == shape, "\(name)")
            #expect(try loaded.bytes() == original.bytes(), "\(name)")
        }

        // Values, not only bytes.
        let weights = try #require(tensors["weights"]).toArray(of: Float.self)
        #expect(weights[0..<3] == [1.5, -2.25, 0.1])
        #expect(weights[3] == .infinity && weights[4] == 0 && weights[4].sign == .minus && weights[5].isNaN)
        #expect(try #require(tensors["double"]).toArray(of: Double.self).map(\.bitPattern) == [Double.pi, -1e300, 5e-324, -0.0].map(\.bitPattern))
        #expect(try #require(tensors["bf16"]).toArray(of: Float.self) == [1, -0.5, 3.140625, .infinity])
        #expect(try #require(tensors["half"]).toArray(of: Float.self) == [1, -2, 65504])
        #expect(try #require(tensors["steps"]).toArray(of: Int64.self) == [Int64.max, Int64.min, 0, -7, 1 << 40, 3])
        #expect(try #require(tensors["i32"]).toArray(of: Int32.self) == [Int32.max, Int32.min, -1])
        #expect(try #require(tensors["i16"]).toArray(of: Int16.self) == [Int16.min, 12345])
        #expect(try #require(tensors["i8"]).toArray(of: Int8.self) == [Int8.min, -1, 127])
        #expect(try #require(tensors["bytes"]).toArray(of: UInt8.self) == [0, 127, 255])
        #expect(try #require(tensors["mask"]).toArray(of: Bool.self) == [true, false, true, true])
        #expect(try #require(tensors["scalar"]).item() == 42.5)
        #expect(try #require(tensors["empty"]).count == 0)
    }

    @Test func layoutIsSortedAlignedAndContiguous() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("layout.safetensors")
        let a = try Tensor([1, 2, 3] as [Float])
        let b = try Tensor([true])
        let c = try Tensor([7, 8] as [Int64])
        try SafeTensors.write([("c", c), ("a", a), ("b", b)], metadata: ["k": "v"], to: path)

        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let length = (0..<8).reduce(0) { $0 | Int(file[$1]) << (8 * $1) }
        #expect((8 + length) % 8 == 0, "data must start 8-byte aligned")
        let header = String(decoding: file[8..<(8 + length)], as: UTF8.self)
        let json = header.trimmingCharacters(in: CharacterSet(charactersIn: " "))
        #expect(json == #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"BOOL","shape":[1],"data_offsets":[12,13]},"c":{"dtype":"I64","shape":[2],"data_offsets":[13,29]}}"#)
        #expect(header.utf8.count - json.utf8.count < 8, "padding is at most 7 spaces")
        #expect(file.count == 8 + length + 29)

        let (entries, metadata) = try SafeTensors.inspect(path)
        #expect(metadata == ["k": "v"])
        #expect(entries == [
            .init(name: "a", dtype: .float32, shape: [3], dataOffsets: 0..<12),
            .init(name: "b", dtype: .bool, shape: [1], dataOffsets: 12..<13),
            .init(name: "c", dtype: .int64, shape: [2], dataOffsets: 13..<29),
        ])
        let ordered = try SafeTensors.readOrdered(path)
        #expect(ordered.tensors.map(\.name) == ["a", "b", "c"])
    }

    @Test func writeIsAtomicAndOverwrites() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("model.safetensors")
        try SafeTensors.write([("x", try Tensor([1, 2] as [Float]))], to: path)
        try SafeTensors.write(["x": try Tensor([3, 4, 5] as [Float])], to: path)
        #expect(try SafeTensors.read(path).tensors["x"]?.toArray(of: Float.self) == [3, 4, 5])

        // Refused writes leave the earlier file and no temporary behind.
        let complex128 = try Tensor([1.0, 2.0]).to(.complex128)
        for (tensors, fragment) in [
            ([("y", try Tensor([1] as [Float])), ("y", try Tensor([2] as [Float]))], "\"y\" appears more than once"),
            ([("__metadata__", try Tensor([1] as [Float]))], "reserved"),
            ([("z", complex128)], "complex128"),
        ] as [([(name: String, tensor: Tensor)], String)] {
            do throws(CheckpointError) {
                try SafeTensors.write(tensors, to: path)
                Issue.record("write should have failed (\(fragment))")
            } catch {
                #expect(error.description.contains(path), "\(error)")
                #expect(error.description.contains(fragment), "\(error)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["model.safetensors"])
        #expect(try SafeTensors.read(path).tensors["x"]?.toArray(of: Float.self) == [3, 4, 5])
    }

    @Test func checkpointInfoBlock() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("ckpt.safetensors")
        var checkpoint = Checkpoint(tensors: ["w": try Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])], metadata: ["run": "a1"])
        #expect(try checkpoint.decodeInfo(TrainingInfo.self) == nil)
        let info = TrainingInfo(step: 1200, learningRate: 3e-4, variables: ["t2m", "u10"])
        try checkpoint.setInfo(info)
        checkpoint["b"] = try Tensor([0.5] as [Float])
        #expect(checkpoint.names == ["b", "w"])
        try checkpoint.save(to: path)

        let loaded = try Checkpoint.load(from: path)
        #expect(loaded.names == ["b", "w"])
        #expect(loaded.metadata["run"] == "a1")
        #expect(try loaded.decodeInfo(TrainingInfo.self) == info)
        #expect(try loaded["w"]?.toArray(of: Float.self) == [1, 2, 3, 4])
        #expect(loaded["w"]?.shape == [2, 2])

        var broken = loaded
        broken.metadata[Checkpoint.infoKey] = "{not json"
        #expect(throws: CheckpointError.self) { try broken.decodeInfo(TrainingInfo.self) }
    }

    // MARK: Interop with Python's safetensors

    @Test func pythonReadsWhatSwiftWrites() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("from-swift.safetensors")

        let f32Values: [Float] = [1.5, -2.25, 0.1, .infinity, -0.0, .leastNonzeroMagnitude]
        let f64Values: [Double] = [.pi, -1e300, 5e-324]
        let i64Values: [Int64] = [.max, .min, 0, -7]
        var checkpoint = Checkpoint(metadata: ["format": "pt", "note": "héllo \"quoted\" \\ back\nline"])
        checkpoint["weights"] = try Tensor(f32Values, shape: [2, 3])
        checkpoint["double"] = try Tensor(f64Values)
        checkpoint["bf16"] = try tensor16([0x3F80, 0xBF00, 0x4049, 0x7F80], shape: [2, 2], dtype: .bfloat16)
        checkpoint["steps"] = try Tensor(i64Values, shape: [2, 2])
        checkpoint["mask"] = try Tensor([true, false, true])
        checkpoint["scalar"] = try Tensor(scalar: Float(42.5))
        checkpoint["empty"] = try Tensor([Float](), shape: [0, 4])
        checkpoint["nan"] = try Tensor([Float.nan])
        let info = TrainingInfo(step: 7, learningRate: 0.001, variables: ["t2m"])
        try checkpoint.setInfo(info)
        try checkpoint.save(to: path)

        let script = """
        import sys, json, torch
        from safetensors import safe_open
        from safetensors.torch import load_file
        path = sys.argv[1]
        tensors = load_file(path)
        with safe_open(path, framework="pt", device="cpu") as f:
            metadata = f.metadata()
            keys = sorted(f.keys())
        out = {"metadata": metadata, "keys": keys, "info": json.loads(metadata["plume"]), "tensors": {}}
        for name, t in tensors.items():
            flat = t.reshape(-1).contiguous()
            out["tensors"][name] = {
                "dtype": str(t.dtype), "shape": list(t.shape),
                "values": [str(v) for v in flat.tolist()],
                "hex": bytes(flat.view(torch.uint8).tolist()).hex(),
            }
        print(json.dumps(out))
        """
        let output = try PythonRunner.run(script, arguments: [path])
        let dump = try JSONDecoder().decode(PythonDump.self, from: Data(output.utf8))

        #expect(dump.metadata == checkpoint.metadata)
        #expect(dump.info == info)
        #expect(dump.keys == checkpoint.names)
        let expected: [(String, String, [Int])] = [
            ("weights", "torch.float32", [2, 3]), ("double", "torch.float64", [3]), ("bf16", "torch.bfloat16", [2, 2]),
            ("steps", "torch.int64", [2, 2]), ("mask", "torch.bool", [3]), ("scalar", "torch.float32", []),
            ("empty", "torch.float32", [0, 4]), ("nan", "torch.float32", [1]),
        ]
        for (name, dtype, shape) in expected {
            let seen = try #require(dump.tensors[name], "Python lacks \(name)")
            #expect(seen.dtype == dtype, "\(name)")
            #expect(seen.shape == shape, "\(name)")
            #expect(seen.hex == hex(try #require(checkpoint[name]).bytes()), "\(name) bytes")
        }
        let weights = try #require(dump.tensors["weights"]).values.map { try #require(Double($0)) }
        #expect(zip(weights, f32Values).allSatisfy { identical($0, Double($1)) }, "\(weights)")
        let doubles = try #require(dump.tensors["double"]).values.map { try #require(Double($0)) }
        #expect(zip(doubles, f64Values).allSatisfy { identical($0, $1) }, "\(doubles)")
        #expect(dump.tensors["bf16"]?.values == ["1.0", "-0.5", "3.140625", "inf"])
        #expect(dump.tensors["steps"]?.values.map { Int64($0) } == i64Values.map { Optional($0) })
        #expect(dump.tensors["mask"]?.values == ["True", "False", "True"])
        #expect(dump.tensors["scalar"]?.values == ["42.5"])
        #expect(dump.tensors["empty"]?.values == [])
        #expect(dump.tensors["nan"]?.values == ["nan"])
    }

    @Test func swiftReadsWhatPythonWrites() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("from-python.safetensors")
        let script = """
        import sys, math, torch
        from safetensors.torch import save_file
        tensors = {
            "f32": torch.tensor([[1.5, -2.25, 0.1], [float("inf"), -0.0, 3e-38]], dtype=torch.float32),
            "f64": torch.tensor([math.pi, -1e300, 5e-324], dtype=torch.float64),
            "bf16": torch.tensor([1.0, -0.5, 3.140625, float("inf")], dtype=torch.bfloat16),
            "i64": torch.tensor([[2**63 - 1, -2**63], [0, -7]], dtype=torch.int64),
            "mask": torch.tensor([True, False, True]),
            "scalar": torch.tensor(42.5, dtype=torch.float32),
            "empty": torch.zeros(0, 4),
            "cube": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4),
        }
        save_file(tensors, sys.argv[1], metadata={"format": "pt", "epoch": "7", "note": "héllo"})
        """
        try PythonRunner.run(script, arguments: [path])

        let (tensors, metadata) = try SafeTensors.read(path)
        #expect(metadata == ["format": "pt", "epoch": "7", "note": "héllo"])
        #expect(Set(tensors.keys) == ["f32", "f64", "bf16", "i64", "mask", "scalar", "empty", "cube"])

        let f32 = try #require(tensors["f32"])
        #expect(f32.dtype == .float32 && f32.shape == [2, 3])
        let expectedF32: [Float] = [1.5, -2.25, 0.1, .infinity, -0.0, 3e-38]
        #expect(try f32.toArray(of: Float.self).map(\.bitPattern) == expectedF32.map(\.bitPattern))

        let f64 = try #require(tensors["f64"])
        #expect(f64.dtype == .float64 && f64.shape == [3])
        #expect(try f64.toArray(of: Double.self).map(\.bitPattern) == [Double.pi, -1e300, 5e-324].map(\.bitPattern))

        let bf16 = try #require(tensors["bf16"])
        #expect(bf16.dtype == .bfloat16 && bf16.shape == [4])
        #expect(try bf16.bytes() == [0x80, 0x3F, 0x00, 0xBF, 0x49, 0x40, 0x80, 0x7F])
        #expect(try bf16.toArray(of: Float.self) == [1, -0.5, 3.140625, .infinity])

        let i64 = try #require(tensors["i64"])
        #expect(i64.dtype == .int64 && i64.shape == [2, 2])
        #expect(try i64.toArray(of: Int64.self) == [.max, .min, 0, -7])

        let mask = try #require(tensors["mask"])
        #expect(mask.dtype == .bool && mask.shape == [3])
        #expect(try mask.toArray(of: Bool.self) == [true, false, true])

        let scalar = try #require(tensors["scalar"])
        #expect(scalar.dtype == .float32 && scalar.shape == [] && scalar.rank == 0)
        #expect(try scalar.item() == 42.5)

        let empty = try #require(tensors["empty"])
        #expect(empty.dtype == .float32 && empty.shape == [0, 4] && empty.count == 0)

        let cube = try #require(tensors["cube"])
        #expect(cube.shape == [2, 3, 4])
        #expect(try cube.toArray(of: Float.self) == (0..<24).map(Float.init))

        // Python orders the data by alignment, not by name: the reader follows the offsets.
        let (entries, _) = try SafeTensors.inspect(path)
        #expect(entries.count == 8)
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.dataOffsets.upperBound == $1.dataOffsets.lowerBound })
    }

    // MARK: Bad input

    @Test func truncatedFilesThrow() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let good = scratch.file("good.safetensors")
        try SafeTensors.write([("x", try Tensor([1, 2, 3, 4] as [Float]))], metadata: ["a": "b"], to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))

        for (name, keep) in [("empty", 0), ("five", 5), ("in-header", 20), ("in-data", bytes.count - 3)] {
            let path = scratch.file("\(name).safetensors")
            try bytes.prefix(keep).write(to: URL(fileURLWithPath: path))
            let error = try #require(readError(path), "\(name) should not load")
            #expect(error.description.contains(path), "\(error)")
            switch (name, error) {
            case ("empty", .truncated), ("five", .truncated), ("in-header", .headerBeyondFile), ("in-data", .offsetsOutOfRange): break
            default: Issue.record("\(name): unexpected \(error)")
            }
        }
        let missing = scratch.file("missing.safetensors")
        let error = try #require(readError(missing))
        #expect(error.description.contains(missing))
        guard case .io = error else { Issue.record("unexpected \(error)"); return }
    }

    @Test func garbageHeaderThrows() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("garbage.safetensors")
        try Data(craftedFile(header: "{this is not json", data: [1, 2, 3])).write(to: URL(fileURLWithPath: path))
        let error = try #require(readError(path))
        #expect(error.description.contains(path), "\(error)")
        guard case .invalidHeader = error else { Issue.record("unexpected \(error)"); return }
    }

    @Test func headerLengthBeyondFileThrows() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        for (name, length) in [("long", UInt64(1000)), ("huge", UInt64.max), ("just-over", UInt64(3))] {
            let path = scratch.file("\(name).safetensors")
            try Data(craftedFile(header: "{}", declaredLength: length)).write(to: URL(fileURLWithPath: path))
            let error = try #require(readError(path), "\(name)")
            #expect(error.description.contains(path), "\(error)")
            #expect(error.description.contains("\(length)"), "\(error)")
            guard case .headerBeyondFile = error else { Issue.record("\(name): unexpected \(error)"); continue }
        }
    }

    /// One malformed file: its header text and data, and the error expected, with a fragment of
    /// the message (the tensor or key at fault).
    struct Malformed: Sendable, CustomTestStringConvertible {
        var label: String
        var header: String
        var data: [UInt8]
        var fragment: String
        var matches: @Sendable (CheckpointError) -> Bool
        var testDescription: String { label }
    }

    static let malformed: [Malformed] = [
        .init(label: "unknown dtype", header: #"{"w":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], fragment: "\"w\"") {
            if case .unknownDType(_, "w", "F7") = $0 { true } else { false }
        },
        .init(label: "unsupported dtype", header: #"{"w":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], fragment: "U16") {
            if case .unsupportedDType(_, "w", "U16") = $0 { true } else { false }
        },
        .init(label: "shape/offset mismatch", header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], fragment: "\"w\"") {
            if case .sizeMismatch(_, "w", [2], "F32", 8, 4) = $0 { true } else { false }
        },
        .init(label: "overlap", header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
              data: [UInt8](repeating: 0, count: 12), fragment: "overlap") {
            if case .invalidOffsets(_, "b", 4, 12, 8) = $0 { true } else { false }
        },
        .init(label: "gap", header: #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}"#,
              data: [1, 2, 3], fragment: "gap") {
            if case .invalidOffsets(_, "b", 2, 3, 1) = $0 { true } else { false }
        },
        .init(label: "out of range", header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [0, 0, 0, 0, 0, 0, 0, 0], fragment: "\"w\"") {
            if case .offsetsOutOfRange(_, "w", 0, 16, 8) = $0 { true } else { false }
        },
        .init(label: "trailing bytes", header: #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [1, 2], fragment: "1 of the 2") {
            if case .incompleteBuffer(_, 1, 2) = $0 { true } else { false }
        },
        .init(label: "duplicate name", header: #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#,
              data: [1, 2], fragment: "\"w\"") {
            if case .duplicateName(_, "w") = $0 { true } else { false }
        },
        .init(label: "metadata not strings", header: #"{"__metadata__":{"epoch":7},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#,
              data: [1], fragment: "\"epoch\"") {
            if case .invalidMetadata(_, "epoch", _) = $0 { true } else { false }
        },
        .init(label: "negative size", header: #"{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}"#, data: [1], fragment: "-1") {
            if case .invalidEntry(_, "w", _) = $0 { true } else { false }
        },
        .init(label: "fractional offset", header: #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1.0]}}"#, data: [1], fragment: "1.0") {
            if case .invalidEntry(_, "w", _) = $0 { true } else { false }
        },
        .init(label: "missing field", header: #"{"w":{"dtype":"U8","shape":[1]}}"#, data: [1], fragment: "data_offsets") {
            if case .invalidEntry(_, "w", _) = $0 { true } else { false }
        },
        .init(label: "overflowing shape", header: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], fragment: "too many") {
            if case .invalidEntry(_, "w", _) = $0 { true } else { false }
        },
        .init(label: "bad bool", header: #"{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2], fragment: "byte 2") {
            if case .invalidEntry(_, "m", _) = $0 { true } else { false }
        },
        .init(label: "leading space", header: #" {}"#, data: [], fragment: "'{'") {
            if case .invalidHeader = $0 { true } else { false }
        },
        .init(label: "not an object", header: #"{"w":[1,2]}"#, data: [], fragment: "\"w\"") {
            if case .invalidEntry(_, "w", _) = $0 { true } else { false }
        },
        .init(label: "trailing comma", header: #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},}"#, data: [1], fragment: "JSON") {
            if case .invalidHeader = $0 { true } else { false }
        },
        .init(label: "deep nesting", header: "{\"w\":" + String(repeating: "[", count: 10_000), data: [], fragment: "deeper") {
            if case .invalidHeader = $0 { true } else { false }
        },
        .init(label: "invalid UTF-8", header: "{\"w\u{FFFF}\":1}", data: [], fragment: "UTF-8") {
            if case .invalidHeader = $0 { true } else { false }
        },
    ]

    @Test(arguments: malformed)
    func malformedHeadersThrow(_ case: Malformed) throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("bad.safetensors")
        var bytes = craftedFile(header: `case`.header, data: `case`.data)
        if `case`.label == "invalid UTF-8" {
            // Replace U+FFFF's encoding (EF BF BF) with a lone continuation byte.
            if let at = bytes.firstIndex(of: 0xEF) { bytes.replaceSubrange(at..<(at + 3), with: [0x80, 0x20, 0x20]) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(readError(path), "\(`case`.label) should not load")
        #expect(`case`.matches(error), "\(`case`.label): unexpected \(error)")
        #expect(error.description.contains(path), "\(error)")
        #expect(error.description.contains(`case`.fragment), "\(error)")
    }

    @Test func validPaddedAndEscapedHeadersLoad() throws {
        let scratch = try SafeTensorsScratch()
        defer { scratch.remove() }
        let path = scratch.file("escaped.safetensors")
        // Escapes, a surrogate pair, whitespace and an unknown field are all legal.
        let header = #"{ "caf\u00e9 \ud83d\ude00" : {"dtype":"I16", "shape":[ 2 ], "data_offsets":[0, 4], "extra": true}, "__metadata__": {"k\n":"v\"\/"} }    "#
        try Data(craftedFile(header: header, data: [0x01, 0x00, 0xFF, 0xFF])).write(to: URL(fileURLWithPath: path))
        let (tensors, metadata) = try SafeTensors.read(path)
        #expect(metadata == ["k\n": "v\"/"])
        #expect(try tensors["café 😀"]?.toArray(of: Int16.self) == [1, -1])
    }
}

/// What the Python snippet prints about a file Swift wrote.
private struct PythonDump: Decodable {
    struct Entry: Decodable {
        var dtype: String
        var shape: [Int]
        var values: [String]
        var hex: String
    }
    var metadata: [String: String]
    var keys: [String]
    var info: TrainingInfo
    var tensors: [String: Entry]
}
