/// Where an observation falls in a sequence of model states: the grid points and weights
/// whose combination is the model's equivalent of the observation (the linear observation
/// operator H for that observation), or the flag that says why it has none.
public struct ObservationLocation: Sendable, Equatable {
    /// Indices into a `[level, lat, lon]` field.
    public var points: [Int]
    /// Weights of `points`, summing to 1.
    public var weights: [Double]
    /// The earlier and later state (indices into the state sequence) and the weight of the later one.
    public var earlierState: Int
    public var laterState: Int
    public var laterWeight: Double
    /// The observation's position as a fractional level index (0 = the state's first level),
    /// for vertical correlations and localisation.
    public var level: Double
    /// The unit vector of the observation's horizontal position.
    public var position: SIMD3<Double>

    /// The model's equivalent of the observation in `fields[state][point]`.
    public func equivalent(_ earlier: [Double], _ later: [Double]) -> Double {
        var a = 0.0, b = 0.0
        for (point, weight) in zip(points, weights) {
            a += weight * earlier[point]
            b += weight * later[point]
        }
        return laterWeight == 0 ? a : (1 - laterWeight) * a + laterWeight * b
    }

    /// The equivalent in a single field (no time interpolation).
    public func equivalent(_ field: [Double]) -> Double {
        var a = 0.0
        for (point, weight) in zip(points, weights) { a += weight * field[point] }
        return a
    }
}
