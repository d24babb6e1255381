/// What `plume run` was asked to do.
public struct RunOptions: Sendable {
    /// Only this cycle (ISO 8601).
    public var cycle: String?
    /// Only cycles from / to these dates (inclusive).
    public var from: String?
    public var to: String?
    /// Shard `index` of `count`: the cycles whose position modulo `count` is `index`.
    public var shard: (index: Int, count: Int)?
    /// Stages to run again even when up to date.
    public var force: [String] = []
    /// Print the plan, run nothing, write nothing.
    public var dryRun = false
    /// The `plume` executable the stage commands run.
    public var plumeExecutable: String
    /// Lines for the console.
    public var print: @Sendable (String) -> Void
    /// Progress of a long stage on one console line (nil: none).
    public var progress: (@Sendable (String) -> Void)?

    public init(plumeExecutable: String, print: @escaping @Sendable (String) -> Void = { Swift.print($0) }) {
        self.plumeExecutable = plumeExecutable
        self.print = print
    }
}

/// What a run did.
public struct RunSummary: Sendable, Equatable {
    public var ran = 0
    public var upToDate = 0
    public var failed = 0
    public var blocked = 0
    public var waiting = 0
    public var interrupted = false
    /// Lines of the dry-run plan.
    public var plan: [String] = []

    public var exitCode: Int32 {
        if interrupted { return PipelineExit.interrupted }
        return failed + blocked > 0 ? PipelineExit.failed : PipelineExit.success
    }
}
