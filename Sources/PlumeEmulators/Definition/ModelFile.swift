import Foundation
import Yams

/// A model definition read from a YAML file, with the line of every key so that later checks
/// (against data, against a checkpoint) can point into the file.
public struct ModelFile: Sendable {
    /// The file read.
    public let path: String
    public let definition: ModelDefinition
    /// 1-based line of each key path (`variables.forcing[2]`, `architecture.embed`).
    public let lines: [String: Int]

    /// Reads and validates `path`: unknown keys, wrong types, missing required keys and values
    /// out of range are all reported at once, with their lines.
    /// - Throws: `EmulatorError.invalidModelFile`.
    public static func load(path: String) throws(EmulatorError) -> ModelFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidModelFile(file: path, issues: [DefinitionIssue(line: nil, path: "", message: "cannot read the file")])
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Validates model-file `text`; `path` names it in messages.
    public static func parse(_ text: String, path: String) throws(EmulatorError) -> ModelFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw EmulatorError.invalidModelFile(file: path, issues: [DefinitionIssue(line: nil, path: "", message: "the file is empty")])
            }
            root = node
        } catch let error as EmulatorError {
            throw error
        } catch {
            throw .invalidModelFile(file: path, issues: [DefinitionIssue(line: nil, path: "", message: "not valid YAML: \(error)")])
        }
        var lines: [String: Int] = [:]
        var issues: [DefinitionIssue] = []
        ModelFileSchema.check(root, path: path, lines: &lines, issues: &issues)
        guard issues.isEmpty else { throw .invalidModelFile(file: path, issues: issues) }
        let definition: ModelDefinition
        do {
            definition = try YAMLDecoder().decode(ModelDefinition.self, from: text)
        } catch {
            throw .invalidModelFile(file: path, issues: [DefinitionIssue(line: nil, path: "", message: "\(error)")])
        }
        issues = DefinitionRules.check(definition).map { issue in
            var issue = issue
            issue.line = issue.line ?? lines[issue.path] ?? lines[parentPath(issue.path)]
            return issue
        }
        guard issues.isEmpty else { throw .invalidModelFile(file: path, issues: issues) }
        return ModelFile(path: path, definition: definition, lines: lines)
    }

    /// A model file for a definition made in code (no lines).
    public init(definition: ModelDefinition, path: String = "<in memory>") {
        self.path = path
        self.definition = definition
        self.lines = [:]
    }

    init(path: String, definition: ModelDefinition, lines: [String: Int]) {
        self.path = path
        self.definition = definition
        self.lines = lines
    }

    /// The line of `keyPath`, or of its nearest parent that has one.
    public func line(of keyPath: String) -> Int? {
        var path = keyPath
        while !path.isEmpty {
            if let line = lines[path] { return line }
            path = ModelFile.parentPath(path)
        }
        return nil
    }

    static func parentPath(_ path: String) -> String {
        if path.hasSuffix("]"), let open = path.lastIndex(of: "[") { return String(path[..<open]) }
        if let dot = path.lastIndex(of: ".") { return String(path[..<dot]) }
        return ""
    }
}
