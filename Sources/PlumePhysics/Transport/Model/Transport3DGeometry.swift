import Dispatch
import PlumeSupport
import PlumeGrids
import PlumeConservation

/// The three-dimensional geometry of the reference transport model: a `TransportGrid`, a
/// set of hybrid sigma-pressure layers (`HybridLevels`, surface first) and a surface
/// pressure per cell that is constant in time (the streamfunction-driven winds are
/// discretely non-divergent, so the air mass of every cell stays what Δp·A/g says).
///
/// Layouts: cell fields `[lat, lon]` (rows south to north, as `TransportGrid`), layer
/// fields `[level, lat, lon]` with level 0 the lowest layer, corner fields
/// `[lat + 1, lon]` / `[level, lat + 1, lon]` (corner (j, i) on latitude edge j and the
/// western edge of column i, as `StreamfunctionMassFluxes`).
public struct Transport3DGeometry: Sendable {
    public let grid: TransportGrid
    /// The model layers, surface first (interface 0 is the surface).
    public let levels: HybridLevels
    /// Surface pressure per cell, Pa, `[lat, lon]`.
    public let surfacePressure: [Double]
    /// Air mass per cell, kg, `[level, lat, lon]`: Δp_k·A/g with g = `PhysicalConstants.standardGravity`.
    public let airMass: [Double]
    /// Air mass per unit area of each layer at the cell corners, kg m⁻², `[level, lat + 1, lon]`
    /// (Δp_k/g at the corner surface pressure, the mean of the cells touching the corner).
    public let cornerMassPerArea: [Double]

    /// CarbonBench's global-mean surface pressure (≈ 985 hPa with orography), Pa; the default
    /// uniform surface pressure of the analytic set-ups (total air mass ≈ 5.12·10¹⁸ kg).
    public static let defaultSurfacePressure = 98_500.0

    /// Number of layers.
    public var levelCount: Int { levels.count }
    /// Cells per layer.
    public var cellCount: Int { grid.cellCount }

