/// Vertical air-mass fluxes from continuity (TM5): given the horizontal fluxes of a step and
/// the air mass of every cell at its start and end, the mass crossing each interface is what
/// makes every layer's budget close,
///
///     m_k(end) = m_k(start) + C_k + W_k − W_{k+1},
///
/// with C_k the horizontal convergence of layer k and W_k the air mass moving **upward**
/// through interface k (the bottom of layer k; interface 0 is the surface, interface L the
/// top). W_L = 0 and the recursion runs from the top down; the flux left at the surface,
/// W_0, is the column's imbalance and must be zero to round-off — it is when the horizontal
/// fluxes were balanced against the same air masses (`MassFluxBalancer`).
///
/// Layout: `[level + 1, lat, lon]`, kg per step; rows 0 and L are zero.
public enum VerticalMassFluxes {
    /// The upward fluxes and the largest relative surface residual |W_0| / column air mass
    /// (before W_0 is set to zero).
    public static func fromContinuity(horizontal: HorizontalMassFluxes, airMassStart: [Double],
                                      airMassEnd: [Double]) throws(TransportError) -> (upward: [Double], surfaceResidual: Double) {
        let levels = horizontal.levelCount, n = horizontal.latitudeCount * horizontal.longitudeCount
        guard airMassStart.count == levels * n else {
            throw .shapeMismatch(name: "air mass at the start [level, lat, lon]", expected: levels * n, actual: airMassStart.count)
        }
        guard airMassEnd.count == levels * n else {
            throw .shapeMismatch(name: "air mass at the end [level, lat, lon]", expected: levels * n, actual: airMassEnd.count)
        }
        let convergence = horizontal.convergence()
        var upward = [Double](repeating: 0, count: (levels + 1) * n)
        var residual = 0.0
        for c in 0..<n {
            var w = 0.0, column = 0.0
            for k in stride(from: levels - 1, through: 0, by: -1) {
                // W_k = W_{k+1} + (m_k(end) − m_k(start)) − C_k
                w += (airMassEnd[k * n + c] - airMassStart[k * n + c]) - convergence[k * n + c]
                column += airMassStart[k * n + c]
                if k > 0 { upward[k * n + c] = w }
            }
            residual = max(residual, abs(w) / column)
        }
        return (upward, residual)
    }
}
