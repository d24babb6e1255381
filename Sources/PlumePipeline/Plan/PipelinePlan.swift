import Foundation
import PlumeIO

/// A pipeline expanded over its cycles and members: every task's output path, its
/// parameters with templates and references resolved, and the tasks it needs.
public struct PipelinePlan: Sendable {
    public let definition: PipelineDefinition
    /// Every cycle point known, in order (for an inbox, the files that have arrived).
    public let cycles: [CFDate]
    /// For an inbox, the absolute path of the file that made each cycle, by cycle key.
    public let inboxFiles: [String: String]
    /// Stages in an order where every stage comes after those it needs in the same cycle.
    public let stageOrder: [StageDefinition]
    let cycleIndex: [String: Int]

    public init(definition: PipelineDefinition, cycles: [CFDate], inboxFiles: [String: String] = [:]) throws(PipelineError) {
        self.definition = definition
        self.cycles = cycles
        self.inboxFiles = inboxFiles
        var index: [String: Int] = [:]
        for (i, cycle) in cycles.enumerated() { index[cycle.isoDateTime] = i }
        cycleIndex = index
        stageOrder = try PipelinePlan.order(definition)
    }

    public var calendar: CFCalendar { definition.cycles.calendar }

    /// The stages sorted so that a stage follows every stage it needs in the same cycle
    /// (file order otherwise). `once` stages first, `final` last.
    static func order(_ definition: PipelineDefinition) throws(PipelineError) -> [StageDefinition] {
        var sorted: [StageDefinition] = []
        var state: [String: Int] = [:] // 1 visiting, 2 done
        let byName = Dictionary(definition.stages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func visit(_ stage: StageDefinition, path: [String]) throws(PipelineError) {
            if state[stage.name] == 2 { return }
            if state[stage.name] == 1 {
                let loop = (path.drop { $0 != stage.name } + [stage.name]).joined(separator: " → ")
                throw .invalidPipeline([PipelineIssue(file: definition.file, line: stage.line, message: "dependency cycle: \(loop) (a stage cannot need its own output in the same cycle; use ${stage[-1]} for the previous cycle)")])
            }
            state[stage.name] = 1
            for (_, reference, _) in stage.references {
                guard let needed = byName[reference.stage], needed.scope == stage.scope,
                      reference.offset == .position(0) || reference.offset == .all else { continue }
                try visit(needed, path: path + [stage.name])
            }
            state[stage.name] = 2
            sorted.append(stage)
        }
        for stage in definition.stages { try visit(stage, path: []) }
        func rank(_ scope: StageScope) -> Int {
            switch scope {
            case .once: 0
            case .each: 1
            case .final: 2
            }
        }
        return sorted.enumerated().sorted { (rank($0.element.scope), $0.offset) < (rank($1.element.scope), $1.offset) }.map(\.element)
    }

    // MARK: Tasks

    /// The members of a stage (`[-1]` for a stage without members).
    func members(_ stage: StageDefinition) -> [Int] { stage.members.map { Array(0..<$0) } ?? [-1] }

    /// The tasks of the cycles `selected` (indices into `cycles`), in the order they run:
    /// `once` stages, each selected cycle's stages, then `final` stages.
    public func tasks(selected: [Int], includeOnce: Bool = true, includeFinal: Bool = true) -> [TaskKey] {
        var out: [TaskKey] = []
        for stage in stageOrder where stage.scope == .once && includeOnce {
            out += members(stage).map { TaskKey(stage: stage.name, cycle: "once", member: $0) }
        }
        for i in selected {
            for stage in stageOrder where stage.scope == .each {
                out += members(stage).map { TaskKey(stage: stage.name, cycle: cycles[i].isoDateTime, member: $0) }
            }
        }
        for stage in stageOrder where stage.scope == .final && includeFinal {
            out += members(stage).map { TaskKey(stage: stage.name, cycle: "final", member: $0) }
        }
        return out
    }

    /// The cycle point a task's templates use: its cycle, the first for `once`, the last for `final`.
    func cyclePoint(_ key: TaskKey) -> CFDate? {
        switch key.cycle {
        case "once": cycles.first
        case "final": cycles.last
        default: cycleIndex[key.cycle].map { cycles[$0] }
        }
    }

    /// The output path of a task, relative to the run folder.
    public func outputPath(_ key: TaskKey) throws(PipelineError) -> String {
        guard let stage = definition.stage(named: key.stage), let kind = StageKinds.named(stage.kind) else {
            throw .invalidValue(what: "task \(key)", reason: "no such stage")
        }
        let template = try PathTemplate(stage.output ?? defaultOutput(stage, kind: kind))
        let cycle = cyclePoint(key) ?? CFDate(year: 2000, month: 1, day: 1)
        return try template.relativePath(cycle: cycle, calendar: calendar, member: key.member >= 0 ? String(key.member) : nil,
                                         run: definition.name)
    }

    func defaultOutput(_ stage: StageDefinition, kind: any StageKind) -> String {
        var name = stage.name + (stage.members != nil ? "-{member}" : "")
        if case .file(let ext) = kind.output { name += "." + ext }
        return stage.scope == .each ? "{cycle:%Y%m%d%H}/" + name : name
    }

    // MARK: Resolution

    /// A task's parameters resolved, and what it needs.
    public struct Resolved: Sendable {
        public var parameters: StageParameters
        /// Tasks whose outputs it reads (or runs after).
        public var producers: [TaskKey]
        /// Input files (absolute) that are not outputs of the run.
        public var inputFiles: [String]
        /// Why it cannot run yet (a later cycle that has not arrived), empty when it can.
        public var waitingFor: [String]
        /// Path parameters → the producing stage of the (first) path.
        public var producerStage: [String: String]
        /// Path parameters given as plain input files → absolute path.
        public var inputFileParameters: [String: String]
    }

    /// Resolves `key`'s parameters.
    /// - Throws: `invalidValue` for a reference no cycle can satisfy (before the first cycle).
    public func resolve(_ key: TaskKey) throws(PipelineError) -> Resolved {
        guard let stage = definition.stage(named: key.stage), let kind = StageKinds.named(stage.kind) else {
            throw .invalidValue(what: "task \(key)", reason: "no such stage")
        }
        let index = cycleIndex[key.cycle]
        let point = cyclePoint(key) ?? CFDate(year: 2000, month: 1, day: 1)
        let member = key.member >= 0 ? String(key.member) : nil
        var producers: [TaskKey] = []
        var inputFiles: [String] = []
        var waiting: [String] = []
        var producerStage: [String: String] = [:]
        var inputFileParameters: [String: String] = [:]
        let specs = Dictionary(uniqueKeysWithValues: kind.parameters.map { ($0.name, $0) })

        func referenced(_ reference: StageReference, from stage: StageDefinition) throws(PipelineError) -> [(path: String, producer: TaskKey?)] {
            if reference.stage == StageReference.inbox {
                var out: [(String, TaskKey?)] = []
                for i in try cycleIndices(reference.offset, from: index, stage: stage, reference: reference) {
                    guard let file = inboxFiles[cycles[i].isoDateTime] else { continue }
                    out.append((file, nil))
                }
                return out
            }
            guard let target = definition.stage(named: reference.stage) else {
                throw .invalidValue(what: "${\(reference.stage)}", reason: "no such stage")
            }
            let targetMembers: [Int] = target.members == nil ? [-1] : (target.members == stage.members && key.member >= 0 ? [key.member] : members(target))
            var keys: [TaskKey] = []
            switch target.scope {
            case .once: keys = targetMembers.map { TaskKey(stage: target.name, cycle: "once", member: $0) }
            case .final: keys = targetMembers.map { TaskKey(stage: target.name, cycle: "final", member: $0) }
            case .each:
                for i in try cycleIndices(reference.offset, from: stage.scope == .final ? nil : index, stage: stage, reference: reference) {
                    keys += targetMembers.map { TaskKey(stage: target.name, cycle: cycles[i].isoDateTime, member: $0) }
                }
            }
            var out: [(String, TaskKey?)] = []
            for k in keys { out.append((try outputPath(k), k)) }
            return out
        }

        /// Cycle indices an offset names from cycle `index` (nil: every cycle).
        func cycleIndices(_ offset: StageReference.Offset, from index: Int?, stage: StageDefinition, reference: StageReference) throws(PipelineError) -> [Int] {
            guard let index else { return Array(cycles.indices) }
            switch offset {
            case .all: return Array(0...index)
            case .position(let n):
                guard index + n >= 0 else {
                    throw .invalidValue(what: "stage '\(stage.name)'", reason: "${\(reference.stage)[\(n)]} names a cycle before the first one (\(cycles.first?.isoDateTime ?? "")): give the first cycle its own value with {first: …, then: \"${\(reference.stage)[\(n)]}\"}")
                }
                return [index + n]
            case .duration(let duration, let forward):
                let target: CFDate
                if forward {
                    target = duration.advance(cycles[index], calendar: calendar)
                } else {
                    var back = duration
                    back.years = -back.years; back.months = -back.months; back.days = -back.days
                    back.hours = -back.hours; back.minutes = -back.minutes; back.seconds = -back.seconds
                    target = back.advance(cycles[index], calendar: calendar)
                }
                if let i = cycleIndex[target.isoDateTime] { return [i] }
                if forward || definition.cycles.isInbox {
                    waiting.append("\(reference.stage) of \(target.isoDateTime) (not arrived yet)")
                    return []
                }
                throw .invalidValue(what: "stage '\(stage.name)'", reason: "${\(reference.stage)[\(forward ? "+" : "-")\(duration)]} names \(target.isoDateTime), which is not a cycle of this pipeline")
            }
        }

        func resolveScalar(_ text: String, key parameter: String, spec: ParameterSpec?) throws(PipelineError) -> [String] {
            let parsed = try ParameterText(text)
            let isPath = spec?.type == .path || spec?.type == .paths
            var results: [String] = [""]
            var usedReference = false
            for piece in parsed.pieces {
                switch piece {
                case .text(let template):
                    let rendered = try template.render(cycle: point, calendar: calendar, member: member, run: definition.name)
                    results = results.map { $0 + rendered }
                case .reference(let reference):
                    usedReference = true
                    let targets = try referenced(reference, from: stage)
                    for target in targets {
                        if let producer = target.producer {
                            producers.append(producer)
                            producerStage[parameter] = producerStage[parameter] ?? producer.stage
                        } else {
                            inputFiles.append(target.path)
                        }
                    }
                    results = results.flatMap { prefix in targets.map { prefix + $0.path } }
                }
            }
            guard isPath else { return results }
            if !usedReference {
                results = results.map { PipelineFile.absolute($0, base: definition.baseFolder) }
                inputFiles += results
                if let first = results.first { inputFileParameters[parameter] = inputFileParameters[parameter] ?? first }
            } else {
                results = results.map { path in
                    path.hasPrefix("/") ? path : (URL(fileURLWithPath: "/" + path).standardizedFileURL.path.dropFirst()).description
                }
            }
            return results
        }

        func resolveValue(_ value: ParameterValue, key parameter: String) throws(PipelineError) -> [String] {
            switch value {
            case .scalar(let text, _): return try resolveScalar(text, key: parameter, spec: specs[parameter])
            case .list(let values, _):
                var out: [String] = []
                for v in values { out += try resolveValue(v, key: parameter) }
                return out
            case .firstThen(let first, let then, _):
                let isFirst = index.map { $0 == 0 } ?? true
                return try resolveValue(isFirst ? first : then, key: parameter)
            }
        }

        var values: [String: StageParameters.Value] = [:]
        for (name, value) in stage.parameters {
            let resolved = try resolveValue(value, key: name)
            switch specs[name]?.type {
            case .path?, .paths?: values[name] = .paths(resolved)
            default: values[name] = .string(resolved.joined())
            }
        }
        for name in stage.after {
            _ = try referenced(StageReference(stage: name, offset: .position(0)), from: stage).compactMap(\.producer).map { producers.append($0) }
        }
        var seen = Set<TaskKey>()
        producers = producers.filter { seen.insert($0).inserted }
        var next: CFDate?
        if let index {
            if case .points(let sequence) = definition.cycles, let step = sequence.step {
                next = step.advance(cycles[index], calendar: calendar)
            } else if index + 1 < cycles.count {
                next = cycles[index + 1]
            }
        }
        return Resolved(parameters: StageParameters(values: values, cycle: point, nextCycle: next, calendar: calendar),
                        producers: producers, inputFiles: Array(Set(inputFiles)).sorted(), waitingFor: waiting,
                        producerStage: producerStage, inputFileParameters: inputFileParameters)
    }
}

extension CycleSource {
    var isInbox: Bool { if case .inbox = self { true } else { false } }
}
