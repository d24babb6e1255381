/// What is wrong with a pipeline: each case names the file (or the value) at fault and
/// says what was expected.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A value that does not parse or is out of range: `what` names it (a key path, a
    /// template), `reason` says what was expected.
    case invalidValue(what: String, reason: String)
    /// Another process holds the lock at `path`; `holder` says who.
    case locked(path: String, holder: String)

    public var description: String {
        switch self {
        case .invalidValue(let what, let reason): "\(what): \(reason)"
        case .locked(let path, let holder): "\(path) is held by \(holder); wait for it to finish, or stop it"
        }
    }
}
