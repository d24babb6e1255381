/// "Did you mean …": the nearest of the valid names to a mistyped one, by edit distance.
public enum Suggestion {
    /// Levenshtein distance between `a` and `b` (insertions, deletions, substitutions).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    /// True when `a` is within `limit` edits of `b` (a likely typo of it).
    public static func isClose(_ a: String, _ b: String, limit: Int = 3) -> Bool { distance(a, b) <= limit }

    /// ` (did you mean 'NAME'?)` for the nearest of `options` within `limit` edits, else "".
    public static func hint(for text: String, among options: [String], limit: Int = 3) -> String {
        guard let best = options.min(by: { distance($0, text) < distance($1, text) }), distance(best, text) <= limit else { return "" }
        return " (did you mean '\(best)'?)"
    }
}
