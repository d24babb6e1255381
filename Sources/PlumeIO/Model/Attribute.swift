/// The value of a file or variable attribute.
public enum AttributeValue: Sendable, Equatable, CustomStringConvertible {
    case text(String)
    case integers([Int64])
    case floats([Float])
    case doubles([Double])

    /// The value as text, when it is text.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The numeric values as `Double` (empty for text).
    public var doubles: [Double] {
        switch self {
        case .text: []
        case .integers(let v): v.map(Double.init)
        case .floats(let v): v.map(Double.init)
        case .doubles(let v): v
        }
    }

    /// The first numeric value, when there is one.
    public var double: Double? { doubles.first }

    public var description: String {
        switch self {
        case .text(let s): "\"\(s)\""
        case .integers(let v): v.map(String.init).joined(separator: ", ")
        case .floats(let v): v.map { "\($0)" }.joined(separator: ", ")
        case .doubles(let v): v.map { "\($0)" }.joined(separator: ", ")
        }
    }
}

/// A named attribute.
public struct Attribute: Sendable, Equatable {
    public var name: String
    public var value: AttributeValue

    public init(_ name: String, _ value: AttributeValue) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The value of the attribute called `name`, if present.
    public subscript(name: String) -> AttributeValue? {
        first { $0.name == name }?.value
    }

    /// Sets or replaces the attribute called `name`, keeping the order of the others.
    public mutating func set(_ name: String, _ value: AttributeValue) {
        if let i = firstIndex(where: { $0.name == name }) {
            self[i].value = value
        } else {
            append(Attribute(name, value))
        }
    }
}
