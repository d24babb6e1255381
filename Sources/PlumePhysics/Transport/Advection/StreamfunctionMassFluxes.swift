import PlumeGrids

/// Discretely non-divergent horizontal air-mass fluxes from a streamfunction given at the
/// cell corners, so that the air mass of every cell stays constant (to round-off) under
/// the flow: the fluxes of a cell's four faces are differences of the four corner values
/// and cancel exactly.
///
/// Conventions: u = −(1/R) ∂ψ/∂φ, v = (1/(R cos φ)) ∂ψ/∂λ (ψ in m² s⁻¹). The corner
/// array is `[lat + 1, lon]`: corner (j, i) lies on latitude edge j (south to north,
/// `TransportGrid.latitudeEdges`) and on the western edge of column i. Then, for a layer of
/// air mass σ per unit area (kg m⁻²) and a step Δt,
///
///     eastward[j, i]  = σ Δt (ψ[j, i] − ψ[j + 1, i])     (western face of cell (j, i))
///     northward[j, i] = σ Δt (ψ[j, i + 1] − ψ[j, i])     (southern face of cell (j, i))
///
/// The corners of face rows 0 and nlat are the poles themselves: ψ there is replaced by
/// its zonal mean (a streamfunction is single-valued at a pole), which makes the pole
/// faces carry exactly zero and keeps the polar cells non-divergent.
public enum StreamfunctionMassFluxes {
    /// Values of `streamfunction(λ, φ)` (radians in, m² s⁻¹ out) at the corners of `grid`,
    /// `[lat + 1, lon]`.
    public static func cornerValues(grid: TransportGrid, _ streamfunction: (Double, Double) -> Double) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var out = [Double](repeating: 0, count: (nlat + 1) * nlon)
        for j in 0...nlat {
            let phi = grid.latitudeEdges[j]
            for i in 0..<nlon { out[j * nlon + i] = streamfunction(grid.westEdge(column: i), phi) }
        }
        return out
    }

    /// Fluxes of a flow with streamfunction `streamfunction` (m² s⁻¹, `[lat + 1, lon]`
    /// corners; the same flow at every level) over `duration` seconds, for layers of air
    /// mass `massPerArea[k]` per unit area, kg m⁻² (one value per level, e.g. Δp_k/g).
    public static func fluxes(grid: TransportGrid, streamfunction: [Double], massPerArea: [Double],
                              duration: Double) throws(TransportError) -> HorizontalMassFluxes {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        guard streamfunction.count == (nlat + 1) * nlon else {
            throw .shapeMismatch(name: "streamfunction at corners [lat+1, lon]", expected: (nlat + 1) * nlon, actual: streamfunction.count)
        }
        guard !massPerArea.isEmpty else { throw .invalidValue(name: "massPerArea", reason: "needs one value per level, got none") }
        for (k, s) in massPerArea.enumerated() where !(s.isFinite && s >= 0) {
            throw .invalidValue(name: "massPerArea", reason: "level \(k): \(s) kg m⁻² is not a finite non-negative mass")
        }
        guard duration.isFinite else { throw .invalidValue(name: "duration", reason: "\(duration) s is not finite") }
        if let bad = streamfunction.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(name: "streamfunction", reason: "value \(streamfunction[bad]) at corner index \(bad)")
        }
        let levels = massPerArea.count
        var mass = [Double](repeating: 0, count: levels * (nlat + 1) * nlon)
        for k in 0..<levels {
            let factor = massPerArea[k] * duration
            for c in 0..<((nlat + 1) * nlon) { mass[k * (nlat + 1) * nlon + c] = factor * streamfunction[c] }
        }
        return try massStreamfunctionFluxes(grid: grid, levelCount: levels, massStreamfunction: mass)
    }

    /// Fluxes from a mass streamfunction per level, kg per step, `[level, lat + 1, lon]`
    /// corners (σ·Δt·ψ, or any field whose corner differences are the face mass fluxes).
    public static func massStreamfunctionFluxes(grid: TransportGrid, levelCount: Int,
                                                massStreamfunction psi: [Double]) throws(TransportError) -> HorizontalMassFluxes {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        guard levelCount >= 1 else { throw .invalidValue(name: "levelCount", reason: "must be at least 1, got \(levelCount)") }
        guard psi.count == levelCount * (nlat + 1) * nlon else {
            throw .shapeMismatch(name: "mass streamfunction [level, lat+1, lon]", expected: levelCount * (nlat + 1) * nlon, actual: psi.count)
        }
        if let bad = psi.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(name: "mass streamfunction", reason: "value \(psi[bad]) at index \(bad)")
        }
        var eastward = [Double](repeating: 0, count: levelCount * nlat * nlon)
        var northward = [Double](repeating: 0, count: levelCount * (nlat + 1) * nlon)
        var corners = [Double](repeating: 0, count: (nlat + 1) * nlon)
        for k in 0..<levelCount {
            let base = k * (nlat + 1) * nlon
            for c in 0..<corners.count { corners[c] = psi[base + c] }
            // A pole is one point: its corners share the zonal mean.
            for poleRow in [0, nlat] {
                var sum = 0.0
                for i in 0..<nlon { sum += corners[poleRow * nlon + i] }
                let mean = sum / Double(nlon)
                for i in 0..<nlon { corners[poleRow * nlon + i] = mean }
            }
            for j in 0..<nlat {
                let row = (k * nlat + j) * nlon
                for i in 0..<nlon {
                    eastward[row + i] = corners[j * nlon + i] - corners[(j + 1) * nlon + i]
                }
            }
            for j in 1..<nlat {
                let row = base + j * nlon
                for i in 0..<nlon {
                    let east = i + 1 == nlon ? 0 : i + 1
                    northward[row + i] = corners[j * nlon + east] - corners[j * nlon + i]
                }
            }
        }
        return HorizontalMassFluxes(unchecked: levelCount, nlat, nlon, eastward: eastward, northward: northward)
    }
}
