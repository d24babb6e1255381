import Foundation

/// Learning rate by optimiser step: linear warm-up from `peak / warmupSteps` to `peak`
/// over `warmupSteps` steps, then cosine decay to `minimum` at `totalSteps` (and
/// `minimum` after). With `warmupSteps == 0` it is pure cosine decay; with
/// `totalSteps == warmupSteps` it stays at `peak` after warm-up.
public struct WarmupCosineSchedule: Sendable, Equatable, Codable {
    public var peak: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minimum: Double

    public init(peak: Double, warmupSteps: Int = 0, totalSteps: Int, minimum: Double = 0) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(totalSteps, self.warmupSteps)
        self.minimum = minimum
    }

    /// The rate of 0-based step `step`.
    public func learningRate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let decaySteps = totalSteps - warmupSteps
        guard decaySteps > 0 else { return peak }
        let progress = min(1, Double(step - warmupSteps) / Double(decaySteps))
        return minimum + (peak - minimum) * 0.5 * (1 + cos(Double.pi * progress))
    }
}
