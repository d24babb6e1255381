import Foundation
import PlumeGrids
import PlumeSupport

/// TM5-style balancing of horizontal air-mass fluxes against the surface-pressure tendency.
///
/// Winds and surface pressure read from files do not satisfy the discrete continuity
/// equation: the column-integrated convergence of the face fluxes made from u, v and Δp
/// differs from the column air-mass change that the surface pressures at the start and the
/// end of the step imply. TM5 corrects the horizontal fluxes by the smallest potential
/// flow that removes the difference, then takes the vertical fluxes from continuity
/// (`VerticalMassFluxes`). This type does the first part:
///
/// 1. r = C − ΔM per column (kg), C the column convergence of `fluxes` (Σ over layers of
///    west − east + south − north), ΔM the prescribed column air-mass change; the global
///    sum of ΔM must be zero (otherwise it is removed in proportion to the cell areas, as a
///    uniform surface-pressure change, and reported).
/// 2. The potential χ solves L χ = r with L the graph Laplacian of the grid's faces,
///    (L χ)_c = Σ_faces w_f (χ_c − χ_neighbour), weights w = face length / centre distance
///    (Δφ/(cos φ Δλ) for the zonal faces of a row, cos φ_f Δλ/Δφ for the meridional faces;
///    none through the poles). It is solved exactly: a real Fourier transform along each
///    row (L commutes with zonal shifts) and one tridiagonal system in latitude per zonal
///    wavenumber (for wavenumber 0 the cumulative sums of r give the meridional transport
///    directly).
/// 3. The column correction through a face is w_f (χ_a − χ_b) from a to b, spread over the
///    layers in proportion to the layer air mass at the face (the mean of the two cells').
///
/// After balancing, the column convergence of every cell equals ΔM to round-off.
public struct MassFluxBalancer: Sendable {
    public let grid: TransportGrid
    /// Zonal face weights per row, `[lat]`.
    let zonalWeight: [Double]
    /// Meridional face weights per face row, `[lat + 1]` (0 at the poles).
    let meridionalWeight: [Double]
    /// cos and sin of 2π m i / nlon, `[m, i]` for m in 0...nlon/2.
    let cosTable: [Double], sinTable: [Double]

    /// What one balancing did.
    public struct Report: Sendable, Equatable {
        /// Largest |C − ΔM| of a column before the correction, kg.
        public var largestImbalance: Double
        /// Largest |C − ΔM| after it, kg (round-off).
        public var largestResidual: Double
        /// Global sum of the prescribed ΔM, kg (should be zero; it was removed).
        public var globalMassChange: Double
        /// Root mean square of the column corrections over the faces divided by the root
        /// mean square of the column fluxes (how much of the flow the balancing changed).
        public var relativeCorrection: Double
    }

    public init(grid: TransportGrid) {
        self.grid = grid
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let dLambda = grid.longitudeStep
        var zonal = [Double](repeating: 0, count: nlat)
        for j in 0..<nlat {
            let dPhi = grid.latitudeEdges[j + 1] - grid.latitudeEdges[j]
            zonal[j] = dPhi / (cos(grid.centreLatitude(row: j)) * dLambda)
        }
        var meridional = [Double](repeating: 0, count: nlat + 1)
        for f in 1..<nlat {
            let distance = grid.centreLatitude(row: f) - grid.centreLatitude(row: f - 1)
            meridional[f] = cos(grid.latitudeEdges[f]) * dLambda / distance
        }
        zonalWeight = zonal
        meridionalWeight = meridional
        let modes = nlon / 2 + 1
        var c = [Double](repeating: 0, count: modes * nlon), s = c
        for m in 0..<modes {
            for i in 0..<nlon {
                // Reduce m·i modulo nlon first so that the angle is exact for every pair.
                let angle = 2 * Double.pi * Double((m * i) % nlon) / Double(nlon)
                c[m * nlon + i] = cos(angle)
                s[m * nlon + i] = sin(angle)
            }
        }
        cosTable = c
        sinTable = s
    }

    /// Column convergence (net inflow) of `fluxes`, kg per cell, `[lat, lon]`.
    public static func columnConvergence(_ fluxes: HorizontalMassFluxes) -> [Double] {
        let n = fluxes.latitudeCount * fluxes.longitudeCount
        let layers = fluxes.convergence()
        var out = [Double](repeating: 0, count: n)
        for k in 0..<fluxes.levelCount {
            for c in 0..<n { out[c] += layers[k * n + c] }
        }
        return out
    }

