import PlumeIO

/// A path or parameter with placeholders, filled in per cycle and member without ever
/// reaching a shell: `{cycle:%Y%m%d%H}`, `{cycle}` (ISO 8601), `{member}`, `{run}`.
///
/// The cycle formats take `%Y` (4-digit year), `%m`, `%d`, `%H`, `%M`, `%S` (2 digits),
/// `%j` (day of the year, 3 digits, in the cycle's calendar) and `%%`. `{{` and `}}` are
/// literal braces.
public struct PathTemplate: Sendable, Equatable, CustomStringConvertible {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case cycle(format: String?)
        case member
        case run
    }

    /// The text as written.
    public let text: String
    let pieces: [Piece]

    /// The placeholders a template may use.
    public static let fields = ["cycle", "cycle:FORMAT", "member", "run"]

    /// Parses `text`.
    /// - Throws: `PipelineError.invalidValue` naming the template and the valid placeholders.
    public init(_ text: String) throws(PipelineError) {
        func fail(_ why: String) -> PipelineError {
            .invalidValue(what: "template '\(text)'", reason: "\(why) (placeholders: {cycle}, {cycle:%Y%m%d%H}, {member}, {run}; {{ and }} for braces)")
        }
        var pieces: [Piece] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            let next = text.index(after: index)
            if ch == "{", next < text.endIndex, text[next] == "{" {
                literal.append("{")
                index = text.index(after: next)
                continue
            }
            if ch == "}", next < text.endIndex, text[next] == "}" {
                literal.append("}")
                index = text.index(after: next)
                continue
            }
            if ch == "}" { throw fail("a lone }") }
            guard ch == "{" else {
                literal.append(ch)
                index = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else { throw fail("{ without }") }
            let field = String(text[next..<close])
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
            switch field {
            case "cycle": pieces.append(.cycle(format: nil))
            case "member": pieces.append(.member)
            case "run": pieces.append(.run)
            default:
                guard field.hasPrefix("cycle:") else { throw fail("unknown placeholder {\(field)}") }
                let format = String(field.dropFirst("cycle:".count))
                try Self.checkFormat(format, fail: fail)
                pieces.append(.cycle(format: format))
            }
            index = text.index(after: close)
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.text = text
        self.pieces = pieces
    }

    public var description: String { text }

    /// Whether the template uses `{member}`.
    public var usesMember: Bool { pieces.contains(.member) }

    static func checkFormat(_ format: String, fail: (String) -> PipelineError) throws(PipelineError) {
        var percent = false
        for ch in format {
            if percent {
                guard "YmdHMSj%".contains(ch) else { throw fail("unknown cycle format %\(ch)") }
                percent = false
            } else if ch == "%" {
                percent = true
            }
        }
        if percent { throw fail("a cycle format ends with %") }
    }

    /// The text with the placeholders filled in.
    /// - Throws: when the template uses `{member}` and `member` is nil.
    public func render(cycle: CFDate, calendar: CFCalendar = .standard, member: String? = nil, run: String) throws(PipelineError) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .run: out += run
            case .member:
                guard let member else {
                    throw .invalidValue(what: "template '\(text)'", reason: "uses {member}, but the stage has no members")
                }
                out += member
            case .cycle(let format):
                out += format.map { Self.format(cycle, $0, calendar: calendar) } ?? cycle.description
            }
        }
        return out
    }

    /// A path inside the run folder: the rendered template, relative, with no component that
    /// leaves the folder (`..` past its root) and no empty or absolute form.
    /// - Returns: the normalised relative path (`a/b/c.nc`).
    /// - Throws: `PipelineError.invalidValue` naming the template and what it rendered to.
    public func relativePath(cycle: CFDate, calendar: CFCalendar = .standard, member: String? = nil, run: String) throws(PipelineError) -> String {
        let rendered = try render(cycle: cycle, calendar: calendar, member: member, run: run)
        func fail(_ why: String) -> PipelineError {
            .invalidValue(what: "template '\(text)'", reason: "renders to '\(rendered)', which \(why) (outputs stay inside the run folder)")
        }
        guard !rendered.hasPrefix("/") else { throw fail("is absolute") }
        var parts: [Substring] = []
        for part in rendered.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { throw fail("leaves the run folder") }
                parts.removeLast()
            default:
                guard !part.contains("\0") else { throw fail("holds a NUL character") }
                parts.append(part)
            }
        }
        guard !parts.isEmpty else { throw fail("is empty") }
        return parts.joined(separator: "/")
    }

    static func format(_ date: CFDate, _ format: String, calendar: CFCalendar) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var out = ""
        var percent = false
        for ch in format {
            guard percent else {
                if ch == "%" { percent = true } else { out.append(ch) }
                continue
            }
            percent = false
            switch ch {
            case "Y":
                let digits = String(abs(date.year))
                out += (date.year < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            case "m": out += two(date.month)
            case "d": out += two(date.day)
            case "H": out += two(date.hour)
            case "M": out += two(date.minute)
            case "S": out += two(Int(date.second.rounded(.down)))
            case "j":
                let day = (1..<date.month).reduce(date.day) { $0 + calendar.daysInMonth(year: date.year, month: $1) }
                out += day < 10 ? "00\(day)" : day < 100 ? "0\(day)" : "\(day)"
            default: out.append("%")
            }
        }
        return out
    }
}
