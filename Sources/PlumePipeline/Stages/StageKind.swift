import PlumeIO

/// A kind of stage (`uses:`): the parameters it takes, what it writes and the command that
/// does the work. The built-in kinds are in `StageKinds.all`.
public protocol StageKind: Sendable {
    /// The `uses:` name.
    var name: String { get }
    /// One line for `plume run --help` and error messages.
    var summary: String { get }
    var parameters: [ParameterSpec] { get }
    /// A file (with its extension) or a folder.
    var output: StageOutput { get }
    /// True when the command continues from what an interrupted attempt left in its output
    /// (training checkpoints, rollout segments); otherwise an attempt starts from nothing.
    var resumes: Bool { get }
    /// The command that writes the output to `context.output` (a path relative to the run
    /// folder, the child's working directory).
    func command(_ parameters: StageParameters, context: StageContext) throws(PipelineError) -> StageCommand
    /// The grid the output is on, when the parameters say (for the checks between stages).
    func outputGrid(_ parameters: StageParameters, checks: StageChecks) -> String?
    /// Checks of the parameters beyond their types (files that must fit, grids that must
    /// match what an input stage produces): messages with the parameter they concern.
    func check(_ parameters: StageParameters, checks: StageChecks) -> [(parameter: String, message: String)]
}

extension StageKind {
    public var resumes: Bool { false }
    public func outputGrid(_ parameters: StageParameters, checks: StageChecks) -> String? { nil }
    public func check(_ parameters: StageParameters, checks: StageChecks) -> [(parameter: String, message: String)] { [] }
}

/// One parameter of a stage kind.
public struct ParameterSpec: Sendable {
    public enum ValueType: Sendable, Equatable {
        case string
        case integer
        case number
        case bool
        /// ISO 8601 date or date-time (`2000-01-10`, `2000-01-10T06:00`).
        case date
        /// A grid name of the catalogue (`latlon5.625`, `gaussian-n32`).
        case grid
        case choice([String])
        /// A file or folder read by the stage: an input file, or `${stage}` output.
        case path
        /// A list of paths (a single path is a list of one).
        case paths

        var description: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .number: "a number"
            case .bool: "true or false"
            case .date: "an ISO 8601 date (2000-01-10 or 2000-01-10T06:00)"
            case .grid: "a grid name"
            case .choice(let options): "one of " + options.joined(separator: ", ")
            case .path: "a path or ${stage}"
            case .paths: "a path or a list of paths"
            }
        }
    }

    public var name: String
    public var type: ValueType
    public var required: Bool
    public var help: String

    public init(_ name: String, _ type: ValueType, required: Bool = false, help: String) {
        self.name = name
        self.type = type
        self.required = required
        self.help = help
    }
}

/// What a stage writes.
public enum StageOutput: Sendable, Equatable {
    /// One file; the default output name ends with `extension` (`nc`, `txt`).
    case file(extension: String)
    /// A folder of files.
    case folder
}

/// A stage's parameters resolved for one task: strings (templates filled in) and paths
/// (references replaced by the producing task's output; relative to the run folder for
/// outputs of the run, absolute for input files).
public struct StageParameters: Sendable, Equatable {
    public var values: [String: Value]
    /// The task's cycle point.
    public var cycle: CFDate
    /// The next cycle point (the range's step after `cycle`), when there is one.
    public var nextCycle: CFDate?
    public var calendar: CFCalendar

    public enum Value: Sendable, Equatable {
        case string(String)
        case paths([String])
    }

    public init(values: [String: Value], cycle: CFDate, nextCycle: CFDate? = nil, calendar: CFCalendar) {
        self.values = values
        self.cycle = cycle
        self.nextCycle = nextCycle
        self.calendar = calendar
    }

    /// `days`, or the days from the cycle point to the next one (a leg of a chained rollout).
    public var legDays: String? {
        if let days = string("days") { return days }
        guard let next = nextCycle else { return nil }
        let clock = CFTimeUnits(secondsPerUnit: 86400, reference: cycle, calendar: calendar)
        let days = clock.value(of: next)
        return days == days.rounded() ? String(Int(days)) : String(days)
    }

    public func string(_ key: String) -> String? {
        if case .string(let s) = values[key] { return s }
        return nil
    }

    public func paths(_ key: String) -> [String] {
        if case .paths(let p) = values[key] { return p }
        return []
    }

    public func path(_ key: String) -> String? { paths(key).first }
}

/// Where a task runs.
public struct StageContext: Sendable {
    /// The output path the command writes, relative to the run folder.
    public var output: String
    /// The absolute run folder.
    public var runFolder: String
    /// True when an earlier attempt of this task left its staging output (a resume).
    public var resuming: Bool

    public init(output: String, runFolder: String, resuming: Bool) {
        self.output = output
        self.runFolder = runFolder
        self.resuming = resuming
    }
}

/// The work of a task.
public enum StageCommand: Sendable, Equatable {
    /// `plume ARGUMENTS…`, run as a child process in the run folder (never through a shell).
    case plume([String])
    /// Write these bytes as the output file (in-process).
    case write([UInt8])
}

/// What the checks of a stage can look at beyond its parameters.
public struct StageChecks: Sendable {
    /// For each path parameter that refers to a stage output, the grid of that output
    /// (when the producing stage says).
    public var inputGrids: [String: String]
    /// For each path parameter that names an existing input file (not a stage output), its
    /// absolute path.
    public var inputFiles: [String: String]

    public init(inputGrids: [String: String] = [:], inputFiles: [String: String] = [:]) {
        self.inputGrids = inputGrids
        self.inputFiles = inputFiles
    }
}
