import PlumeGrids

/// Horizontal air-mass fluxes through the faces of a `TransportGrid`'s cells during one
/// transport step, kg per step (an air-mass flux rate in kg s⁻¹ times the step length).
///
/// - `eastward`: `[level, lat, lon]`; value `[k, j, i]` is the air mass crossing the
///   **western** face of cell (j, i) eastward, i.e. from column i − 1 into column i
///   (column −1 is column nlon − 1: the rows are periodic).
/// - `northward`: `[level, lat + 1, lon]`; value `[k, j, i]` is the air mass crossing the
///   **southern** face of cell (j, i) northward, from row j − 1 into row j. Face rows 0 and
///   nlat are the poles: their values must be zero.
public struct HorizontalMassFluxes: Sendable, Equatable {
    public let levelCount: Int
    public let latitudeCount: Int
    public let longitudeCount: Int
    /// Eastward mass through western faces, kg per step, `[level, lat, lon]`.
    public var eastward: [Double]
    /// Northward mass through southern faces, kg per step, `[level, lat + 1, lon]`.
    public var northward: [Double]

    /// Checks the shapes against `grid` and `levelCount`, that every value is finite and
    /// that nothing crosses the poles.
    public init(grid: TransportGrid, levelCount: Int, eastward: [Double], northward: [Double]) throws(TransportError) {
        guard levelCount >= 1 else { throw .invalidValue(name: "levelCount", reason: "must be at least 1, got \(levelCount)") }
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        guard eastward.count == levelCount * nlat * nlon else {
            throw .shapeMismatch(name: "eastward mass fluxes [level, lat, lon]", expected: levelCount * nlat * nlon, actual: eastward.count)
        }
        guard northward.count == levelCount * (nlat + 1) * nlon else {
            throw .shapeMismatch(name: "northward mass fluxes [level, lat+1, lon]", expected: levelCount * (nlat + 1) * nlon,
                                 actual: northward.count)
        }
        if let bad = eastward.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(name: "eastward mass fluxes", reason: "value \(eastward[bad]) at index \(bad)")
        }
        if let bad = northward.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(name: "northward mass fluxes", reason: "value \(northward[bad]) at index \(bad)")
        }
        for k in 0..<levelCount {
            for poleRow in [0, nlat] {
                let base = (k * (nlat + 1) + poleRow) * nlon
                for i in 0..<nlon where northward[base + i] != 0 {
                    throw .invalidValue(name: "northward mass fluxes",
                                        reason: "level \(k): flux \(northward[base + i]) through the \(poleRow == 0 ? "south" : "north") pole (face row \(poleRow), column \(i)); pole faces must be zero")
                }
            }
        }
        self.levelCount = levelCount
        latitudeCount = nlat
        longitudeCount = nlon
        self.eastward = eastward
        self.northward = northward
    }

    /// No flow.
    public static func zero(grid: TransportGrid, levelCount: Int) -> HorizontalMassFluxes {
        HorizontalMassFluxes(unchecked: levelCount, grid.latitudeCount, grid.longitudeCount,
                             eastward: [Double](repeating: 0, count: levelCount * grid.cellCount),
                             northward: [Double](repeating: 0, count: levelCount * (grid.latitudeCount + 1) * grid.longitudeCount))
    }

    init(unchecked levelCount: Int, _ nlat: Int, _ nlon: Int, eastward: [Double], northward: [Double]) {
        self.levelCount = levelCount
        latitudeCount = nlat
        longitudeCount = nlon
        self.eastward = eastward
        self.northward = northward
    }

    /// The same fluxes times `factor` (e.g. a fraction of the step).
    public func scaled(by factor: Double) -> HorizontalMassFluxes {
        HorizontalMassFluxes(unchecked: levelCount, latitudeCount, longitudeCount,
                             eastward: eastward.map { $0 * factor }, northward: northward.map { $0 * factor })
    }

    /// Net air mass flowing into each cell during the step, kg, `[level, lat, lon]`:
    /// west − east + south − north. Zero to round-off for discretely non-divergent fluxes
    /// (`StreamfunctionMassFluxes`).
    public func convergence() -> [Double] {
        let nlat = latitudeCount, nlon = longitudeCount
        var out = [Double](repeating: 0, count: levelCount * nlat * nlon)
        for k in 0..<levelCount {
            for j in 0..<nlat {
                let row = (k * nlat + j) * nlon
                let south = (k * (nlat + 1) + j) * nlon, north = south + nlon
                for i in 0..<nlon {
                    let east = i + 1 == nlon ? row : row + i + 1
                    out[row + i] = eastward[row + i] - eastward[east] + northward[south + i] - northward[north + i]
                }
            }
        }
        return out
    }
}
