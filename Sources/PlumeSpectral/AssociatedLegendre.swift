import Foundation
import Torch

/// Orthonormal associated Legendre functions and the two derivative functions that the
/// vector transforms need, tabulated in float64 at a set of colatitudes.
///
/// Normalisation: P̄ₗᵐ(cos θ) = (−1)ᵐ √((2l+1)/(4π) · (l−m)!/(l+m)!) · Pₗᵐ(cos θ), with the
/// Condon–Shortley phase (−1)ᵐ, so that Yₗᵐ(θ, λ) = P̄ₗᵐ(cos θ) e^{imλ} is orthonormal on
/// the unit sphere: ∫ Yₗᵐ Yₗ'ᵐ* dΩ = δₗₗ', i.e. 2π ∫₋₁¹ P̄ₗᵐ P̄ₗ'ᵐ dμ = δₗₗ' (torch-harmonics
/// `norm="ortho"`, `csphase=True`).
///
/// Every table is flat, row-major [mmax, lmax, nlat] (order m, degree l, colatitude), zero
/// where m > l:
/// - `p`: P̄ₗᵐ(cos θⱼ)
/// - `dTheta`: dP̄ₗᵐ/dθ at θⱼ
/// - `mOverSin`: m · P̄ₗᵐ(cos θⱼ) / sin θⱼ (finite at the poles: the limit, nonzero only for m = 1)
///
/// Computed with the standard stable three-term recurrences (Schaeffer 2013): the diagonal
/// P̄ₘᵐ = −√((2m+1)/(2m)) sin θ P̄ₘ₋₁ᵐ⁻¹, P̄ₘ₊₁ᵐ = √(2m+3) cos θ P̄ₘᵐ, then in l at fixed m
/// P̄ₗᵐ = aₗₘ (cos θ P̄ₗ₋₁ᵐ − P̄ₗ₋₂ᵐ / aₗ₋₁,ₘ) with aₗₘ = √((4l²−1)/(l²−m²)). The derivative
/// functions come from the same table at m ± 1 and l + 1 (regular at the poles):
///   dP̄ₗᵐ/dθ = ½ [√((l+m)(l−m+1)) P̄ₗᵐ⁻¹ − √((l−m)(l+m+1)) P̄ₗᵐ⁺¹]   (−√(l(l+1)) P̄ₗ¹ for m = 0)
///   m P̄ₗᵐ / sin θ = ½ √((2l+1)/(2l+3)) [√((l−m+1)(l−m+2)) P̄ₗ₊₁ᵐ⁻¹ + √((l+m+1)(l+m+2)) P̄ₗ₊₁ᵐ⁺¹]
/// (both written for the functions without the Condon–Shortley phase, which is applied last).
/// Accurate in float64 to lmax ≈ 1000 away from underflow; values below ~1e-300 (high m
/// near the poles) flush to zero, which is harmless.
public struct AssociatedLegendre: Sendable {
    public let lmax: Int
    public let mmax: Int
    public let nlat: Int
    /// P̄ₗᵐ(cos θⱼ), flat [mmax, lmax, nlat].
    public let p: [Double]
    /// dP̄ₗᵐ/dθ (θⱼ), flat [mmax, lmax, nlat].
    public let dTheta: [Double]
    /// m P̄ₗᵐ(cos θⱼ) / sin θⱼ, flat [mmax, lmax, nlat].
    public let mOverSin: [Double]

    /// Tables for degrees l < `lmax` and orders m < `mmax` at colatitudes with the given
    /// cosines and sines (pass both so that sin θ near the poles is exact).
    /// - Throws: `TorchError` when the cosines and sines differ in length.
    public init(lmax: Int, mmax: Int, cosTheta: [Double], sinTheta: [Double]) throws(TorchError) {
        guard cosTheta.count == sinTheta.count else {
            throw TorchError(operation: "AssociatedLegendre", message: "\(cosTheta.count) cos θ but \(sinTheta.count) sin θ values")
        }
        self.lmax = lmax
        self.mmax = mmax
        let nlat = cosTheta.count
        self.nlat = nlat
        // Unphased table P̃ with one extra order and degree, [bigM, bigL, nlat].
        let bigM = Swift.max(mmax + 1, 2)
        let bigL = lmax + 1
        var t = [Double](repeating: 0, count: bigM * bigL * nlat)
        func at(_ m: Int, _ l: Int) -> Int { (m * bigL + l) * nlat }
        let p00 = 1 / (4 * Double.pi).squareRoot()
        for j in 0..<nlat {
            let x = cosTheta[j], s = sinTheta[j]
            var pmm = p00
            for m in 0..<bigM {
                if m > 0 { pmm *= (Double(2 * m + 1) / Double(2 * m)).squareRoot() * s }
                guard m < bigL else { break }
                t[at(m, m) + j] = pmm
                guard m + 1 < bigL else { continue }
                t[at(m, m + 1) + j] = Double(2 * m + 3).squareRoot() * x * pmm
                var previous = pmm, current = t[at(m, m + 1) + j]
                var aPrevious = Double(2 * m + 3).squareRoot()  // a_{m+1, m}
                if m + 2 < bigL {
                    for l in (m + 2)..<bigL {
                        let dl = Double(l), dm = Double(m)
                        let a = ((4 * dl * dl - 1) / (dl * dl - dm * dm)).squareRoot()
                        let next = a * (x * current - previous / aPrevious)
                        t[at(m, l) + j] = next
                        previous = current
                        current = next
                        aPrevious = a
                    }
                }
            }
        }
        var p = [Double](repeating: 0, count: mmax * lmax * nlat)
        var d = p
        var q = p
        for m in 0..<mmax {
            let phase: Double = m % 2 == 0 ? 1 : -1
            let dm = Double(m)
            for l in m..<lmax {
                let dl = Double(l)
                let out = (m * lmax + l) * nlat
                if m == 0 {
                    let c = -(dl * (dl + 1)).squareRoot()
                    for j in 0..<nlat {
                        p[out + j] = t[at(0, l) + j]
                        d[out + j] = c * t[at(1, l) + j]
                    }
                } else {
                    let a0 = ((dl + dm) * (dl - dm + 1)).squareRoot()
                    let b0 = ((dl - dm) * (dl + dm + 1)).squareRoot()
                    let c1 = 0.5 * ((2 * dl + 1) / (2 * dl + 3)).squareRoot()
                    let a1 = ((dl - dm + 1) * (dl - dm + 2)).squareRoot()
                    let b1 = ((dl + dm + 1) * (dl + dm + 2)).squareRoot()
                    let below = at(m - 1, l), above = at(m + 1, l)
                    let belowNext = at(m - 1, l + 1), aboveNext = at(m + 1, l + 1)
                    for j in 0..<nlat {
                        p[out + j] = phase * t[at(m, l) + j]
                        d[out + j] = phase * 0.5 * (a0 * t[below + j] - b0 * t[above + j])
                        q[out + j] = phase * c1 * (a1 * t[belowNext + j] + b1 * t[aboveNext + j])
                    }
                }
            }
        }
        self.p = p
        dTheta = d
        mOverSin = q
    }
}
