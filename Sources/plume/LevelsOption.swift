import ArgumentParser
import PlumeGrids
import PlumePhysics

/// The `--levels` value every command takes (`Transport3DGeometry.carbonBenchLevels(named:)`):
/// `l10` / `10`, `l20` / `20`, `tm5-34` / `34`.
enum LevelsOption {
    /// The layers named by `text`; `allowed` restricts the layer counts (e.g. [10, 20]).
    static func parse(_ text: String, allowed: Set<Int> = [10, 20, 34]) throws -> HybridLevels {
        do {
            return try Transport3DGeometry.carbonBenchLevels(named: text, allowed: allowed)
        } catch {
            throw ValidationError("--\(error)")
        }
    }
}
