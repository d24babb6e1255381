/// A grouping of the layers of a level set into coarser layers, e.g. CarbonBench's `l10`,
/// which groups the 34 TM5 layers as [0], [1], [2], [3], [4, 5], [6–8], [9–12], [13–18],
/// [19–26], [27–33].
///
/// Source layer indices are 0-based in the order of the level set (from the surface upward
/// for `HybridLevels`). Groups must be contiguous, in order, and cover every source layer
/// exactly once, so group g is the index range `ranges[g]`.
public struct LevelGrouping: Sendable, Equatable {
    /// Short name, e.g. "l10".
    public let name: String
    /// Name of the level set the indices refer to (e.g. "tm5-34"), if known.
    public let levels: String?
    /// Number of source layers covered (the sum of the group sizes).
    public let sourceCount: Int
    /// Source layer indices of each group, lowest group first.
    public let groups: [[Int]]
    /// Optional nominal pressure of each group [hPa], as used for labelling (`labels_hpa`).
    public let labelsHPa: [Double]?

    /// Number of groups (output levels).
    public var count: Int { groups.count }

    /// The source index range of each group.
    public var ranges: [Range<Int>] { groups.map { $0[0] ..< $0[0] + $0.count } }

    /// The group of each source layer, `sourceCount` values.
    public var groupOfLevel: [Int] {
        var out = [Int](repeating: 0, count: sourceCount)
        for (g, group) in groups.enumerated() { for k in group { out[k] = g } }
        return out
    }

    /// Validates the groups. `sourceCount`, when given (the number of layers of the level
    /// set), must equal the number of layers covered; `source` names the definition in
    /// errors and defaults to `name`.
    ///
    /// Checks: at least one group; no empty group; indices ascending by one inside a group;
    /// the first group starting at 0 and each next group right after the previous one (so
    /// every layer is covered exactly once, in order); labels, if any, one finite value per
    /// group.
    public init(name: String, levels: String? = nil, groups: [[Int]], labelsHPa: [Double]? = nil,
                sourceCount: Int? = nil, source: String? = nil) throws(GridError) {
        let source = source ?? name
        guard !groups.isEmpty else { throw .invalidDefinition(source: source, key: "groups", reason: "must list at least one group") }
        var next = 0
        for (g, group) in groups.enumerated() {
            guard let first = group.first else {
                throw .invalidDefinition(source: source, key: "groups[\(g)]", reason: "is empty")
            }
            guard first == next else {
                let reason = first > next
                    ? "starts at level \(first), but level \(next) is in no group (groups must be contiguous and in order)"
                    : "starts at level \(first), which is already in an earlier group (each level exactly once, in order)"
                throw .invalidDefinition(source: source, key: "groups[\(g)]", reason: reason)
            }
            for (i, k) in group.enumerated() where k != first + i {
                throw .invalidDefinition(source: source, key: "groups[\(g)][\(i)]",
                                         reason: "is level \(k), expected \(first + i) (levels in a group must be contiguous and ascending)")
            }
            next = first + group.count
        }
        if let sourceCount, sourceCount != next {
            let reason = next < sourceCount
                ? "cover levels 0…\(next - 1), but the level set\(levels.map { " '\($0)'" } ?? "") has \(sourceCount) levels (0…\(sourceCount - 1))"
                : "reach level \(next - 1), but the level set\(levels.map { " '\($0)'" } ?? "") has only \(sourceCount) levels (0…\(sourceCount - 1))"
            throw .invalidDefinition(source: source, key: "groups", reason: reason)
        }
        if let labelsHPa {
            guard labelsHPa.count == groups.count else {
                throw .invalidDefinition(source: source, key: "labels_hpa",
                                         reason: "has \(labelsHPa.count) values, expected one per group (\(groups.count))")
            }
            for (g, label) in labelsHPa.enumerated() where !label.isFinite {
                throw .invalidDefinition(source: source, key: "labels_hpa[\(g)]", reason: "not a finite number (\(label))")
            }
        }
        self.name = name
        self.levels = levels
        self.sourceCount = next
        self.groups = groups
        self.labelsHPa = labelsHPa
    }

    /// The grouping that keeps every one of `count` layers on its own (e.g. `l34`).
    public static func identity(count: Int, name: String? = nil, levels: String? = nil) throws(GridError) -> LevelGrouping {
        try LevelGrouping(name: name ?? "l\(count)", levels: levels, groups: (0..<max(count, 0)).map { [$0] })
    }

    /// Contiguous groups of the given sizes, lowest first (e.g. [1, 1, 1, 1, 2, 3, 4, 6, 8, 7] for `l10`).
    public static func sizes(_ sizes: [Int], name: String, levels: String? = nil, labelsHPa: [Double]? = nil,
                             sourceCount: Int? = nil) throws(GridError) -> LevelGrouping {
        var groups: [[Int]] = [], next = 0
        for (g, size) in sizes.enumerated() {
            guard size > 0 else { throw .invalidDefinition(source: name, key: "sizes[\(g)]", reason: "must be positive, got \(size)") }
            groups.append(Array(next ..< next + size))
            next += size
        }
        return try LevelGrouping(name: name, levels: levels, groups: groups, labelsHPa: labelsHPa, sourceCount: sourceCount)
    }
}
