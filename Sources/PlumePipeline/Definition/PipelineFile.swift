import Foundation
import PlumeIO
import PlumeGrids
import PlumeSupport
import Yams

/// Reads a pipeline file (`Pipelines/*.yaml`) into a `PipelineDefinition`, reporting every
/// problem at once, each with the file, the line and what was expected. Nothing is run and
/// nothing is written: a pipeline that does not load leaves its run folder untouched.
///
/// ```yaml
/// pipeline: demo
/// run: ../out/demo              # the run folder, relative to this file
/// cycles: {at: 2000-01-10}      # or {from: …, to: …, step: P7D} or {inbox: folder, files: "*.grib"}
/// stages:
///   data:
///     uses: generate
///     when: once                # once | each (default) | final
///     with: {dataset: carbonbench-mini, days: 120}
///   rollout:
///     uses: rollout
///     with: {checkpoint: "${train}/best.safetensors", init: "${data}/carbonbench-test.nc", days: 90}
/// ```
public enum PipelineFile {
    static let topKeys = ["pipeline", "description", "run", "cycles", "stages"]
    static let cycleKeys = ["at", "from", "to", "step", "calendar", "inbox", "files"]
    static let stageKeys = ["uses", "when", "members", "with", "out", "retries", "retry_delay", "after"]

