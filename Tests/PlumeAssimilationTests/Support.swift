import Foundation
import Testing

/// The real sample files (pdbufr's BUFR files among them), fetched by the project's script
/// (the same as PlumeIOTests' `SampleData`). Tests that need them fail, not skip, when
/// they cannot be had.
enum SampleData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let folder: String = {
        let folder = ProcessInfo.processInfo.environment["PLUME_SAMPLE_DATA"] ?? packageRoot + "/.cache/sample-data"
        if !FileManager.default.fileExists(atPath: folder + "/bufr/temp.bufr") {
            _ = try? Shell.run(packageRoot + "/Scripts/fetch-sample-data.sh", [folder])
        }
        return folder
    }()

    /// Path of a sample file; records a failure when it is missing.
    static func path(_ name: String) throws -> String {
        let p = folder + "/" + name
        guard FileManager.default.fileExists(atPath: p) else {
            Issue.record("sample file \(name) missing from \(folder): run Scripts/fetch-sample-data.sh")
            throw SampleDataMissing(name: name)
        }
        return p
    }

    struct SampleDataMissing: Error { var name: String }
}

/// A fresh temporary folder, removed by the caller with `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "plume-obs-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs the independent tools the tests check against (ecCodes' `bufr_*`, `ncgen`,
/// `python3`), output captured through files (no pipe can fill up).
enum Shell {
    struct Failed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var stderr: String
        var description: String { "\(command) exited \(status): \(stderr)" }
    }

    /// Runs a program (looked up on PATH when not absolute); its standard output, error and status.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], allowFailure: Bool = false) throws -> (stdout: String, stderr: String, status: Int32) {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let outPath = folder.file("stdout"), errPath = folder.file("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        let out = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self)
        let err = String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        if process.terminationStatus != 0 && !allowFailure {
            throw Failed(command: ([program] + arguments).joined(separator: " "), status: process.terminationStatus, stderr: err)
        }
        return (out, err, process.terminationStatus)
    }
}