    /// Balances `fluxes` (kg per step) so that every column's convergence equals
    /// `columnMassChange` (kg, `[lat, lon]`, summing to zero), spreading the corrections over
    /// the layers by `airMass` (kg, `[level, lat, lon]`, the layers' air mass during the step).
    public func balance(_ fluxes: HorizontalMassFluxes, columnMassChange: [Double],
                        airMass: [Double]) throws(TransportError) -> (fluxes: HorizontalMassFluxes, report: Report) {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, n = nlat * nlon, levels = fluxes.levelCount
        guard fluxes.latitudeCount == nlat, fluxes.longitudeCount == nlon else {
            throw .shapeMismatch(name: "mass fluxes (lat·lon)", expected: n, actual: fluxes.latitudeCount * fluxes.longitudeCount)
        }
        guard columnMassChange.count == n else {
            throw .shapeMismatch(name: "column air-mass change [lat, lon]", expected: n, actual: columnMassChange.count)
        }
        guard airMass.count == levels * n else {
            throw .shapeMismatch(name: "air mass [level, lat, lon]", expected: levels * n, actual: airMass.count)
        }
        if let bad = columnMassChange.firstIndex(where: { !$0.isFinite }) {
            throw .invalidValue(name: "column air-mass change", reason: "\(columnMassChange[bad]) kg at cell \(bad)")
        }
        if let bad = airMass.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw .invalidValue(name: "air mass", reason: "\(airMass[bad]) kg at index \(bad) is not positive")
        }
        var columnMass = [Double](repeating: 0, count: n)
        for k in 0..<levels {
            for c in 0..<n { columnMass[c] += airMass[k * n + c] }
        }
        let globalChange = compensatedSum(columnMassChange)
        // A global change (round-off of the surface pressures, or an unbalanced source) is
        // removed as a uniform surface-pressure change, i.e. in proportion to the cell area.
        let areas = grid.cellAreas()
        let totalArea = compensatedSum(areas)
        let target = (0..<n).map { columnMassChange[$0] - globalChange * areas[$0] / totalArea }
        var balanced = fluxes
        var largestImbalance = 0.0, largestResidual = 0.0
        // One solve removes the imbalance up to the round-off of the Fourier sums; a second
        // on what is left brings it to the round-off of the fluxes.
        for pass in 0..<2 {
            let convergence = Self.columnConvergence(balanced)
            var r = [Double](repeating: 0, count: n)
            var largest = 0.0
            for c in 0..<n {
                r[c] = convergence[c] - target[c]
                largest = max(largest, abs(r[c]))
            }
            if pass == 0 {
                largestImbalance = 0
                for c in 0..<n { largestImbalance = max(largestImbalance, abs(convergence[c] - columnMassChange[c])) }
            }
            largestResidual = largest
            if largest == 0 || (pass > 0 && largest <= 1e-15 * largestImbalance) { break }
            let mean = compensatedSum(r) / Double(n)
            for c in 0..<n { r[c] -= mean }
            applyCorrection(potential: solvePotential(r), to: &balanced, airMass: airMass, columnMass: columnMass)
        }
        let after = Self.columnConvergence(balanced)
        largestResidual = 0
        for c in 0..<n { largestResidual = max(largestResidual, abs(after[c] - target[c])) }