    /// Loads and checks `path`. `runFolder` replaces the file's `run:`.
    /// - Throws: `PipelineError.invalidPipeline` with every issue found.
    public static func load(path: String, runFolder: String? = nil) throws(PipelineError) -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidPipeline([PipelineIssue(file: path, line: nil, message: "cannot read the pipeline file")])
        }
        let definition = try parse(String(decoding: data, as: UTF8.self), path: path, runFolder: runFolder)
        let issues = PipelineValidator.check(definition)
        guard issues.isEmpty else { throw .invalidPipeline(issues) }
        return definition
    }

    /// Parses `text` (the content of `path`): the structure and the types, not yet the
    /// checks between stages (`PipelineValidator`).
    public static func parse(_ text: String, path: String, runFolder: String? = nil) throws(PipelineError) -> PipelineDefinition {
        var issues: [PipelineIssue] = []
        func issue(_ node: Node?, _ message: String) {
            issues.append(PipelineIssue(file: path, line: node.flatMap(line), message: message))
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PipelineError.invalidPipeline([PipelineIssue(file: path, line: nil, message: "the file is empty")])
            }
            root = node
        } catch let error as PipelineError {
            throw error
        } catch let error as YamlError {
            throw .invalidPipeline([PipelineIssue(file: path, line: yamlLine(error), message: "not valid YAML: \(error)")])
        } catch {
            throw .invalidPipeline([PipelineIssue(file: path, line: nil, message: "not valid YAML: \(error)")])
        }
        guard let top = root.mapping else {
            throw .invalidPipeline([PipelineIssue(file: path, line: line(root), message: "expected a mapping with the keys \(topKeys.joined(separator: ", "))")])
        }
        checkKeys(top, allowed: topKeys, context: "pipeline", issue: issue)
        let unknownKeys = top.keys.compactMap(\.string).filter { !topKeys.contains($0) }
        for required in ["pipeline", "cycles", "stages"] where top[required] == nil && !unknownKeys.contains(where: { Suggestion.isClose($0, required) }) {
            issue(root, "missing key '\(required)' (a pipeline needs \(["pipeline", "cycles", "stages"].joined(separator: ", ")))")
        }
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        var name = "pipeline"
        if let node = top["pipeline"] {
            if let text = plainString(node), StageDefinition.isValidName(text) { name = text } else {
                issue(node, "pipeline: expected a name of letters, digits, '-' and '_' starting with a letter, found \(describe(node))")
            }
        }
        var description: String?
        if let node = top["description"] {
            if let text = plainString(node) { description = text } else { issue(node, "description: expected a string, found \(describe(node))") }
        }
        var run = runFolder.map { absolute($0, base: FileManager.default.currentDirectoryPath) } ?? absolute("runs/" + name, base: base)
        if runFolder == nil, let node = top["run"] {
            if let text = plainString(node), !text.isEmpty { run = absolute(text, base: base) } else {
                issue(node, "run: expected the run folder (a path relative to the pipeline file), found \(describe(node))")
            }
        }
        var cycles = CycleSource.points(CycleSequence(single: CFDate(year: 2000, month: 1, day: 1)))
        if let node = top["cycles"] { cycles = parseCycles(node, base: base, issue: issue) ?? cycles }
        var stages: [StageDefinition] = []
        if let node = top["stages"] {
            if let mapping = node.mapping, !mapping.isEmpty {
                for (key, value) in mapping {
                    guard let stageName = key.string, StageDefinition.isValidName(stageName) else {
                        issue(key, "stage name \(describe(key)): expected letters, digits, '-' and '_' starting with a letter")
                        continue
                    }
                    if stageName == StageReference.inbox {
                        issue(key, "'\(StageReference.inbox)' is the name of a cycle's inbox file (${inbox}); choose another stage name")
                        continue
                    }
                    if let stage = parseStage(stageName, key: key, node: value, issue: issue) { stages.append(stage) }
                }
            } else {
                issue(node, "stages: expected a mapping of stage names to stages, found \(describe(node))")
            }
        }
        guard issues.isEmpty else { throw .invalidPipeline(issues) }
        return PipelineDefinition(file: path, baseFolder: base, name: name, description: description, runFolder: run, cycles: cycles, stages: stages)
    }

    // MARK: Cycles

    static func parseCycles(_ node: Node, base: String, issue: (Node?, String) -> Void) -> CycleSource? {
        guard let mapping = node.mapping else {
            issue(node, "cycles: expected a mapping: {at: DATE}, {from: DATE, to: DATE, step: PERIOD} or {inbox: FOLDER, files: PATTERN}")
            return nil
        }
        checkKeys(mapping, allowed: cycleKeys, context: "cycles", issue: issue)
        var calendar = CFCalendar.standard
        if let node = mapping["calendar"] {
            if let text = plainString(node), let value = CFCalendar(attribute: text) { calendar = value } else {
                issue(node, "cycles.calendar: expected one of \(CFCalendar.allCases.map(\.rawValue).joined(separator: ", ")), found \(describe(node))")
            }
        }
        func date(_ key: String) -> CFDate? {
            guard let node = mapping[key] else { return nil }
            guard let text = plainString(node), let date = CFDate.parseISO(text, calendar: calendar) else {
                issue(node, "cycles.\(key): expected an ISO 8601 date (2000-01-10 or 2000-01-10T06:00) in the \(calendar.rawValue) calendar, found \(describe(node))")
                return nil
            }
            return date
        }
        let forms = [mapping["at"] != nil, mapping["from"] != nil || mapping["to"] != nil || mapping["step"] != nil, mapping["inbox"] != nil]
        guard forms.filter({ $0 }).count == 1 else {
            issue(node, "cycles: give exactly one of {at: DATE}, {from: DATE, to: DATE, step: PERIOD} or {inbox: FOLDER}")
            return nil
        }
        if mapping["at"] != nil {
            return date("at").map { .points(CycleSequence(single: $0, calendar: calendar)) }
        }
        if let folderNode = mapping["inbox"] {
            guard let folder = plainString(folderNode), !folder.isEmpty else {
                issue(folderNode, "cycles.inbox: expected a folder, found \(describe(folderNode))")
                return nil
            }
            var pattern = "*"
            if let node = mapping["files"] {
                if let text = plainString(node), !text.isEmpty, !text.contains("/") { pattern = text } else {
                    issue(node, "cycles.files: expected a file-name pattern such as '*.grib' (no '/'), found \(describe(node))")
                }
            }
            return .inbox(folder: absolute(folder, base: base), pattern: pattern, calendar: calendar)
        }
        for key in ["from", "to", "step"] where mapping[key] == nil {
            issue(node, "cycles: a range needs from, to and step (missing '\(key)')")
        }
        let start = date("from"), stop = date("to")
        var step: ISODuration?
        if let node = mapping["step"] {
            do {
                guard let text = plainString(node) else { throw PipelineError.invalidValue(what: "step", reason: "not a string") }
                step = try ISODuration(text)
            } catch {
                issue(node, "cycles.step: expected an ISO 8601 period such as PT6H, P1D, P7D or P1M, found \(describe(node))")
            }
        }
        guard let start, let stop, let step else { return nil }
        do {
            return .points(try CycleSequence(from: start, to: stop, step: step, calendar: calendar))
        } catch {
            issue(mapping["to"] ?? node, "cycles: \(error)")
            return nil
        }
    }

    // MARK: Stages

    static func parseStage(_ name: String, key: Node, node: Node, issue: (Node?, String) -> Void) -> StageDefinition? {
        guard let mapping = node.mapping else {
            issue(node, "stage '\(name)': expected a mapping with uses: and with:, found \(describe(node))")
            return nil
        }
        checkKeys(mapping, allowed: stageKeys, context: "stage '\(name)'", issue: issue)
        guard let usesNode = mapping["uses"] else {
            issue(key, "stage '\(name)': missing 'uses:' (one of \(StageKinds.names.joined(separator: ", ")))")
            return nil
        }
        guard let kindName = plainString(usesNode), let kind = StageKinds.named(kindName) else {
            let suggestion = suggest(plainString(usesNode) ?? "", among: StageKinds.names)
            issue(usesNode, "stage '\(name)': unknown stage kind \(describe(usesNode))\(suggestion); expected one of \(StageKinds.names.joined(separator: ", "))")
            return nil
        }
        var scope = StageScope.each
        if let node = mapping["when"] {
            if let text = plainString(node), let value = StageScope(rawValue: text) { scope = value } else {
                issue(node, "stage '\(name)'.when: expected one of once, each, final, found \(describe(node))")
            }
        }
        var members: Int?
        if let node = mapping["members"] {
            if let value = node.int, value >= 1, value <= 10_000 { members = value } else {
                issue(node, "stage '\(name)'.members: expected an integer from 1 to 10000, found \(describe(node))")
            }
        }
        var retries = 0
        if let node = mapping["retries"] {
            if let value = node.int, value >= 0, value <= 100 { retries = value } else {
                issue(node, "stage '\(name)'.retries: expected an integer from 0 to 100, found \(describe(node))")
            }
        }
        var delay = 10.0
        if let node = mapping["retry_delay"] {
            if let value = node.float, value >= 0, node.bool == nil { delay = value } else if let text = plainString(node), let duration = try? ISODuration(text), duration.years == 0, duration.months == 0 {
                delay = Double(duration.exactSeconds)
            } else {
                issue(node, "stage '\(name)'.retry_delay: expected seconds or an ISO 8601 duration such as PT30S, found \(describe(node))")
            }
        }
        var output: String?
        if let node = mapping["out"] {
            if let text = plainString(node), !text.isEmpty {
                do { _ = try PathTemplate(text); output = text } catch { issue(node, "stage '\(name)'.out: \(error)") }
            } else {
                issue(node, "stage '\(name)'.out: expected a path inside the run folder, found \(describe(node))")
            }
        }
        var parameters: [String: ParameterValue] = [:]
        var given = Set<String>()
        let specs = Dictionary(uniqueKeysWithValues: kind.parameters.map { ($0.name, $0) })
        if let withNode = mapping["with"] {
            if let with = withNode.mapping {
                for (keyNode, value) in with {
                    guard let key = keyNode.string else { continue }
                    given.insert(key)
                    guard let spec = specs[key] else {
                        let suggestion = suggest(key, among: kind.parameters.map(\.name))
                        issue(keyNode, "stage '\(name)' (\(kind.name)): unknown parameter '\(key)'\(suggestion); expected one of \(kind.parameters.map(\.name).joined(separator: ", "))")
                        continue
                    }
                    if let parsed = parameter(value, spec: spec, context: "stage '\(name)'.with.\(key)", issue: issue) {
                        parameters[key] = parsed
                    }
                }
            } else {
                issue(withNode, "stage '\(name)'.with: expected a mapping of parameters, found \(describe(withNode))")
            }
        }
        let misspelt = given.filter { specs[$0] == nil }
        for spec in kind.parameters where spec.required && !given.contains(spec.name) && !misspelt.contains(where: { Suggestion.isClose($0, spec.name) }) {
            issue(mapping["with"] ?? key, "stage '\(name)' (\(kind.name)): missing parameter '\(spec.name)' (\(spec.help); \(spec.type.description))")
        }
        var after: [String] = []
        if let node = mapping["after"] {
            for element in node.sequence ?? [node] {
                if let text = plainString(element), StageDefinition.isValidName(text) { after.append(text) } else {
                    issue(element, "stage '\(name)'.after: expected stage names, found \(describe(element))")
                }
            }
        }
        return StageDefinition(name: name, kind: kind.name, scope: scope, members: members, parameters: parameters, output: output,
                               retries: retries, retryDelaySeconds: delay, after: after, line: line(key) ?? 0)
    }

    /// A parameter value, checked against its type.
    static func parameter(_ node: Node, spec: ParameterSpec, context: String, issue: (Node?, String) -> Void) -> ParameterValue? {
        let nodeLine = line(node) ?? 0
        if let mapping = node.mapping {
            let keys = mapping.keys.compactMap(\.string)
            guard Set(keys) == ["first", "then"], let first = mapping["first"], let then = mapping["then"] else {
                issue(node, "\(context): expected \(spec.type.description), or {first: VALUE, then: VALUE} (the first cycle, the later ones), found a mapping with \(keys.joined(separator: ", "))")
                return nil
            }
            guard let a = parameter(first, spec: spec, context: context + ".first", issue: issue),
                  let b = parameter(then, spec: spec, context: context + ".then", issue: issue) else { return nil }
            return .firstThen(first: a, then: b, line: nodeLine)
        }
        if let sequence = node.sequence {
            guard spec.type == .paths else {
                issue(node, "\(context): expected \(spec.type.description), found a list")
                return nil
            }
            var values: [ParameterValue] = []
            for element in sequence {
                guard let value = parameter(element, spec: ParameterSpec(spec.name, .path, help: spec.help), context: context, issue: issue) else { return nil }
                values.append(value)
            }
            return .list(values, line: nodeLine)
        }
        guard let scalar = node.scalar else {
            issue(node, "\(context): expected \(spec.type.description), found \(describe(node))")
            return nil
        }
        let text = scalar.string
        let isPlain = scalar.style == .plain
        var valid: Bool
        switch spec.type {
        case .integer: valid = node.int != nil
        case .number: valid = node.float != nil && node.bool == nil
        case .bool: valid = node.bool != nil && node.int == nil
        case .date: valid = CFDate.parseISO(text) != nil || text.contains("{")
        case .grid, .string, .path, .paths: valid = !isPlain || (node.bool == nil && node.int == nil && node.float == nil) || spec.type == .string
        case .choice(let options): valid = options.contains(text)
        }
        if spec.type == .grid, valid, !text.contains("{"), !GridNames.isKnown(text) {
            issue(node, "\(context): unknown grid '\(text)'\(suggest(text, among: GridNames.all)); expected one of \(GridNames.all.joined(separator: ", "))")
            return nil
        }
        guard valid else {
            issue(node, "\(context): expected \(spec.type.description), found \(describe(node))")
            return nil
        }
        do {
            _ = try ParameterText(text)
        } catch {
            issue(node, "\(context): \(error)")
            return nil
        }
        return .scalar(text, line: nodeLine)
    }

    // MARK: Helpers

    static func checkKeys(_ mapping: Node.Mapping, allowed: [String], context: String, issue: (Node?, String) -> Void) {
        for key in mapping.keys {
            guard let name = key.string else { continue }
            if !allowed.contains(name) {
                issue(key, "\(context): unknown key '\(name)'\(suggest(name, among: allowed)); expected one of \(allowed.joined(separator: ", "))")
            }
        }
    }

    static func suggest(_ text: String, among options: [String]) -> String { Suggestion.hint(for: text, among: options) }

    static func line(_ node: Node) -> Int? { node.mark.map { $0.line } }

    static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    static func plainString(_ node: Node) -> String? { node.scalar?.string }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func absolute(_ path: String, base: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}

/// The grid names a pipeline may use: the catalogue's.
enum GridNames {
    static var all: [String] { GridCatalog.availableNames() }
    static func isKnown(_ name: String) -> Bool { (try? GridCatalog.grid(name)) != nil }
}