    /// Geometry with surface pressures `surfacePressure` (Pa, `[lat, lon]`, each in
    /// `HybridLevels.plausibleSurfacePressures`).
    public init(grid: TransportGrid, levels: HybridLevels, surfacePressure: [Double]) throws(TransportError) {
        let n = grid.cellCount
        guard surfacePressure.count == n else {
            throw .shapeMismatch(name: "surface pressure [lat, lon]", expected: n, actual: surfacePressure.count)
        }
        if let bad = surfacePressure.firstIndex(where: { !HybridLevels.plausibleSurfacePressures.contains($0) }) {
            throw .invalidValue(name: "surface pressure",
                                reason: "\(surfacePressure[bad]) Pa at cell \(bad) lies outside \(HybridLevels.plausibleSurfacePressures) Pa")
        }
        let mass: [Double]
        do throws(GridError) {
            mass = try levels.airMass(surfacePressures: surfacePressure, cellAreas: grid.cellAreas())
        } catch {
            throw .invalidValue(name: "levels", reason: "\(error)")
        }
        if let bad = mass.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw .invalidValue(name: "air mass", reason: "layer \(bad / n), cell \(bad % n): \(mass[bad]) kg is not positive")
        }
        self.grid = grid
        self.levels = levels
        self.surfacePressure = surfacePressure
        airMass = mass
        // Corner surface pressures: mean of the (up to four) cells touching the corner.
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var cornerPs = [Double](repeating: 0, count: (nlat + 1) * nlon)
        for j in 0...nlat {
            for i in 0..<nlon {
                let west = i == 0 ? nlon - 1 : i - 1
                var sum = 0.0, count = 0.0
                for row in [j - 1, j] where row >= 0 && row < nlat {
                    sum += surfacePressure[row * nlon + i] + surfacePressure[row * nlon + west]
                    count += 2
                }
                cornerPs[j * nlon + i] = sum / count
            }
        }
        cornerMassPerArea = levels.layerThickness(surfacePressures: cornerPs).map { $0 / PhysicalConstants.standardGravity }
    }

    /// Geometry with one surface pressure everywhere (Pa).
    public init(grid: TransportGrid, levels: HybridLevels,
                uniformSurfacePressure ps: Double = Transport3DGeometry.defaultSurfacePressure) throws(TransportError) {
        try self.init(grid: grid, levels: levels, surfacePressure: [Double](repeating: ps, count: grid.cellCount))
    }

    /// Interface pressures of cell `c` (`lat·nlon + lon`), Pa, `levelCount + 1` values, surface first.
    public func interfacePressures(cell c: Int) -> [Double] {
        levels.interfacePressures(surfacePressure: surfacePressure[c])
    }

    /// Layer mid pressures at surface pressure `ps` (Pa), lowest first: the reference profile
    /// the analytic winds and the level-dependent parameters use.
    public func referenceMidPressures(surfacePressure ps: Double = 101_325) -> [Double] {
        levels.layerMidPressures(surfacePressure: ps)
    }

    /// The level set whose layers are the groups of `grouping` (e.g. TM5's 34 layers in
    /// CarbonBench's `l10`): the interfaces at the bottom of each group, and the top.
    public static func groupedLevels(_ levels: HybridLevels, grouping: LevelGrouping) throws(TransportError) -> HybridLevels {
        guard grouping.sourceCount == levels.count else {
            throw .invalidValue(name: "level grouping \(grouping.name)",
                                reason: "covers \(grouping.sourceCount) layers, but \(levels.name) has \(levels.count)")
        }
        var interfaces = grouping.ranges.map(\.lowerBound)
        interfaces.append(levels.count)
        do throws(GridError) {
            return try HybridLevels(name: "\(levels.name)/\(grouping.name)", a: interfaces.map { levels.a[$0] },
                                    b: interfaces.map { levels.b[$0] })
        } catch {
            throw .invalidValue(name: "level grouping \(grouping.name)", reason: "\(error)")
        }
    }

    /// The model levels a name stands for: CarbonBench's groupings of the TM5 34 layers,
    /// `l10` / `10`, `l20` / `20`, or all of them, `tm5-34` / `34`; `allowed` restricts the
    /// layer counts (e.g. [10, 20]). The error names the valid choices.
    public static func carbonBenchLevels(named text: String, allowed: Set<Int> = [10, 20, 34]) throws(TransportError) -> HybridLevels {
        let trimmed = text.lowercased()
        let digits = trimmed.hasPrefix("tm5-") ? trimmed.dropFirst(4) : trimmed.hasPrefix("l") ? trimmed.dropFirst() : Substring(trimmed)
        let names = allowed.sorted().map { $0 == 34 ? "tm5-34 (34)" : "l\($0) (\($0))" }.joined(separator: ", ")
        guard let count = Int(digits), allowed.contains(count) else {
            throw .invalidValue(name: "levels '\(text)'", reason: "expected one of \(names)")
        }
        return try carbonBenchLevels(count: count)
    }

    /// The model levels for `--levels N`: CarbonBench's groupings of the TM5 34 layers
    /// (`10` → tm5-34 grouped as `l10`, `20` → `l20`), or `34` for all TM5 layers, from
    /// `VerticalCatalog`.
    public static func carbonBenchLevels(count: Int) throws(TransportError) -> HybridLevels {
        let tm5: HybridLevels, grouping: LevelGrouping
        do throws(GridError) {
            tm5 = try VerticalCatalog.hybridLevels("tm5-34")
            if count == tm5.count { return tm5 }
            guard count == 10 || count == 20 else {
                throw GridError.invalidDefinition(source: "levels", key: "count",
                                                  reason: "\(count) layers: expected 10 (l10), 20 (l20) or 34 (tm5-34)")
            }
            grouping = try VerticalCatalog.grouping("l\(count)")
        } catch {
            throw .invalidValue(name: "levels", reason: "\(error)")
        }
        return try groupedLevels(tm5, grouping: grouping)
    }
}
