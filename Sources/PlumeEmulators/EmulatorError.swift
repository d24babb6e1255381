/// Why an emulator could not be defined, trained or run. Every case names the file and what
/// was expected.
public enum EmulatorError: Error, Sendable, CustomStringConvertible {
    /// A model file with one or more problems, all reported at once.
    case invalidModelFile(file: String, issues: [DefinitionIssue])
    /// Data that do not fit the model (missing variable, wrong shape, another grid).
    case dataMismatch(file: String, issues: [String])
    /// A checkpoint that cannot be used (corrupted, another format version, another grid).
    case invalidCheckpoint(file: String, reason: String)
    /// Values that cannot be used (NaN, infinite, negative where a mass is expected).
    case invalidValues(file: String, variable: String, reason: String)
    /// A request that contradicts itself or the files (dates outside the data, an existing output).
    case invalidRequest(String)
    /// A failure inside the numerical work, with its context.
    case failed(context: String, reason: String)

    public var description: String {
        switch self {
        case .invalidModelFile(let file, let issues):
            let lines = issues.map { "  " + $0.description }.joined(separator: "\n")
            return "\(file): \(issues.count) problem\(issues.count == 1 ? "" : "s") in the model definition:\n\(lines)"
        case .dataMismatch(let file, let issues):
            return "\(file) does not fit the model:\n" + issues.map { "  " + $0 }.joined(separator: "\n")
        case .invalidCheckpoint(let file, let reason):
            return "\(file): not a usable Plume checkpoint: \(reason)"
        case .invalidValues(let file, let variable, let reason):
            return "\(file): variable '\(variable)': \(reason)"
        case .invalidRequest(let message):
            return message
        case .failed(let context, let reason):
            return "\(context): \(reason)"
        }
    }
}

/// One problem of a model file: where (line, key path) and what was expected.
public struct DefinitionIssue: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line in the model file, when known.
    public var line: Int?
    /// Dotted key path (`architecture.embed`, `variables.forcing[2]`).
    public var path: String
    public var message: String

    public init(line: Int?, path: String, message: String) {
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        (line.map { "line \($0): " } ?? "") + (path.isEmpty ? "" : "\(path): ") + message
    }
}
