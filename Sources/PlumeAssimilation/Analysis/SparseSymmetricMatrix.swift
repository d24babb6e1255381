/// A symmetric positive-definite matrix in compressed rows (every non-zero of every row),
/// solved by preconditioned conjugate gradients.
struct SparseSymmetricMatrix: Sendable {
    let rowStart: [Int]
    let columns: [Int32]
    let values: [Double]

    var size: Int { rowStart.count - 1 }

    func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: size)
        for i in 0..<size {
            var sum = 0.0
            for n in rowStart[i]..<rowStart[i + 1] { sum += values[n] * x[Int(columns[n])] }
            y[i] = sum
        }
        return y
    }

    var diagonal: [Double] {
        (0..<size).map { i in
            var d = 0.0
            for n in rowStart[i]..<rowStart[i + 1] where Int(columns[n]) == i { d = values[n] }
            return d
        }
    }

    /// Solves A x = b to ‖b − Ax‖ ≤ tolerance·‖b‖ with a Jacobi preconditioner.
    func solveConjugateGradient(_ b: [Double], tolerance: Double, maximumIterations: Int, what: String) throws(AssimilationError) -> (x: [Double], iterations: Int) {
        let n = size
        let inverseDiagonal = diagonal.map { $0 > 0 ? 1 / $0 : 1 }
        var x = [Double](repeating: 0, count: n)
        var r = b
        let bNorm = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if bNorm == 0 { return (x, 0) }
        var z = zip(r, inverseDiagonal).map { $0 * $1 }
        var p = z
        var rz = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
        for iteration in 1...max(maximumIterations, 1) {
            let ap = multiply(p)
            let alpha = rz / zip(p, ap).reduce(0) { $0 + $1.0 * $1.1 }
            for i in 0..<n {
                x[i] += alpha * p[i]
                r[i] -= alpha * ap[i]
            }
            let rNorm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if rNorm <= tolerance * bNorm { return (x, iteration) }
            for i in 0..<n { z[i] = r[i] * inverseDiagonal[i] }
            let rzNext = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
            let beta = rzNext / rz
            rz = rzNext
            for i in 0..<n { p[i] = z[i] + beta * p[i] }
        }
        let residual = r.reduce(0) { $0 + $1 * $1 }.squareRoot() / bNorm
        throw .notConverged(what: what, iterations: maximumIterations, residual: residual)
    }
}
