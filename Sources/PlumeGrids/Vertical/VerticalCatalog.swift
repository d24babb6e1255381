import Foundation
import Yams

/// A vertical level definition as written in `Grids/levels/NAME.yaml`:
///
///     name: tm5-34
///     type: hybrid                  # p_k = a_k + b_k·p_s at the layer interfaces
///     order: surface_to_top         # or top_to_surface (ECMWF tables); default surface_to_top
///     a_units: Pa                   # Pa (default) or hPa
///     a: [0, 22.835938, …]          # layers + 1 values
///     b: [1, 0.991984, …]           # layers + 1 values, dimensionless
///
///     name: l10
///     type: grouping
///     levels: tm5-34                # the level set whose layers are grouped
///     groups: [[0], [1], [2], [3], [4, 5], …]
///     labels_hpa: [1013, 1005, …]   # optional, one per group
///
/// Unknown keys are errors, so a misspelt optional key is not silently ignored.
public struct VerticalLevelDefinition: Decodable, Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var type: String
    public var order: String?
    public var aUnits: String?
    public var a: [Double]?
    public var b: [Double]?
    /// ECMWF half-level indices the interfaces were taken from (documentation only).
    public var ecmwfHalfLevels: [Int]?
    public var levels: String?
    public var groups: [[Int]]?
    public var labelsHPa: [Double]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, type, order, a, b, levels, groups
        case aUnits = "a_units"
        case ecmwfHalfLevels = "ecmwf_half_levels"
        case labelsHPa = "labels_hpa"
    }

    /// Parses YAML text; `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws(GridError) -> VerticalLevelDefinition {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .unreadable(source: source, reason: "not valid YAML: \(error)")
        }
        guard let mapping = root?.mapping else {
            throw .invalidDefinition(source: source, key: "(top level)", reason: "expected a mapping of keys (name, type, …)")
        }
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        for key in mapping.keys {
            let k = key.string ?? "\(key)"
            guard known.contains(k) else {
                throw .invalidDefinition(source: source, key: k,
                                         reason: "unknown key (expected \(CodingKeys.allCases.map(\.stringValue).sorted().joined(separator: ", ")))")
            }
        }
        do {
            return try YAMLDecoder().decode(VerticalLevelDefinition.self, from: text)
        } catch let error as DecodingError {
            throw .invalidDefinition(source: source, key: error.definitionKeyPath, reason: error.definitionReason)
        } catch {
            throw .unreadable(source: source, reason: "not valid YAML: \(error)")
        }
    }

    /// Builds a hybrid level set (`type: hybrid`); `fallbackName` is used when the file has no `name`.
    public func makeHybridLevels(fallbackName: String, source: String) throws(GridError) -> HybridLevels {
        guard type == "hybrid" else {
            throw .invalidDefinition(source: source, key: "type", reason: "is '\(type)', expected 'hybrid' for a hybrid level set")
        }
        for key in [CodingKeys.levels, .groups, .labelsHPa] where isSet(key) {
            throw .invalidDefinition(source: source, key: key.stringValue, reason: "belongs to type grouping, not hybrid")
        }
        guard var a else { throw .invalidDefinition(source: source, key: "a", reason: "required for type hybrid (interface coefficients in Pa)") }
        guard var b else { throw .invalidDefinition(source: source, key: "b", reason: "required for type hybrid (interface coefficients, dimensionless)") }
        switch aUnits ?? "Pa" {
        case "Pa": break
        case "hPa": a = a.map { $0 * 100 }
        default: throw .invalidDefinition(source: source, key: "a_units", reason: "unknown unit '\(aUnits ?? "")' (expected Pa or hPa)")
        }
        switch order ?? "surface_to_top" {
        case "surface_to_top": break
        case "top_to_surface": a.reverse(); b.reverse()
        default:
            throw .invalidDefinition(source: source, key: "order",
                                     reason: "unknown order '\(order ?? "")' (expected surface_to_top or top_to_surface)")
        }
        if let ecmwfHalfLevels, ecmwfHalfLevels.count != a.count {
            throw .invalidDefinition(source: source, key: "ecmwf_half_levels",
                                     reason: "has \(ecmwfHalfLevels.count) values, expected one per interface (\(a.count))")
        }
        return try HybridLevels(name: name ?? fallbackName, a: a, b: b, source: source)
    }

    /// Builds a grouping (`type: grouping`); `sourceCount` is the number of layers of the
    /// level set named by `levels`, when known.
    public func makeGrouping(fallbackName: String, sourceCount: Int?, source: String) throws(GridError) -> LevelGrouping {
        guard type == "grouping" else {
            throw .invalidDefinition(source: source, key: "type", reason: "is '\(type)', expected 'grouping' for a level grouping")
        }
        for key in [CodingKeys.a, .b, .aUnits, .order, .ecmwfHalfLevels] where isSet(key) {
            throw .invalidDefinition(source: source, key: key.stringValue, reason: "belongs to type hybrid, not grouping")
        }
        guard levels != nil else {
            throw .invalidDefinition(source: source, key: "levels", reason: "required for type grouping (the name of the level set grouped)")
        }
        guard let groups else {
            throw .invalidDefinition(source: source, key: "groups", reason: "required for type grouping (lists of level indices)")
        }
        return try LevelGrouping(name: name ?? fallbackName, levels: levels, groups: groups, labelsHPa: labelsHPa,
                                 sourceCount: sourceCount, source: source)
    }

    private func isSet(_ key: CodingKeys) -> Bool {
        switch key {
        case .a: a != nil
        case .b: b != nil
        case .aUnits: aUnits != nil
        case .order: order != nil
        case .ecmwfHalfLevels: ecmwfHalfLevels != nil
        case .levels: levels != nil
        case .groups: groups != nil
        case .labelsHPa: labelsHPa != nil
        case .name, .description, .type: true
        }
    }
}

