/// Scores as functions of lead time, and their aggregation over several rollouts.
public enum LeadCurves {
    /// The first lead (days) at which `rSquared` falls below `threshold`: CarbonBench's
    /// decorrelation time. `nil` when it never does within the curve. Non-finite R² counts
    /// as fallen below (a blown-up rollout has decorrelated).
    public static func decorrelationDays(leadDays: [Double], rSquared: [Double], threshold: Double) -> Double? {
        for (lead, r2) in zip(leadDays, rSquared) where !(r2 >= threshold) { return lead }
        return nil
    }

    /// The mean over curves at each lead index, over the curves long enough to reach it
    /// (rollouts of different lengths share their leading part). Non-finite values are kept
    /// (they make the mean non-finite: a failed rollout is not hidden).
    public static func mean(_ curves: [[Double]]) -> [Double] {
        combine(curves) { $0.reduce(0, +) / Double($0.count) }
    }

    /// √(mean of squares) over curves at each lead index (e.g. the RMSE of global mass errors).
    public static func rootMeanSquare(_ curves: [[Double]]) -> [Double] {
        combine(curves) { ($0.reduce(0) { $0 + $1 * $1 } / Double($0.count)).squareRoot() }
    }

    /// How many curves reach each lead index.
    public static func counts(_ curves: [[Double]]) -> [Int] {
        let n = curves.map(\.count).max() ?? 0
        return (0..<n).map { i in curves.filter { $0.count > i }.count }
    }

    private static func combine(_ curves: [[Double]], _ f: ([Double]) -> Double) -> [Double] {
        let n = curves.map(\.count).max() ?? 0
        return (0..<n).map { i in f(curves.compactMap { $0.count > i ? $0[i] : nil }) }
    }

    /// The index of `lead` (days) in `leadDays`, within `tolerance` days; `nil` if absent.
    public static func index(of lead: Double, in leadDays: [Double], tolerance: Double = 1e-6) -> Int? {
        leadDays.firstIndex { abs($0 - lead) <= tolerance }
    }
}
