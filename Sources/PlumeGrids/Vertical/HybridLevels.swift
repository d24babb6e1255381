/// A set of hybrid sigma-pressure levels: interface pressures p_k = a_k + b_k·p_s.
///
/// **Order: from the surface upward** (the order of CarbonTracker / TM5 and CarbonBench):
/// interface 0 is the surface, interface `count` the model top; layer k lies between
/// interfaces k (below) and k + 1 (above), so layer 0 is the lowest. ECMWF tables, which
/// count from the top down, are reversed when read (`order: top_to_surface` in YAML).
///
/// Arrays over many columns use the `[level, cell]` layout, level outermost:
/// `values[k * cellCount + c]` for level (or interface) k and cell c.
///
/// Units: a in Pa, b dimensionless, pressures in Pa, cell areas in m², air mass in kg.
public struct HybridLevels: Sendable, Equatable {
    /// Standard gravity g [m s⁻²] (CarbonBench, Benson et al. 2024), used for air mass = Δp·A/g.
    public static let standardGravity = 9.80665
    /// Surface pressures [Pa] for which interface pressures must decrease strictly upward.
    /// 400 hPa lies below the surface pressure of any global model column (the smoothed
    /// Himalaya and Tibet stay near or above 500 hPa), 1100 hPa above any observed one.
    /// (ECMWF L137 and the TM5 34-level selection from it are monotone down to 302.7 hPa.)
    public static let plausibleSurfacePressures: ClosedRange<Double> = 40_000...110_000

    /// Short name, e.g. "tm5-34".
    public let name: String
    /// Interface coefficients a_k [Pa], `count + 1` values, surface first.
    public let a: [Double]
    /// Interface coefficients b_k [1], `count + 1` values, surface first.
    public let b: [Double]

    /// Number of layers (one less than the number of interfaces).
    public var count: Int { a.count - 1 }

    /// Validates and stores the coefficients (surface first).
    ///
    /// Checks: at least two interfaces; as many a as b; all finite; 0 ≤ b ≤ 1; and, for
    /// every surface pressure in `surfacePressureRange`, interface pressures that decrease
    /// strictly from the surface upward and a top pressure ≥ 0. Each layer thickness is
    /// linear in p_s, so checking both ends of the range covers all of it.
    /// `source` names the definition (file path) in errors; it defaults to `name`.
    public init(name: String, a: [Double], b: [Double],
                surfacePressureRange: ClosedRange<Double> = HybridLevels.plausibleSurfacePressures,
                source: String? = nil) throws(GridError) {
        let source = source ?? name
        guard a.count >= 2 else {
            throw .invalidDefinition(source: source, key: "a", reason: "needs at least 2 interface values (1 layer), got \(a.count)")
        }
        guard b.count == a.count else {
            throw .invalidDefinition(source: source, key: "b",
                                     reason: "has \(b.count) values but 'a' has \(a.count) (one per interface, layers + 1)")
        }
        for (k, value) in a.enumerated() where !value.isFinite {
            throw .invalidDefinition(source: source, key: "a[\(k)]", reason: "not a finite number (\(value))")
        }
        for (k, value) in b.enumerated() where !(value >= 0 && value <= 1) {
            throw .invalidDefinition(source: source, key: "b[\(k)]", reason: "must lie in [0, 1], got \(value)")
        }
        for ps in [surfacePressureRange.lowerBound, surfacePressureRange.upperBound] {
            for k in 0..<(a.count - 1) {
                let below = a[k] + b[k] * ps, above = a[k + 1] + b[k + 1] * ps
                guard above < below else {
                    throw .invalidDefinition(
                        source: source, key: "a[\(k + 1)]",
                        reason: "interface pressures must decrease upward (surface first): at p_s = \(ps) Pa interface \(k + 1) "
                            + "has \(above) Pa, not below interface \(k) at \(below) Pa (coefficients top-down? use order: top_to_surface)")
                }
            }
            let top = a[a.count - 1] + b[b.count - 1] * ps
            guard top >= 0 else {
                throw .invalidDefinition(source: source, key: "a[\(a.count - 1)]",
                                         reason: "top interface pressure is negative (\(top) Pa at p_s = \(ps) Pa)")
            }
        }
        self.name = name
        self.a = a
        self.b = b
    }

    // MARK: One column

    /// Interface pressures p_k = a_k + b_k·p_s [Pa], `count + 1` values, surface first.
    public func interfacePressures(surfacePressure ps: Double) -> [Double] {
        (0...count).map { a[$0] + b[$0] * ps }
    }

    /// Layer thickness Δp_k = p_k − p_{k+1} [Pa], `count` values, lowest layer first.
    /// Their sum is p_0 − p_top (= p_s for sets with a_0 = 0, b_0 = 1 and a zero top).
    public func layerThickness(surfacePressure ps: Double) -> [Double] {
        let p = interfacePressures(surfacePressure: ps)
        return (0..<count).map { p[$0] - p[$0 + 1] }
    }

    /// Layer mid pressures (p_k + p_{k+1}) / 2 [Pa], `count` values, lowest layer first.
    public func layerMidPressures(surfacePressure ps: Double) -> [Double] {
        let p = interfacePressures(surfacePressure: ps)
        return (0..<count).map { 0.5 * (p[$0] + p[$0 + 1]) }
    }

    /// Air mass per layer Δp_k·A/g [kg] of a column with surface pressure `ps` [Pa] over a
    /// cell of `cellArea` [m²]; `count` values, lowest layer first.
    public func airMass(surfacePressure ps: Double, cellArea: Double) -> [Double] {
        layerThickness(surfacePressure: ps).map { $0 * cellArea / Self.standardGravity }
    }

    // MARK: Many columns, [level, cell] layout

    /// Interface pressures [Pa] of many columns: `(count + 1) × n` values in `[interface, cell]`
    /// layout (`p[k * n + c]`), for `surfacePressures` [Pa] of n cells. NaN surface pressures
    /// give NaN columns.
    public func interfacePressures(surfacePressures ps: [Double]) -> [Double] {
        let n = ps.count
        var out = [Double](repeating: 0, count: (count + 1) * n)
        for k in 0...count {
            let ak = a[k], bk = b[k], base = k * n
            for c in 0..<n { out[base + c] = ak + bk * ps[c] }
        }
        return out
    }

    /// Layer thicknesses Δp [Pa] of many columns: `count × n` values in `[level, cell]` layout.
    public func layerThickness(surfacePressures ps: [Double]) -> [Double] {
        let n = ps.count
        var out = [Double](repeating: 0, count: count * n)
        for k in 0..<count {
            let aLow = a[k], bLow = b[k], aHigh = a[k + 1], bHigh = b[k + 1], base = k * n
            for c in 0..<n { out[base + c] = (aLow + bLow * ps[c]) - (aHigh + bHigh * ps[c]) }
        }
        return out
    }

    /// Air mass Δp·A/g [kg] of many columns: `count × n` values in `[level, cell]` layout, for
    /// `surfacePressures` [Pa] and `cellAreas` [m²] of the same n cells.
    public func airMass(surfacePressures ps: [Double], cellAreas: [Double]) throws(GridError) -> [Double] {
        guard cellAreas.count == ps.count else {
            throw .invalidDefinition(source: name, key: "cellAreas",
                                     reason: "has \(cellAreas.count) values, expected one per surface pressure (\(ps.count))")
        }
        var out = layerThickness(surfacePressures: ps)
        let n = ps.count, g = Self.standardGravity
        for k in 0..<count {
            let base = k * n
            for c in 0..<n { out[base + c] = out[base + c] * cellAreas[c] / g }
        }
        return out
    }
}