/// A loaded vertical definition: a hybrid level set or a grouping of one.
public enum VerticalLevels: Sendable, Equatable {
    case hybrid(HybridLevels)
    case grouping(LevelGrouping)
}

/// Finds vertical level definitions by name (`levels/NAME.yaml` under each folder of
/// `GridCatalog.searchPaths`, i.e. `$PLUME_GRIDS/levels`, `./Grids/levels`, the installed and
/// the project's `Grids/levels`) or by the path of a `.yaml` file.
public enum VerticalCatalog {
    /// Folders searched, in order.
    public static var searchPaths: [String] { GridCatalog.searchPaths.map { $0 + "/levels" } }

    /// The definition called `name` (or at the path `name`, if it ends in `.yaml`/`.yml`).
    /// A grouping is checked against the layer count of the level set its `levels` names,
    /// looked up first next to the grouping's file, then in the search path.
    public static func levels(_ name: String) throws(GridError) -> VerticalLevels {
        let path = try locate(name)
        return try load(definitionAt: path, fallbackName: fileStem(path))
    }

    /// The hybrid level set called `name`, e.g. "tm5-34" (or at the path `name`).
    public static func hybridLevels(_ name: String) throws(GridError) -> HybridLevels {
        try loadHybrid(definitionAt: try locate(name), fallbackName: fileStem(name))
    }

    /// The level grouping called `name`, e.g. "l10".
    public static func grouping(_ name: String) throws(GridError) -> LevelGrouping {
        let path = try locate(name)
        guard case .grouping(let grouping) = try load(definitionAt: path, fallbackName: fileStem(path)) else {
            throw .invalidDefinition(source: path, key: "type", reason: "is a hybrid level set, expected a grouping")
        }
        return grouping
    }

    /// Names of all definitions found in the search path.
    public static func availableNames() -> [String] {
        var names = Set<String>()
        for folder in searchPaths {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for f in files where f.hasSuffix(".yaml") { names.insert(String(f.dropLast(5))) }
        }
        return names.sorted()
    }

    /// Parses a definition from text (for tests and embedded definitions). A grouping's
    /// `levels` set is resolved with `resolveLevels` (by default through the search path).
    public static func parse(_ text: String, source: String, fallbackName: String,
                             resolveLevels: (String) throws(GridError) -> HybridLevels = { (name: String) throws(GridError) in try hybridLevels(name) })
        throws(GridError) -> VerticalLevels {
        let definition = try VerticalLevelDefinition.parse(text, source: source)
        switch definition.type {
        case "hybrid":
            return .hybrid(try definition.makeHybridLevels(fallbackName: fallbackName, source: source))
        case "grouping":
            var sourceCount: Int?
            if let levels = definition.levels {
                do {
                    sourceCount = try resolveLevels(levels).count
                } catch {
                    throw .invalidDefinition(source: source, key: "levels", reason: "level set '\(levels)' unusable: \(error)")
                }
            }
            return .grouping(try definition.makeGrouping(fallbackName: fallbackName, sourceCount: sourceCount, source: source))
        default:
            throw .invalidDefinition(source: source, key: "type",
                                     reason: "unknown vertical definition type '\(definition.type)' (expected hybrid or grouping)")
        }
    }

    static func load(definitionAt path: String, fallbackName: String) throws(GridError) -> VerticalLevels {
        let text = try read(path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, source: path, fallbackName: fallbackName) { (name: String) throws(GridError) -> HybridLevels in
            let sibling = folder + "/" + name + ".yaml"
            let target = FileManager.default.fileExists(atPath: sibling) ? sibling : try locate(name)
            return try loadHybrid(definitionAt: target, fallbackName: name)
        }
    }

    /// Loads a file that must hold a hybrid level set; nothing further is resolved, so a
    /// grouping naming another grouping (or itself) fails instead of recursing.
    private static func loadHybrid(definitionAt path: String, fallbackName: String) throws(GridError) -> HybridLevels {
        let definition = try VerticalLevelDefinition.parse(try read(path), source: path)
        guard definition.type == "hybrid" else {
            throw .invalidDefinition(source: path, key: "type", reason: "is '\(definition.type)', expected a hybrid level set")
        }
        return try definition.makeHybridLevels(fallbackName: fallbackName, source: path)
    }

    private static func read(_ path: String) throws(GridError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(source: path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    private static func locate(_ name: String) throws(GridError) -> String {
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            guard FileManager.default.fileExists(atPath: name) else { throw .unreadable(source: name, reason: "no such file") }
            return name
        }
        for folder in searchPaths {
            let path = folder + "/" + name + ".yaml"
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw .unknownGrid(name: name, searched: searchPaths)
    }

    private static func fileStem(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}
