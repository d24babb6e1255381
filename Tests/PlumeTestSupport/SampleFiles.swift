import Foundation

/// The real sample files (cfgrib's and pdbufr's source distributions, ERA5 samples), fetched
/// by the project's script with pinned checksums into `.cache/sample-data` (or
/// `$PLUME_SAMPLE_DATA`). Tests that need them fail, never skip, when they cannot be had.
public enum SampleData {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    public static let folder: String = {
        let folder = ProcessInfo.processInfo.environment["PLUME_SAMPLE_DATA"] ?? packageRoot + "/.cache/sample-data"
        if !FileManager.default.fileExists(atPath: folder + "/era5-levels-members.grib") || !FileManager.default.fileExists(atPath: folder + "/bufr/temp.bufr") {
            _ = try? Shell.run(packageRoot + "/Scripts/fetch-sample-data.sh", [folder])
        }
        return folder
    }()

    /// Path of a sample file; throws (failing the test) when it is missing.
    public static func path(_ name: String) throws -> String {
        let p = folder + "/" + name
        guard FileManager.default.fileExists(atPath: p) else { throw SampleDataMissing(name: name, folder: folder) }
        return p
    }

    public struct SampleDataMissing: Error, CustomStringConvertible {
        public var name: String
        public var folder: String
        public var description: String { "sample file \(name) missing from \(folder): run Scripts/fetch-sample-data.sh" }
        public init(name: String, folder: String = SampleData.folder) {
            self.name = name
            self.folder = folder
        }
    }
}

/// A fresh temporary folder, removed by the caller with `remove()`.
public struct TemporaryFolder: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "plume-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs the independent tools the tests check against (ecCodes' command-line tools, `ncgen`,
/// `cdo`, `python3`, `plume` itself), output captured through files (no pipe can fill up).
public enum Shell {
    public struct Failed: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var stderr: String
        public var description: String { "\(command) exited \(status): \(stderr)" }
        public init(command: String, status: Int32, stderr: String) {
            self.command = command
            self.status = status
            self.stderr = stderr
        }
    }

    /// Runs a program (looked up on PATH when not absolute), in `workingDirectory` when given;
    /// its standard output, error and status.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], allowFailure: Bool = false,
                           workingDirectory: String? = nil) throws -> (stdout: String, stderr: String, status: Int32) {
        let folder = NSTemporaryDirectory() + "plume-shell-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outPath = folder + "/stdout", errPath = folder + "/stderr"
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
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
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
