import Foundation

/// A parameter string: text with templates (`{cycle:%Y%m%d}`, `{member}`, `{run}`) and
/// references to other stages' outputs, `${stage}` (this cycle) or `${stage[-N]}` (N
/// cycles earlier, Cylc's `[-PnD]` by position in the cycle sequence). A reference stands
/// for the path of that stage's output; text after it names something inside a folder
/// output (`${data}/carbonbench-test.nc`).
public struct ParameterText: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        case text(PathTemplate)
        case reference(StageReference)
    }

    public let raw: String
    public let pieces: [Piece]

    public var references: [StageReference] {
        pieces.compactMap { if case .reference(let r) = $0 { r } else { nil } }
    }

    /// Parses `raw`.
    /// - Throws: `PipelineError.invalidValue` for an unclosed `${`, a bad stage name or offset,
    ///   or a bad template.
    public init(_ raw: String) throws(PipelineError) {
        self.raw = raw
        var pieces: [Piece] = []
        var rest = Substring(raw)
        while let open = rest.range(of: "${") {
            let before = String(rest[..<open.lowerBound])
            if !before.isEmpty { pieces.append(.text(try PathTemplate(before))) }
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw .invalidValue(what: "'\(raw)'", reason: "'${' without a closing '}' (references are ${stage} or ${stage[-1]})")
            }
            pieces.append(.reference(try StageReference(String(rest[open.upperBound..<close]), in: raw)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(try PathTemplate(String(rest)))) }
        self.pieces = pieces
    }
}

/// `stage`, `stage[-N]`, `stage[-PnD]`, `stage[+PnD]` or `stage[*]` inside `${…}`.
public struct StageReference: Sendable, Equatable, Hashable {
    /// Which cycle of the referenced stage.
    public enum Offset: Sendable, Equatable, Hashable {
        /// N cycles earlier in the cycle sequence (0: the same cycle).
        case position(Int)
        /// The cycle this long before (`forward` false) or after the task's cycle; a later
        /// cycle is waited for (the verifying analysis of a forecast).
        case duration(ISODuration, forward: Bool)
        /// Every cycle so far (a list).
        case all
    }

    public var stage: String
    public var offset: Offset

    /// The pseudo-stage whose output is the inbox file that made a cycle.
    public static let inbox = "inbox"

    public init(stage: String, offset: Offset) {
        self.stage = stage
        self.offset = offset
    }

    init(_ text: String, in raw: String) throws(PipelineError) {
        let body = text.trimmingCharacters(in: .whitespaces)
        var name = body
        var offset = Offset.position(0)
        func fail() -> PipelineError {
            .invalidValue(what: "'${\(text)}' in '\(raw)'",
                          reason: "expected ${stage}, ${stage[-1]} (cycles earlier), ${stage[-P1D]} / ${stage[+P5D]} (an ISO 8601 offset) or ${stage[*]} (every cycle)")
        }
        if let bracket = body.firstIndex(of: "[") {
            guard body.hasSuffix("]") else { throw fail() }
            name = String(body[..<bracket])
            let inside = String(body[body.index(after: bracket)..<body.index(before: body.endIndex)])
            if inside == "*" {
                offset = .all
            } else if let value = Int(inside) {
                guard value <= 0 else {
                    throw .invalidValue(what: "'${\(text)}' in '\(raw)'", reason: "a cycle position offset must be 0 or negative, like [-1]; a later cycle is named by a duration, like [+P1D]")
                }
                offset = .position(value)
            } else if inside.hasPrefix("-P") || inside.hasPrefix("+P") {
                guard let duration = try? ISODuration(String(inside.dropFirst())), !duration.isZero else { throw fail() }
                offset = .duration(duration, forward: inside.hasPrefix("+"))
            } else {
                throw fail()
            }
        }
        guard StageDefinition.isValidName(name) else { throw fail() }
        stage = name
        self.offset = offset
    }
}

extension StageDefinition {
    /// Stage and pipeline names: letters, digits, `-` and `_`, starting with a letter.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
