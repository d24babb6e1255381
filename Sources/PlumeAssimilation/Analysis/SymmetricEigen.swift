import Foundation

/// Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations:
/// accurate to rounding for the ensemble-space matrices of the LETKF (k×k, k ≲ 100).
enum SymmetricEigen {
    /// `a` is n×n row-major and symmetric. Returns the eigenvalues and the eigenvectors as the
    /// columns of an n×n row-major matrix.
    static func decompose(_ a: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<60 {
            var off = 0.0, scale = 0.0
            for i in 0..<n {
                scale += m[i * n + i] * m[i * n + i]
                for j in (i + 1)..<n { off += m[i * n + j] * m[i * n + j] }
            }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let app = m[p * n + p], aqq = m[q * n + q]
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { m[$0 * n + $0] }, v)
    }
}
