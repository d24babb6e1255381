import Foundation
import PlumeSupport
import Yams

/// The structural check of a model file: every key known, every value of the expected YAML
/// type, required keys present. The schema is the encoded default definition (so it cannot
/// drift from the Codable types); the architecture's keys follow its `kind`.
enum ModelFileSchema {
    static let required: Set<String> = ["name", "task", "grid", "variables", "variables.prognostic", "architecture",
                                        "architecture.kind"]

    static func check(_ root: Node, path: String, lines: inout [String: Int], issues: inout [DefinitionIssue]) {
        guard let schema = schemaNode(kind: architectureKind(of: root)) else {
            issues.append(DefinitionIssue(line: nil, path: "", message: "internal: the schema could not be built"))
            return
        }
        walk(root, schema: schema, keyPath: "", lines: &lines, issues: &issues)
        for key in required.sorted() where lines[key] == nil {
            let parent = ModelFile.parentPath(key)
            // Report a missing child only when its parent exists (one message per gap).
            if parent.isEmpty || lines[parent] != nil {
                issues.append(DefinitionIssue(line: lines[parent], path: key, message: "required key is missing"))
            }
        }
        if let kindNode = root.mapping?["architecture"]?.mapping?["kind"], let value = kindNode.string,
           ModelDefinition.Architecture.Kind(rawValue: value) == nil {
            let known = ModelDefinition.Architecture.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            issues.append(DefinitionIssue(line: line(kindNode), path: "architecture.kind",
                                          message: "unknown architecture '\(value)' (expected one of: \(known))"))
        }
        issues.sort { ($0.line ?? 0, $0.path) < ($1.line ?? 0, $1.path) }
    }

    private static func architectureKind(of root: Node) -> ModelDefinition.Architecture.Kind {
        root.mapping?["architecture"]?.mapping?["kind"]?.string.flatMap(ModelDefinition.Architecture.Kind.init) ?? .unet
    }

    /// The default definition with one example element in every list, encoded and re-read as
    /// a YAML node.
    private static func schemaNode(kind: ModelDefinition.Architecture.Kind) -> Node? {
        var training = ModelDefinition.Training()
        training.fineTuneCurriculum = [3]
        var architecture = ModelDefinition.Architecture.defaults(kind)
        if case .unet(var configuration) = architecture {
            configuration.resize = [48, 80]
            architecture = .unet(configuration)
        }
        let example = ModelDefinition(
            name: "x", task: .transport, grid: "x", levels: 1,
            variables: .init(prognostic: ["x"], forcing: ["x"], static: ["x"], computed: [.latitude]),
            architecture: architecture, training: training)
        guard let text = try? YAMLEncoder().encode(example) else { return nil }
        return try? Yams.compose(yaml: text)
    }

    private static func line(_ node: Node) -> Int? { node.mark.map { $0.line } }

    private static func walk(_ node: Node, schema: Node, keyPath: String, lines: inout [String: Int],
                             issues: inout [DefinitionIssue]) {
        switch schema {
        case .mapping(let expected):
            guard let mapping = node.mapping else {
                issues.append(DefinitionIssue(line: line(node), path: keyPath, message: "expected a mapping of keys, found \(describe(node))"))
                return
            }
            let known = expected.keys.compactMap(\.string)
            for (keyNode, value) in mapping {
                guard let key = keyNode.string else { continue }
                let childPath = keyPath.isEmpty ? key : keyPath + "." + key
                lines[childPath] = line(keyNode)
                guard let childSchema = expected[key] else {
                    let hint = Suggestion.hint(for: key, among: Array(known))
                    issues.append(DefinitionIssue(line: line(keyNode), path: childPath,
                                                  message: "unknown key\(hint); expected one of: \(known.sorted().joined(separator: ", "))"))
                    continue
                }
                walk(value, schema: childSchema, keyPath: childPath, lines: &lines, issues: &issues)
            }
        case .sequence(let expected):
            guard let sequence = node.sequence else {
                issues.append(DefinitionIssue(line: line(node), path: keyPath, message: "expected a list, found \(describe(node))"))
                return
            }
            for (i, element) in sequence.enumerated() {
                let childPath = "\(keyPath)[\(i)]"
                lines[childPath] = line(element)
                if let elementSchema = expected.first {
                    walk(element, schema: elementSchema, keyPath: childPath, lines: &lines, issues: &issues)
                }
            }
        case .scalar(let expected):
            guard let scalar = node.scalar else {
                issues.append(DefinitionIssue(line: line(node), path: keyPath, message: "expected \(kindName(expected)), found \(describe(node))"))
                return
            }
            if !matches(scalar, expected) {
                issues.append(DefinitionIssue(line: line(node), path: keyPath,
                                              message: "expected \(kindName(expected)), found '\(scalar.string)'"))
            }
        case .alias:
            break
        }
    }

    private static func matches(_ value: Node.Scalar, _ expected: Node.Scalar) -> Bool {
        let v = Node.scalar(value), e = Node.scalar(expected)
        if e.bool != nil, e.int == nil { return v.bool != nil && v.int == nil }
        if e.int != nil { return v.int != nil }
        if e.float != nil { return v.float != nil }
        // Strings: a quoted or plain scalar; booleans and numbers are not names.
        return value.style != .plain || (v.int == nil && v.float == nil && v.bool == nil)
    }

    private static func kindName(_ scalar: Node.Scalar) -> String {
        let node = Node.scalar(scalar)
        if node.bool != nil, node.int == nil { return "true or false" }
        if node.int != nil { return "an integer" }
        if node.float != nil { return "a number" }
        return "a string"
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
