/// How a YAML decoding failure is reported in a definition file's error.
extension DecodingError {
    /// The key at fault, dotted, with list positions in brackets (`latitudes.count`,
    /// `a[6]`), or "(top level)".
    var definitionKeyPath: String {
        let context: DecodingError.Context? = switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c
        case .keyNotFound(let key, let c): DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: c.debugDescription)
        @unknown default: nil
        }
        var path = ""
        for key in context?.codingPath ?? [] {
            if let index = key.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
        }
        return path.isEmpty ? "(top level)" : path
    }

    /// What was wrong there, in a few words.
    var definitionReason: String {
        switch self {
        case .keyNotFound: "missing"
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected a \(type) value"
        case .dataCorrupted(let c): c.debugDescription
        @unknown default: "invalid"
        }
    }
}
