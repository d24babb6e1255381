import Foundation

/// Normalised global error norms of a computed field against a reference, weighted by
/// cell areas (Williamson et al. 1992, eqs. 82–84; TempestRemap and Lauritzen et al. 2012
/// use the same): with e = computed − reference and f = reference,
///
///     L1 = Σ|e|·A / Σ|f|·A
///     L2 = √(Σe²·A / Σf²·A)
///     L∞ = max|e| / max|f|
///
/// Cells whose computed value is not finite (no source coverage in a remap, a blown-up
/// model) are left out of every sum and counted in `skipped`, so a caller that expects full
/// coverage checks `skipped == 0`. A reference that is zero everywhere makes the norms NaN.
public struct ErrorNorms: Sendable, Equatable, CustomStringConvertible {
    public var l1: Double
    public var l2: Double
    public var lInfinity: Double
    /// Cells left out because the computed value was NaN or infinite.
    public var skipped: Int

    public init(l1: Double, l2: Double, lInfinity: Double, skipped: Int = 0) {
        self.l1 = l1
        self.l2 = l2
        self.lInfinity = lInfinity
        self.skipped = skipped
    }

    /// Norms of `computed − reference` with cell weights `areas` (m², or any unit: only
    /// ratios enter), all three arrays in the same layout.
    /// - Throws: `VerifyError.shapeMismatch` when the lengths differ.
    public init<T: BinaryFloatingPoint>(computed: [T], reference: [Double], areas: [Double]) throws(VerifyError) {
        guard computed.count == reference.count else {
            throw .shapeMismatch(name: "computed field", expected: reference.count, actual: computed.count)
        }
        guard areas.count == reference.count else {
            throw .shapeMismatch(name: "cell areas", expected: reference.count, actual: areas.count)
        }
        var e1 = 0.0, f1 = 0.0, e2 = 0.0, f2 = 0.0, eMax = 0.0, fMax = 0.0
        var skipped = 0
        for i in reference.indices {
            let c = Double(computed[i])
            guard c.isFinite else { skipped += 1; continue }
            let f = reference[i], e = c - f, a = areas[i]
            e1 += abs(e) * a
            f1 += abs(f) * a
            e2 += e * e * a
            f2 += f * f * a
            eMax = max(eMax, abs(e))
            fMax = max(fMax, abs(f))
        }
        self.init(l1: f1 > 0 ? e1 / f1 : .nan, l2: f2 > 0 ? (e2 / f2).squareRoot() : .nan,
                  lInfinity: fMax > 0 ? eMax / fMax : .nan, skipped: skipped)
    }

    public var description: String {
        String(format: "L1 %.3e  L2 %.3e  L∞ %.3e", l1, l2, lInfinity) + (skipped > 0 ? " (\(skipped) cells skipped)" : "")
    }
}
