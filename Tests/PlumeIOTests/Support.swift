import Foundation
import PlumeSupport
import Testing

/// The real sample files (cfgrib's source distribution), fetched by the project's script.
/// Tests that need them fail, not skip, when they cannot be had.
enum SampleData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let folder: String = {
        let env = ProcessInfo.processInfo.environment["PLUME_SAMPLE_DATA"]
        let folder = env ?? packageRoot + "/.cache/sample-data"
        if !FileManager.default.fileExists(atPath: folder + "/era5-levels-members.grib") || !FileManager.default.fileExists(atPath: folder + "/bufr/temp.bufr") {
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
        path = NSTemporaryDirectory() + "plume-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum Shell {
    struct Failed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var stderr: String
        var description: String { "\(command) exited \(status): \(stderr)" }
    }

    /// Runs a program (looked up on PATH when not absolute) and returns its standard output.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], allowFailure: Bool = false) throws -> (stdout: String, stderr: String, status: Int32) {
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently-safe: stdout fully first is fine for the sizes used here
        // only if stderr is small, so read stderr on a background thread.
        let errData = LockedData()
        let reader = Thread { errData.set(((try? err.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())) }
        reader.start()
        let outData = ((try? out.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data())
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        let result = (String(decoding: outData, as: UTF8.self), String(decoding: errData.get(), as: UTF8.self), process.terminationStatus)
        if result.2 != 0 && !allowFailure {
            throw Failed(command: ([program] + arguments).joined(separator: " "), status: result.2, stderr: result.1)
        }
        return result
    }

    final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        func get() -> Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    }
}

/// Equal to float32 rounding: relative difference within one float32 epsilon.
func equalToFloat32(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    return abs(a - b) <= Double(Float.ulpOfOne) * max(abs(a), abs(b))
}
