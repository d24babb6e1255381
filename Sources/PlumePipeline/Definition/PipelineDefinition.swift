import PlumeIO

/// A pipeline as its file defines it, checked: the run folder, the cycles and the stages.
/// Relative paths in a pipeline file are relative to the file's folder.
public struct PipelineDefinition: Sendable {
    /// The pipeline file, as given.
    public var file: String
    /// Absolute folder of the pipeline file: relative input paths start here.
    public var baseFolder: String
    /// `pipeline:`: letters, digits, `-`, `_`.
    public var name: String
    /// `description:`, one line for the report.
    public var description: String?
    /// Absolute run folder (`run:`, or `--run-folder`).
    public var runFolder: String
    public var cycles: CycleSource
    /// The stages in file order.
    public var stages: [StageDefinition]

    public func stage(named name: String) -> StageDefinition? { stages.first { $0.name == name } }
}

/// Where a pipeline's cycle points come from.
public enum CycleSource: Sendable, Equatable {
    /// Fixed points: one date (`at:`) or a range (`from:`, `to:`, `step:`).
    case points(CycleSequence)
    /// Each file matching `pattern` in `folder` is a cycle, at the first time the file
    /// holds (`inbox:`, `files:`).
    case inbox(folder: String, pattern: String, calendar: CFCalendar)

    public var calendar: CFCalendar {
        switch self {
        case .points(let sequence): sequence.calendar
        case .inbox(_, _, let calendar): calendar
        }
    }
}

/// When a stage runs: once per run before the cycles, in every cycle, or once after all
/// cycles (over their outputs).
public enum StageScope: String, Sendable, CaseIterable {
    case once, each, final
}

/// One stage: a stage kind with its parameters, its output and its retry policy.
public struct StageDefinition: Sendable {
    public var name: String
    /// `uses:`, a `StageKind` name.
    public var kind: String
    public var scope: StageScope
    /// `members:`: the stage runs once per member 0..<members (`{member}` in templates).
    public var members: Int?
    /// `with:`, by key.
    public var parameters: [String: ParameterValue]
    /// `out:`, a path template inside the run folder (nil: the default,
    /// `{cycle:%Y%m%d%H}/NAME` for `each`, `NAME` for `once` and `final`, plus the kind's
    /// file extension).
    public var output: String?
    /// `retries:`, extra attempts after a failure.
    public var retries: Int
    /// `retry_delay:`, seconds between attempts.
    public var retryDelaySeconds: Double
    /// `after:`, stages this one runs after without using their outputs.
    public var after: [String]
    /// Line of the stage's name in the file.
    public var line: Int

    /// Every reference in the parameters (and `after:`), with the parameter it is in.
    public var references: [(parameter: String, reference: StageReference, line: Int)] {
        var out: [(String, StageReference, Int)] = []
        func walk(_ key: String, _ value: ParameterValue) {
            switch value {
            case .scalar(let text, let line):
                for reference in (try? ParameterText(text))?.references ?? [] { out.append((key, reference, line)) }
            case .list(let values, _): values.forEach { walk(key, $0) }
            case .firstThen(let first, let then, _):
                walk(key, first)
                walk(key, then)
            }
        }
        for (key, value) in parameters.sorted(by: { $0.key < $1.key }) { walk(key, value) }
        for name in after { out.append(("after", StageReference(stage: name, offset: .position(0)), line)) }
        return out
    }
}

/// A parameter value as written, with its line; typed when the stage kind checks it.
public indirect enum ParameterValue: Sendable, Equatable {
    /// A scalar; strings may hold templates (`{cycle:%Y%m%d}`) and references
    /// (`${stage}`, `${stage[-1]}`).
    case scalar(String, line: Int)
    case list([ParameterValue], line: Int)
    /// `{first: A, then: B}`: A in the first cycle, B (usually `${stage[-1]}`) after it.
    case firstThen(first: ParameterValue, then: ParameterValue, line: Int)

    public var line: Int {
        switch self {
        case .scalar(_, let line), .list(_, let line), .firstThen(_, _, let line): line
        }
    }
}
