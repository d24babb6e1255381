import Foundation
import Testing

/// libtorch is loaded lazily: the `plume` executable does not link it, commands that use
/// no tensors never open it, and the stubs in CTorch/loader.c match include/ctorch.h.
@Suite("Lazy libtorch loading")
struct LoaderTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("plume-loader-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    @Test("loader.c is generated from the current ctorch.h")
    func loaderUpToDate() throws {
        let (status, output) = try Self.run("/usr/bin/python3", [Self.root + "/Scripts/generate-ctorch-loader.py", "--check"])
        #expect(status == 0, "\(output)")
    }

    @Test("plume does not link libtorch and a command without tensors never loads it")
    func plumeStartsWithoutLibtorch() throws {
        let plume = Self.root + "/.build/debug/plume"
        #expect(FileManager.default.isExecutableFile(atPath: plume), "build plume first (swift build)")
        let (_, linked) = try Self.run("/usr/bin/ldd", [plume])
        #expect(!linked.contains("libtorch"), "plume links libtorch:\n\(linked)")
        #expect(linked.contains("libc.so"), "ldd output looks wrong:\n\(linked)")
        let (status, trace) = try Self.run(plume, ["--help"], environment: ["LD_DEBUG": "libs"])
        #expect(status == 0)
        #expect(trace.contains("libc.so"), "LD_DEBUG produced no library trace")
        #expect(!trace.contains("libtorch"), "plume --help loaded libtorch")
    }
}
