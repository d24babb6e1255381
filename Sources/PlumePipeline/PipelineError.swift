/// What is wrong with a pipeline or its run: each case names the file (or the value) at
/// fault and says what was expected.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value that does not parse or is out of range: `what` names it (a key path, a
    /// template), `reason` says what was expected.
    case invalidValue(what: String, reason: String)
    /// Another process holds the lock at `path`; `holder` says who.
    case locked(path: String, holder: String)
    /// A pipeline file with problems, all of them, each with its file and line.
    case invalidPipeline([PipelineIssue])
    /// The run catalog (`RUN/.plume/catalog.sqlite`) cannot be opened, read or written.
    case catalog(path: String, reason: String)
    /// A file or folder of the run cannot be read, written or moved.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidValue(let what, let reason): "\(what): \(reason)"
        case .locked(let path, let holder): "\(path) is held by \(holder); wait for it to finish, or stop it"
        case .invalidPipeline(let issues):
            issues.map(\.description).joined(separator: "\n")
        case .catalog(let path, let reason): "run catalog \(path): \(reason)"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// One problem of a pipeline file, at a line.
public struct PipelineIssue: Sendable, Equatable, CustomStringConvertible {
    /// The pipeline file.
    public var file: String
    /// 1-based line, when the problem has one.
    public var line: Int?
    /// What is wrong and what was expected (the valid choices where there is a list).
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: error: MESSAGE`, the form editors and compilers use.
    public var description: String {
        "\(file):\(line.map(String.init) ?? "1"): error: \(message)"
    }
}
