import Foundation
import PlumeIO

/// A stage kind that runs one `plume` subcommand: most kinds are this, configured in
/// `StageKinds`.
struct CommandStage: StageKind {
    typealias Arguments = @Sendable (StageParameters, StageContext) throws(PipelineError) -> [String]
    typealias Grid = @Sendable (StageParameters, StageChecks) -> String?
    typealias Check = @Sendable (StageParameters, StageChecks) -> [(parameter: String, message: String)]

    let name: String
    let summary: String
    let parameters: [ParameterSpec]
    let output: StageOutput
    let arguments: Arguments
    var resumes = false
    var grid: Grid = { _, _ in nil }
    var checker: Check = { _, _ in [] }

    func command(_ parameters: StageParameters, context: StageContext) throws(PipelineError) -> StageCommand {
        .plume(try arguments(parameters, context))
    }

    func outputGrid(_ parameters: StageParameters, checks: StageChecks) -> String? { grid(parameters, checks) }

    func check(_ parameters: StageParameters, checks: StageChecks) -> [(parameter: String, message: String)] {
        checker(parameters, checks)
    }
}

extension StageParameters {
    /// `--kebab-case VALUE` for each of `keys` that is set (snake_case keys); booleans that
    /// are true give the bare flag; path lists give the flag before each path (repeated
    /// options accumulate, whatever the option's parsing).
    func flags(_ keys: [String]) -> [String] {
        var out: [String] = []
        for key in keys {
            let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
            switch values[key] {
            case .string(let value)?:
                if value == "true" { out.append(flag) } else if value != "false" { out += [flag, value] }
            case .paths(let paths)?:
                for path in paths { out += [flag, path] }
            default: break
            }
        }
        return out
    }

    /// The `start` parameter, or the cycle point, as `YYYY-MM-DDTHH:MM:SS`.
    var startDate: String { string("start") ?? cycle.isoDateTime }
}
