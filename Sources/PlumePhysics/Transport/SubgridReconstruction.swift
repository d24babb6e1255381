/// How the sweeps reconstruct the mixing ratio inside a cell (in the cell's air-mass
/// coordinate) to compute the tracer carried by a fraction of the cell's air mass.
///
/// Both are monotone: the reconstruction stays within the range of the cell and its two
/// neighbours, so every flux carries a mixing ratio within that range and the updated
/// mixing ratio (an average of the reconstruction over the cell's departure interval) can
/// create neither new extrema nor negative values.
public enum SubgridReconstruction: String, Sendable, CaseIterable {
    /// Piecewise-parabolic method (Colella & Woodward 1984): fourth-order edge values
    /// 7/12 (q₀ + q₁) − 1/12 (q₋₁ + q₂), clamped between the two neighbours, then CW84's
    /// monotonicity constraint on each parabola (flattened at extrema, steepened edges
    /// pulled back so the parabola has no interior extremum). The default: third-order
    /// away from extrema on uniform meshes.
    case ppm
    /// Piecewise-linear (MUSCL) with van Leer's monotonised-central slopes,
    /// s = sign·min(|q₊ − q₋|/2, 2|q₀ − q₋|, 2|q₊ − q₀|), zero at extrema. Second order.
    case vanLeer
    /// EXPERIMENT
    case ppmUnlimited
}

/// Scalar kernels shared by the zonal and meridional sweeps. A cell's sub-grid profile is
/// the parabola with edge values `left`, `right` and mean `q`; its curvature coefficient
/// is a6 = 6q − 3(left + right) (zero for linear profiles).
enum ReconstructionKernel {
    /// PPM value at the edge between cells with means q0 (west/south) and q1, given the
    /// outer neighbours qm (before q0) and qp (after q1); clamped between q0 and q1.
    @inline(__always)
    static func ppmEdge(_ qm: Double, _ q0: Double, _ q1: Double, _ qp: Double) -> Double {
        let a = (7.0 / 12.0) * (q0 + q1) - (1.0 / 12.0) * (qm + qp)
        let lo = min(q0, q1), hi = max(q0, q1)
        return min(max(a, lo), hi)
    }

    /// CW84 monotonicity constraint on the parabola (left, right) of a cell of mean q.
    @inline(__always)
    static func limitParabola(_ q: Double, _ left: inout Double, _ right: inout Double) {
        if (right - q) * (q - left) <= 0 {
            left = q
            right = q
            return
        }
        let da = right - left
        let a6 = 6 * q - 3 * (left + right)
        if da * a6 > da * da {
            left = 3 * q - 2 * right
        } else if -(da * da) > da * a6 {
            right = 3 * q - 2 * left
        }
    }

    /// van Leer's monotonised-central slope of a cell of mean q between qm and qp.
    @inline(__always)
    static func vanLeerSlope(_ qm: Double, _ q: Double, _ qp: Double) -> Double {
        let dm = q - qm, dp = qp - q
        if dm * dp <= 0 { return 0 }
        let s = min(abs(qp - qm) * 0.5, 2 * abs(dm), 2 * abs(dp))
        return dp > 0 ? s : -s
    }

    /// Edge values (left, right) of a cell of mean q0 from the two neighbours on either side.
    @inline(__always)
    static func parabola(_ scheme: SubgridReconstruction, _ qm2: Double, _ qm1: Double, _ q0: Double,
                         _ qp1: Double, _ qp2: Double) -> (left: Double, right: Double) {
        switch scheme {
        case .ppm:
            var left = ppmEdge(qm2, qm1, q0, qp1)
            var right = ppmEdge(qm1, q0, qp1, qp2)
            limitParabola(q0, &left, &right)
            return (left, right)
        case .vanLeer:
            let s = vanLeerSlope(qm1, q0, qp1)
            return (q0 - 0.5 * s, q0 + 0.5 * s)
        case .ppmUnlimited:
            let left = (7.0 / 12.0) * (qm1 + q0) - (1.0 / 12.0) * (qm2 + qp1)
            let right = (7.0 / 12.0) * (q0 + qp1) - (1.0 / 12.0) * (qm1 + qp2)
            return (left, right)
        }
    }

    /// Mean mixing ratio of the last fraction `c` (0 < c ≤ 1) of a cell's air mass on its
    /// right (east/north) side.
    @inline(__always)
    static func rightSegmentMean(_ q: Double, _ left: Double, _ right: Double, _ c: Double) -> Double {
        let da = right - left, a6 = 6 * q - 3 * (left + right)
        return right - 0.5 * c * (da - (1 - (2.0 / 3.0) * c) * a6)
    }

    /// Mean mixing ratio of the first fraction `c` (0 < c ≤ 1) of a cell's air mass on its
    /// left (west/south) side.
    @inline(__always)
    static func leftSegmentMean(_ q: Double, _ left: Double, _ right: Double, _ c: Double) -> Double {
        let da = right - left, a6 = 6 * q - 3 * (left + right)
        return left + 0.5 * c * (da + (1 - (2.0 / 3.0) * c) * a6)
    }
}
