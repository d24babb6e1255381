import Foundation

/// Gauss–Legendre nodes and weights on [−1, 1]: the sines of Gaussian latitudes.
public enum GaussianQuadrature {
    /// The `count` roots of P_count (descending, north first) and their weights (summing to 2).
    /// Newton iteration on the three-term recurrence in float64.
    public static func nodesAndWeights(_ count: Int) -> (nodes: [Double], weights: [Double]) {
        guard count > 0 else { return ([], []) }
        var nodes = [Double](repeating: 0, count: count)
        var weights = [Double](repeating: 0, count: count)
        for i in 0..<(count + 1) / 2 {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(count) + 0.5))
            var derivative = 1.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                if count == 1 { p0 = 1; p1 = x } else {
                    for k in 2...count {
                        let p2 = (Double(2 * k - 1) * x * p1 - Double(k - 1) * p0) / Double(k)
                        p0 = p1
                        p1 = p2
                    }
                }
                if count == 1 { p0 = 1; p1 = x }
                derivative = Double(count) * (x * p1 - p0) / (x * x - 1)
                let dx = p1 / derivative
                x -= dx
                if abs(dx) < 1e-16 { break }
            }
            let w = 2 / ((1 - x * x) * derivative * derivative)
            nodes[i] = x
            nodes[count - 1 - i] = -x
            weights[i] = w
            weights[count - 1 - i] = w
        }
        if count % 2 == 1 { nodes[count / 2] = 0 }
        return (nodes, weights)
    }
}
