import Foundation

/// Runs snippets in the project's Python environment (`Scripts/python-env.sh`: Debian's torch
/// and numpy plus pinned PyPI packages such as safetensors) for cross-checks against PyTorch.
/// Tests that use it fail, never skip, when the environment cannot be had.
public enum PythonRunner {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The interpreter path printed by `Scripts/python-env.sh`, computed once (the script may
    /// build the environment, which must not happen twice at the same time).
    private static let interpreterResult: Result<String, Failure> = {
        let script = packageRoot + "/Scripts/python-env.sh"
        do {
            let (status, out, err) = try runProcess(script, [])
            let path = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
            guard status == 0, FileManager.default.isExecutableFile(atPath: path) else {
                return .failure(Failure(description: "\(script) exited \(status) without a usable python (stdout: \(out), stderr: \(err))"))
            }
            return .success(path)
        } catch {
            return .failure(Failure(description: "cannot run \(script): \(error)"))
        }
    }()

    /// The project's Python interpreter.
    public static func interpreter() throws -> String {
        try interpreterResult.get()
    }

    /// Runs `code` with `python -c`, `arguments` in `sys.argv[1...]`; returns standard output.
    /// - Throws: `Failure` with standard error when Python exits non-zero.
    @discardableResult
    public static func run(_ code: String, arguments: [String] = []) throws -> String {
        let python = try interpreter()
        let (status, out, err) = try runProcess(python, ["-c", code] + arguments)
        guard status == 0 else {
            throw Failure(description: "python exited \(status):\n\(err)")
        }
        return out
    }

    /// Runs a program, capturing its output through temporary files (no pipe can fill up).
    private static func runProcess(_ program: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let folder = NSTemporaryDirectory() + "plume-python-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outPath = folder + "/stdout", errPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        let out = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self)
        let err = String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        return (process.terminationStatus, out, err)
    }
}
