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
            let (out, err, status) = try Shell.run(script, [], allowFailure: true, workingDirectory: packageRoot)
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
        let (out, err, status) = try Shell.run(python, ["-c", code] + arguments, allowFailure: true, workingDirectory: packageRoot)
        guard status == 0 else {
            throw Failure(description: "python exited \(status):\n\(err)")
        }
        return out
    }
}
