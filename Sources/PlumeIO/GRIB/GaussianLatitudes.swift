import Foundation
import Synchronization

/// Latitudes of the regular Gaussian grid with Gaussian number `n`: the 2n roots of the
/// Legendre polynomial P₂ₙ(sin φ), in degrees, north to south.
///
/// Newton iteration on the three-term recurrence in float64; converges to round-off.
/// Computed once per `n` in the process (O(n²) work: ~0.1 ms for N = 64, 30 ms for N = 1280).
public func gaussianLatitudes(_ n: Int) -> [Double] {
    guard n > 0 else { return [] }
    if let known = gaussianLatitudeCache.withLock({ $0[n] }) { return known }
    let latitudes = computeGaussianLatitudes(n)
    gaussianLatitudeCache.withLock {
        if $0.count >= 32 { $0.removeAll() }
        $0[n] = latitudes
    }
    return latitudes
}

/// Latitudes by Gaussian number, for the process (a few grids in practice; bounded).
private let gaussianLatitudeCache = Mutex<[Int: [Double]]>([:])

func forgetGaussianLatitudes() {
    gaussianLatitudeCache.withLock { $0.removeAll() }
}

private func computeGaussianLatitudes(_ n: Int) -> [Double] {
    let count = 2 * n
    var latitudes = [Double](repeating: 0, count: count)
    for i in 0..<n {
        // Initial guess (Tricomi): the i-th root from the north.
        var x = cos(Double.pi * (Double(i) + 0.75) / (Double(count) + 0.5))
        for _ in 0..<100 {
            var p0 = 1.0, p1 = x
            for k in 2...max(2, count) where count >= 2 {
                let p2 = (Double(2 * k - 1) * x * p1 - Double(k - 1) * p0) / Double(k)
                p0 = p1
                p1 = p2
            }
            // p1 = P_count(x), p0 = P_count-1(x)
            let derivative = Double(count) * (x * p1 - p0) / (x * x - 1)
            let dx = p1 / derivative
            x -= dx
            if abs(dx) < 1e-16 { break }
        }
        let latitude = asin(x) * 180 / Double.pi
        latitudes[i] = latitude
        latitudes[count - 1 - i] = -latitude
    }
    return latitudes
}
