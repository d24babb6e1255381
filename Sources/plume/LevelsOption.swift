import ArgumentParser
import PlumeGrids
import PlumePhysics

/// The `--levels` value every command takes: CarbonBench's groupings of the TM5 34 layers,
/// `l10` / `10`, `l20` / `20`, or all of them, `tm5-34` / `34`.
enum LevelsOption {
    /// The layers named by `text`; `allowed` restricts the layer counts (e.g. [10, 20]).
    static func parse(_ text: String, allowed: Set<Int> = [10, 20, 34]) throws -> HybridLevels {
        let trimmed = text.lowercased()
        let digits = trimmed.hasPrefix("tm5-") ? trimmed.dropFirst(4) : trimmed.hasPrefix("l") ? trimmed.dropFirst() : Substring(trimmed)
        let names = allowed.sorted().map { $0 == 34 ? "tm5-34 (34)" : "l\($0) (\($0))" }.joined(separator: ", ")
        guard let count = Int(digits), allowed.contains(count) else {
            throw ValidationError("--levels '\(text)': expected one of \(names)")
        }
        do {
            return try Transport3DGeometry.carbonBenchLevels(count: count)
        } catch {
            throw ValidationError("--levels '\(text)': \(error)")
        }
    }
}
