import Foundation
import PlumeIO

/// The checks of a parsed pipeline that look across stages and at the files it names:
/// references to stages that exist and in a scope that can see them, no dependency cycle,
/// templates that stay inside the run folder, input files that exist, grids that match
/// between a stage and the stage that feeds it, checkpoints that fit, and cycles whose
/// references can be satisfied. Each problem comes with its line.
public enum PipelineValidator {
    public static func check(_ definition: PipelineDefinition) -> [PipelineIssue] {
        var issues: [PipelineIssue] = []
        func issue(_ line: Int?, _ message: String) {
            let found = PipelineIssue(file: definition.file, line: line, message: message)
            if !issues.contains(found) { issues.append(found) }
        }
        let names = definition.stages.map(\.name)
        let byName = Dictionary(definition.stages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for stage in definition.stages {
            guard let kind = StageKinds.named(stage.kind) else { continue }
            let specs = Dictionary(uniqueKeysWithValues: kind.parameters.map { ($0.name, $0) })
            for (parameter, reference, line) in stage.references {
                let label = "stage '\(stage.name)'" + (parameter == "after" ? ".after" : ".with.\(parameter)")
                if reference.stage == StageReference.inbox {
                    if !definition.cycles.isInbox { issue(line, "\(label): ${inbox} is the file that made a cycle, but the cycles are not an inbox (cycles: {inbox: FOLDER})") }
                    continue
                }
                guard let target = byName[reference.stage] else {
                    let choices = names.filter { $0 != stage.name } + (definition.cycles.isInbox ? [StageReference.inbox] : [])
                    issue(line, "\(label): unknown stage '\(reference.stage)'\(PipelineFile.suggest(reference.stage, among: choices)); the stages are \(choices.joined(separator: ", "))")
                    continue
                }
                if target.name == stage.name, reference.offset == .position(0) || reference.offset == .all {
                    issue(line, "\(label): stage '\(stage.name)' cannot use its own output of the same cycle (dependency cycle); use ${\(stage.name)[-1]}")
                    continue
                }
                switch (stage.scope, target.scope) {
                case (.once, .each), (.once, .final), (.each, .final):
                    issue(line, "\(label): a stage that runs \(describe(stage.scope)) cannot use '\(target.name)', which runs \(describe(target.scope))")
                    continue
                default: break
                }
                if reference.offset != .position(0), !(stage.scope == .each && target.scope == .each) {
                    if !(stage.scope == .final && reference.offset == .all) {
                        issue(line, "\(label): cycle offsets ([-1], [-P1D], [*]) apply between stages that run in each cycle")
                    }
                }
                if case .duration(_, true) = reference.offset {
                    issue(line, "\(label): only ${inbox} may name a later cycle ([+…]): a stage cannot wait for a later cycle's stage")
                }
                if parameter != "after", let spec = specs[parameter], spec.type != .path, spec.type != .paths {
                    issue(line, "\(label): references (${…}) stand for paths; '\(parameter)' is \(spec.type.description)")
                }
                let many = reference.offset == .all || (stage.scope == .final && target.scope == .each)
                    || (target.members != nil && target.members != stage.members)
                if many, parameter != "after", specs[parameter]?.type == .path {
                    issue(line, "\(label): ${\(reference.stage)} stands for several outputs here (every cycle or member), but '\(parameter)' takes one path")
                }
            }
            // {member} only where there are members.
            if stage.members == nil {
                var texts = stage.output.map { [$0] } ?? []
                func collect(_ value: ParameterValue) {
                    switch value {
                    case .scalar(let text, _): texts.append(text)
                    case .list(let values, _): values.forEach(collect)
                    case .firstThen(let a, let b, _): collect(a); collect(b)
                    }
                }
                stage.parameters.values.forEach(collect)
                if texts.contains(where: { $0.contains("{member}") }) {
                    issue(stage.line, "stage '\(stage.name)': uses {member}, but has no members (members: N)")
                }
            }
            for name in stage.after where byName[name] == nil {
                issue(stage.line, "stage '\(stage.name)'.after: unknown stage '\(name)'; the stages are \(names.joined(separator: ", "))")
            }
        }
        guard issues.isEmpty else { return issues }

        // Order (dependency cycles).
        let plan: PipelinePlan
        let cycles: [CFDate]
        switch definition.cycles {
        case .points(let sequence): cycles = sequence.points
        case .inbox: cycles = [CFDate(year: 2000, month: 1, day: 1)]
        }
        do {
            plan = try PipelinePlan(definition: definition, cycles: cycles)
        } catch {
            if case .invalidPipeline(let found) = error { return found }
            return [PipelineIssue(file: definition.file, line: nil, message: "\(error)")]
        }

        // Outputs: inside the run folder, one stage per path.
        var owners: [String: String] = [:]
        let probeCycles = definition.cycles.isInbox ? [0] : Array(Set([0, cycles.count - 1])).sorted()
        for stage in plan.stageOrder {
            for member in plan.members(stage).prefix(2) {
                for i in probeCycles {
                    let key = TaskKey(stage: stage.name, cycle: stage.scope == .each ? cycles[i].isoDateTime : stage.scope.rawValue, member: member)
                    do {
                        let path = try plan.outputPath(key)
                        if let other = owners[path], other != stage.name, !issues.contains(where: { $0.message.contains("is also the output of stage '\(other)'") && $0.message.hasPrefix("stage '\(stage.name)'") }) {
                            issue(stage.line, "stage '\(stage.name)': its output \(path) is also the output of stage '\(other)'")
                        }
                        owners[path] = stage.name
                        if path.hasPrefix(".plume") { issue(stage.line, "stage '\(stage.name)': .plume/ in the run folder is the engine's") }
                    } catch {
                        issue(stage.line, "stage '\(stage.name)'.out: \(error)")
                    }
                }
            }
        }
        guard issues.isEmpty else { return issues }

        // Parameters of the first (and for offsets, the second) cycle: references satisfiable,
        // input files present, grids matching, checkpoints fitting.
        var grids: [String: String] = [:]
        for stage in plan.stageOrder {
            guard let kind = StageKinds.named(stage.kind) else { continue }
            let member = plan.members(stage).first ?? -1
            let probes: [String] = stage.scope == .each ? probeCycles.map { cycles[$0].isoDateTime } : [stage.scope.rawValue]
            for (n, cycle) in probes.enumerated() {
                let key = TaskKey(stage: stage.name, cycle: cycle, member: member)
                let resolved: PipelinePlan.Resolved
                do {
                    resolved = try plan.resolve(key)
                } catch {
                    issue(stage.line, "\(error)" + (cycles.count > 1 ? " (cycle \(cycle))" : ""))
                    continue
                }
                guard n == 0 else { continue }
                for (parameter, path) in resolved.inputFileParameters.sorted(by: { $0.key < $1.key }) where !FileManager.default.fileExists(atPath: path) {
                    let line = stage.parameters[parameter]?.line ?? stage.line
                    issue(line, "stage '\(stage.name)'.with.\(parameter): input file \(path) does not exist")
                }
                var checks = StageChecks()
                for (parameter, producer) in resolved.producerStage { checks.inputGrids[parameter] = grids[producer] }
                for (parameter, path) in resolved.inputFileParameters where FileManager.default.fileExists(atPath: path) {
                    checks.inputFiles[parameter] = path
                }
                let problems = kind.check(resolved.parameters, checks: checks)
                for found in problems {
                    issue(stage.parameters[found.parameter]?.line ?? stage.line, "stage '\(stage.name)'.with.\(found.parameter): \(found.message)")
                }
                // A stage at fault passes no grid on: one mistake, one message.
                if problems.isEmpty, let grid = kind.outputGrid(resolved.parameters, checks: checks) { grids[stage.name] = grid }
            }
        }
        return issues
    }

    static func describe(_ scope: StageScope) -> String {
        switch scope {
        case .once: "once before the cycles"
        case .each: "in each cycle"
        case .final: "after all cycles"
        }
    }
}
