/// Normalised global error norms of a transported field against the exact solution
/// (Williamson et al. 1992, eqs. 82–84; Lauritzen et al. 2012), area-weighted:
///
///     L1 = Σ|q − q_T|·A / Σ|q_T|·A
///     L2 = √(Σ(q − q_T)²·A / Σq_T²·A)
///     L∞ = max|q − q_T| / max|q_T|
public struct AdvectionErrorNorms: Sendable, Equatable {
    public var l1: Double
    public var l2: Double
    public var lInfinity: Double

    public init(l1: Double, l2: Double, lInfinity: Double) {
        self.l1 = l1
        self.l2 = l2
        self.lInfinity = lInfinity
    }

    /// Norms of `computed − exact` with cell weights `weights` (areas, m² or any unit),
    /// all three arrays in the same layout.
    public init(computed: [Double], exact: [Double], weights: [Double]) throws(TransportError) {
        guard computed.count == exact.count else {
            throw .shapeMismatch(name: "computed field", expected: exact.count, actual: computed.count)
        }
        guard weights.count == exact.count else {
            throw .shapeMismatch(name: "norm weights", expected: exact.count, actual: weights.count)
        }
        var e1 = 0.0, f1 = 0.0, e2 = 0.0, f2 = 0.0, eMax = 0.0, fMax = 0.0
        for c in 0..<exact.count {
            let e = computed[c] - exact[c], f = exact[c], w = weights[c]
            e1 += abs(e) * w
            f1 += abs(f) * w
            e2 += e * e * w
            f2 += f * f * w
            eMax = max(eMax, abs(e))
            fMax = max(fMax, abs(f))
        }
        guard f1 > 0, fMax > 0 else { throw .invalidValue(name: "exact field", reason: "is zero everywhere: the norms are undefined") }
        l1 = e1 / f1
        l2 = (e2 / f2).squareRoot()
        lInfinity = eMax / fMax
    }
}
