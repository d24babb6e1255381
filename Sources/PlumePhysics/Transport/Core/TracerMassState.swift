import PlumeGrids
import PlumeSupport

/// The prognostic state of the transport model: air mass and tracer masses per cell (TM5's
/// `m` and `rm`), float64. The mixing ratio of a tracer is its mass over the air mass,
/// q = rm / m (kg kg⁻¹, or whatever unit the tracer masses carry).
///
/// Layout of every array: `[level, lat, lon]` on a `TransportGrid` (rows south to north).
public struct TracerMassState: Sendable, Equatable {
    public let levelCount: Int
    public let latitudeCount: Int
    public let longitudeCount: Int
    /// Air mass per cell, kg, `[level, lat, lon]`; positive.
    public var airMass: [Double]
    /// Tracer mass per cell for each tracer, `[level, lat, lon]` each (q·m).
    public var tracerMass: [[Double]]

    /// A state from air masses (kg, positive and finite) and mixing ratios (each
    /// `[level, lat, lon]`, finite): tracer mass = q·m.
    public init(grid: TransportGrid, levelCount: Int, airMass: [Double], mixingRatios: [[Double]]) throws(TransportError) {
        guard levelCount >= 1 else { throw .invalidValue(name: "levelCount", reason: "must be at least 1, got \(levelCount)") }
        let n = levelCount * grid.cellCount
        guard airMass.count == n else { throw .shapeMismatch(name: "air mass [level, lat, lon]", expected: n, actual: airMass.count) }
        if let bad = airMass.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw .invalidValue(name: "air mass", reason: "\(airMass[bad]) kg at index \(bad) is not positive and finite")
        }
        var tracers: [[Double]] = []
        for (t, q) in mixingRatios.enumerated() {
            guard q.count == n else { throw .shapeMismatch(name: "mixing ratio of tracer \(t) [level, lat, lon]", expected: n, actual: q.count) }
            if let bad = q.firstIndex(where: { !$0.isFinite }) {
                throw .invalidValue(name: "mixing ratio of tracer \(t)", reason: "\(q[bad]) at index \(bad)")
            }
            tracers.append(zip(q, airMass).map { $0 * $1 })
        }
        self.levelCount = levelCount
        latitudeCount = grid.latitudeCount
        longitudeCount = grid.longitudeCount
        self.airMass = airMass
        tracerMass = tracers
    }

    /// Layers of `massPerArea[k]` kg m⁻² over every cell (air mass = σ_k·area), with the
    /// given mixing ratios.
    public init(grid: TransportGrid, massPerArea: [Double], mixingRatios: [[Double]]) throws(TransportError) {
        let areas = grid.cellAreas()
        var mass: [Double] = []
        mass.reserveCapacity(massPerArea.count * areas.count)
        for s in massPerArea { mass.append(contentsOf: areas.map { $0 * s }) }
        try self.init(grid: grid, levelCount: massPerArea.count, airMass: mass, mixingRatios: mixingRatios)
    }

    /// Mixing ratio of tracer `t`, `[level, lat, lon]` (tracer mass / air mass).
    public func mixingRatio(_ t: Int) -> [Double] {
        zip(tracerMass[t], airMass).map { $0 / $1 }
    }

    /// Total mass of tracer `t` (compensated summation).
    public func totalTracerMass(_ t: Int) -> Double { compensatedSum(tracerMass[t]) }

    /// Total air mass, kg (compensated summation).
    public var totalAirMass: Double { compensatedSum(airMass) }
}