        // Size of the column corrections against the column fluxes, over all faces.
        var correctionSquares = 0.0, fluxSquares = 0.0
        for j in 0..<nlat {
            for i in 0..<nlon {
                var before = 0.0, now = 0.0
                for k in 0..<levels {
                    before += fluxes.eastward[k * n + j * nlon + i]
                    now += balanced.eastward[k * n + j * nlon + i]
                }
                correctionSquares += (now - before) * (now - before)
                fluxSquares += before * before
            }
        }
        for f in 1..<nlat {
            for i in 0..<nlon {
                var before = 0.0, now = 0.0
                for k in 0..<levels {
                    before += fluxes.northward[(k * (nlat + 1) + f) * nlon + i]
                    now += balanced.northward[(k * (nlat + 1) + f) * nlon + i]
                }
                correctionSquares += (now - before) * (now - before)
                fluxSquares += before * before
            }
        }
        let relative = fluxSquares > 0 ? (correctionSquares / fluxSquares).squareRoot() : (correctionSquares > 0 ? .infinity : 0)
        return (balanced, Report(largestImbalance: largestImbalance, largestResidual: largestResidual,
                                 globalMassChange: globalChange, relativeCorrection: relative))
    }

    /// Adds the column flux w_f (χ_a − χ_b) through every face, spread over the layers by air mass.
    private func applyCorrection(potential chi: [Double], to balanced: inout HorizontalMassFluxes, airMass: [Double],
                                 columnMass: [Double]) {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, n = nlat * nlon, levels = balanced.levelCount
        for j in 0..<nlat {
            let w = zonalWeight[j]
            for i in 0..<nlon {
                let west = j * nlon + (i == 0 ? nlon - 1 : i - 1), cell = j * nlon + i
                let correction = w * (chi[west] - chi[cell])
                let faceColumnMass = columnMass[west] + columnMass[cell]
                for k in 0..<levels {
                    let share = (airMass[k * n + west] + airMass[k * n + cell]) / faceColumnMass
                    balanced.eastward[k * n + cell] += correction * share
                }
            }
        }
        let faceRows = nlat + 1
        for f in 1..<nlat {
            let w = meridionalWeight[f]
            for i in 0..<nlon {
                let south = (f - 1) * nlon + i, north = f * nlon + i
                let correction = w * (chi[south] - chi[north])
                let faceColumnMass = columnMass[south] + columnMass[north]
                for k in 0..<levels {
                    let share = (airMass[k * n + south] + airMass[k * n + north]) / faceColumnMass
                    balanced.northward[(k * faceRows + f) * nlon + i] += correction * share
                }
            }
        }
    }

    /// χ with L χ = `r` (`[lat, lon]`, summing to zero); χ is defined up to a constant.
    func solvePotential(_ r: [Double]) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let modes = nlon / 2 + 1
        // Forward real transform of every row: r_i = Σ_m (a_m cos θ_m i + b_m sin θ_m i).
        var a = [Double](repeating: 0, count: nlat * modes), b = a
        for j in 0..<nlat {
            for m in 0..<modes {
                var sc = 0.0, ss = 0.0
                for i in 0..<nlon {
                    let v = r[j * nlon + i]
                    sc += v * cosTable[m * nlon + i]
                    ss += v * sinTable[m * nlon + i]
                }
                let edge = m == 0 || 2 * m == nlon
                let scale = (edge ? 1.0 : 2.0) / Double(nlon)
                a[j * modes + m] = sc * scale
                b[j * modes + m] = edge ? 0 : ss * scale
            }
        }
        // Per wavenumber: a_j λ X_j + w_{j+½}(X_j − X_{j+1}) + w_{j−½}(X_j − X_{j−1}) = R_j.
        var xa = [Double](repeating: 0, count: nlat * modes), xb = xa
        // m = 0: the meridional transport through face j+½ is the sum of R over rows ≤ j.
        var running = 0.0, value = 0.0
        xa[0] = 0
        for j in 0..<(nlat - 1) {
            running += a[j * modes]
            value -= running / meridionalWeight[j + 1]
            xa[(j + 1) * modes] = value
        }
        var diagonal = [Double](repeating: 0, count: nlat), upper = diagonal, rhsA = diagonal, rhsB = diagonal
        for m in 1..<max(modes, 1) {
            let lambda = 2 - 2 * cos(2 * Double.pi * Double(m) / Double(nlon))
            // Thomas algorithm (the matrix is symmetric and strictly diagonally dominant).
            for j in 0..<nlat {
                let ws = meridionalWeight[j], wn = meridionalWeight[j + 1]
                var d = zonalWeight[j] * lambda + ws + wn
                var ra = a[j * modes + m], rb = b[j * modes + m]
                if j > 0 {
                    d -= ws * upper[j - 1]
                    ra += ws * rhsA[j - 1]
                    rb += ws * rhsB[j - 1]
                }
                diagonal[j] = d
                upper[j] = wn / d
                rhsA[j] = ra / d
                rhsB[j] = rb / d
            }
            var nextA = 0.0, nextB = 0.0
            for j in stride(from: nlat - 1, through: 0, by: -1) {
                let va = rhsA[j] + upper[j] * nextA, vb = rhsB[j] + upper[j] * nextB
                xa[j * modes + m] = va
                xb[j * modes + m] = vb
                nextA = va
                nextB = vb
            }
        }
        // Inverse transform.
        var chi = [Double](repeating: 0, count: nlat * nlon)
        for j in 0..<nlat {
            for m in 0..<modes {
                let ca = xa[j * modes + m], cb = xb[j * modes + m]
                if ca == 0 && cb == 0 { continue }
                for i in 0..<nlon { chi[j * nlon + i] += ca * cosTable[m * nlon + i] + cb * sinTable[m * nlon + i] }
            }
        }
        return chi
    }

    /// L χ (the net outflow the potential drives from each cell), `[lat, lon]`.
    func laplacian(_ chi: [Double]) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var out = [Double](repeating: 0, count: nlat * nlon)
        for j in 0..<nlat {
            for i in 0..<nlon {
                let c = j * nlon + i
                let west = j * nlon + (i == 0 ? nlon - 1 : i - 1), east = j * nlon + (i + 1 == nlon ? 0 : i + 1)
                var v = zonalWeight[j] * (2 * chi[c] - chi[west] - chi[east])
                if j > 0 { v += meridionalWeight[j] * (chi[c] - chi[c - nlon]) }
                if j + 1 < nlat { v += meridionalWeight[j + 1] * (chi[c] - chi[c + nlon]) }
                out[c] = v
            }
        }
        return out
    }
}
