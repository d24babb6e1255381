import Foundation
import PlumeGrids
import Synchronization
import PlumeConservation
import PlumeIngest

/// Air-mass fluxes from winds and surface pressure read from files (ERA5-style), balanced
/// the way TM5 does.
///
/// For a step [t, t + Δt]:
/// 1. Surface pressure p_s at t and t + Δt and the layer-mean winds at t + Δt/2, linear in
///    time between the source's records. Each p_s field is shifted by a uniform amount so
///    that the global air mass stays that of the first record (analysed surface pressures
///    do not conserve dry air mass; a transport model must).
/// 2. Horizontal fluxes through every face, kg per step: the mean of the two neighbouring
///    cells' u·Δp_k/g (v·Δp_k/g) times the face length and Δt, with Δp_k the layer
///    thickness at the mid-step surface pressure; nothing through the poles.
/// 3. `MassFluxBalancer`: the smallest potential-flow correction that makes each column's
///    convergence equal its air-mass change (p_s(t + Δt) − p_s(t))·A/g.
/// 4. `VerticalMassFluxes`: the upward fluxes from continuity, layer by layer.
///
/// `Transport3DModel` then advects horizontally and vertically, and the air mass of every
/// cell follows p_s(t + Δt) to round-off.
public struct Transport3DMeteorologyWinds: Transport3DWindProvider {
    public let source: any TransportMeteorologySource
    public let balancer: MassFluxBalancer
    /// Area-weighted mean surface pressure of the first record, Pa (the global air mass kept).
    public let referenceMeanSurfacePressure: Double
    private let cache: RecordCache

    /// The diagnostics of one step's fluxes.
    public struct StepDiagnostics: Sendable {
        public var fluxes: Transport3DStepFluxes
        /// The balancing (imbalance before and after, relative size of the correction).
        public var balance: MassFluxBalancer.Report
        /// Largest |W_0| / column air mass left at the surface by the continuity recursion.
        public var surfaceResidual: Double
        /// Uniform surface-pressure shifts applied at the start and the end of the step, Pa.
        public var surfacePressureShift: (start: Double, end: Double)
    }

    public init(source: any TransportMeteorologySource) throws(TransportError) {
        guard !source.recordTimes.isEmpty else {
            throw .invalidValue(name: "meteorology", reason: "the source has no records")
        }
        self.source = source
        balancer = MassFluxBalancer(grid: source.grid)
        cache = RecordCache()
        let first = try cache.record(0, source: source)
        referenceMeanSurfacePressure = Self.areaMean(first.surfacePressure, grid: source.grid)
    }

    /// Model times covered by the records, s.
    public var timeRange: ClosedRange<Double> {
        let times = source.recordTimes
        return (times.first ?? 0)...(times.last ?? 0)
    }

    public func massFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> HorizontalMassFluxes {
        try diagnostics(geometry: geometry, from: time, duration: duration).fluxes.horizontal
    }

    public func stepFluxes(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> Transport3DStepFluxes {
        try diagnostics(geometry: geometry, from: time, duration: duration).fluxes
    }

    public func airMass(geometry: Transport3DGeometry, at time: Double) throws(TransportError) -> [Double] {
        try checkGeometry(geometry)
        let ps = try surfacePressure(at: time).field
        return try Self.airMass(levels: geometry.levels, surfacePressure: ps, grid: geometry.grid)
    }

    /// Surface pressure at `time` after the global-mass shift, Pa, `[lat, lon]`, and the shift.
    public func surfacePressure(at time: Double) throws(TransportError) -> (field: [Double], shift: Double) {
        let (ps, _, _) = try interpolated(at: time, winds: false)
        let shift = referenceMeanSurfacePressure - Self.areaMean(ps, grid: source.grid)
        return (ps.map { $0 + shift }, shift)
    }

    /// The fluxes of [`time`, `time` + `duration`] with what the balancing did.
    public func diagnostics(geometry: Transport3DGeometry, from time: Double, duration: Double) throws(TransportError) -> StepDiagnostics {
        try checkGeometry(geometry)
        guard duration > 0, duration.isFinite, time.isFinite else {
            throw .invalidValue(name: "wind interval", reason: "start \(time) s, duration \(duration) s")
        }
        let grid = geometry.grid, levels = geometry.levels
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, n = nlat * nlon, L = geometry.levelCount
        let start = try surfacePressure(at: time), end = try surfacePressure(at: time + duration)
        let (_, u, v) = try interpolated(at: time + duration / 2, winds: true)
        let psMid = zip(start.field, end.field).map { ($0 + $1) / 2 }
        let g = PhysicalConstants.standardGravity
        let dp = levels.layerThickness(surfacePressures: psMid)
        // u·Δp/g and v·Δp/g per cell, kg m⁻¹ s⁻¹.
        var uFlux = [Double](repeating: 0, count: L * n), vFlux = uFlux
        for idx in 0..<(L * n) {
            uFlux[idx] = u[idx] * dp[idx] / g
            vFlux[idx] = v[idx] * dp[idx] / g
        }
        var eastward = [Double](repeating: 0, count: L * n)
        var northward = [Double](repeating: 0, count: L * (nlat + 1) * nlon)
        let R = grid.radius
        for k in 0..<L {
            for j in 0..<nlat {
                let length = R * (grid.latitudeEdges[j + 1] - grid.latitudeEdges[j]) * duration
                let row = k * n + j * nlon
                for i in 0..<nlon {
                    let west = i == 0 ? nlon - 1 : i - 1
                    eastward[row + i] = 0.5 * (uFlux[row + west] + uFlux[row + i]) * length
                }
            }
            for f in 1..<nlat {
                let length = R * cos(grid.latitudeEdges[f]) * grid.longitudeStep * duration
                let south = k * n + (f - 1) * nlon, north = south + nlon
                let face = (k * (nlat + 1) + f) * nlon
                for i in 0..<nlon { northward[face + i] = 0.5 * (vFlux[south + i] + vFlux[north + i]) * length }
            }
        }
        let raw = try HorizontalMassFluxes(grid: grid, levelCount: L, eastward: eastward, northward: northward)
        let massStart = try Self.airMass(levels: levels, surfacePressure: start.field, grid: grid)
        let massEnd = try Self.airMass(levels: levels, surfacePressure: end.field, grid: grid)
        var columnChange = [Double](repeating: 0, count: n)
        for k in 0..<L {
            for c in 0..<n { columnChange[c] += massEnd[k * n + c] - massStart[k * n + c] }
        }
        let massMid = zip(massStart, massEnd).map { ($0 + $1) / 2 }
        let (balanced, report) = try balancer.balance(raw, columnMassChange: columnChange, airMass: massMid)
        let (upward, residual) = try VerticalMassFluxes.fromContinuity(horizontal: balanced, airMassStart: massStart, airMassEnd: massEnd)
        return StepDiagnostics(fluxes: Transport3DStepFluxes(horizontal: balanced, upward: upward, airMassAtEnd: massEnd, balance: report),
                               balance: report, surfaceResidual: residual, surfacePressureShift: (start.shift, end.shift))
    }

    private func checkGeometry(_ geometry: Transport3DGeometry) throws(TransportError) {
        guard geometry.grid == source.grid else {
            throw .invalidGrid(reason: "the meteorology is on a \(source.grid.latitudeCount)×\(source.grid.longitudeCount) grid, the model on \(geometry.grid.latitudeCount)×\(geometry.grid.longitudeCount)")
        }
        guard geometry.levels.a == source.levels.a, geometry.levels.b == source.levels.b else {
            throw .invalidValue(name: "levels", reason: "the meteorology's layers (\(source.levels.name), \(source.levels.count)) differ from the model's (\(geometry.levels.name), \(geometry.levelCount))")
        }
    }

    /// Surface pressure (and the winds when `winds`) linear in time between the two records around `time`.
    private func interpolated(at time: Double, winds: Bool) throws(TransportError) -> ([Double], [Double], [Double]) {
        let times = source.recordTimes
        guard let first = times.first, let last = times.last, time >= first - 1e-6, time <= last + 1e-6 else {
            throw .invalidValue(name: "meteorology time",
                                reason: "model time \(time) s (day \(time / 86_400)) lies outside the records, \(times.first ?? 0)…\(times.last ?? 0) s")
        }
        if times.count == 1 {
            let r = try cache.record(0, source: source)
            return (r.surfacePressure, r.eastwardWind, r.northwardWind)
        }
        var i = 0
        while i + 2 < times.count && times[i + 1] <= time { i += 1 }
        let a = try cache.record(i, source: source), b = try cache.record(i + 1, source: source)
        let w = min(max((time - times[i]) / (times[i + 1] - times[i]), 0), 1)
        func mix(_ x: [Double], _ y: [Double]) -> [Double] {
            if w == 0 { return x }
            if w == 1 { return y }
            return zip(x, y).map { $0 + w * ($1 - $0) }
        }
        let ps = mix(a.surfacePressure, b.surfacePressure)
        guard winds else { return (ps, [], []) }
        return (ps, mix(a.eastwardWind, b.eastwardWind), mix(a.northwardWind, b.northwardWind))
    }

    static func areaMean(_ field: [Double], grid: TransportGrid) -> Double {
        let areas = grid.cellAreas()
        var sum = 0.0, total = 0.0
        for c in field.indices {
            sum += field[c] * areas[c]
            total += areas[c]
        }
        return sum / total
    }

    static func airMass(levels: HybridLevels, surfacePressure: [Double], grid: TransportGrid) throws(TransportError) -> [Double] {
        if let bad = surfacePressure.firstIndex(where: { !HybridLevels.plausibleSurfacePressures.contains($0) }) {
            throw .invalidValue(name: "surface pressure",
                                reason: "\(surfacePressure[bad]) Pa at cell \(bad) lies outside \(HybridLevels.plausibleSurfacePressures) Pa")
        }
        do throws(GridError) {
            return try levels.airMass(surfacePressures: surfacePressure, cellAreas: grid.cellAreas())
        } catch {
            throw .invalidValue(name: "levels", reason: "\(error)")
        }
    }
}

/// The records read so far (two are needed at a time; the oldest are dropped).
private final class RecordCache: Sendable {
    private let records = Mutex<[Int: TransportMeteorologyRecord]>([:])

    func record(_ index: Int, source: any TransportMeteorologySource) throws(TransportError) -> TransportMeteorologyRecord {
        if let hit = records.withLock({ $0[index] }) { return hit }
        let record: TransportMeteorologyRecord
        do throws(IngestError) { record = try source.record(at: index) } catch { throw TransportError(error) }
        let n = source.grid.cellCount, values = n * source.levels.count
        guard record.surfacePressure.count == n, record.eastwardWind.count == values, record.northwardWind.count == values else {
            throw .shapeMismatch(name: "meteorology record \(index) (surface pressure, u, v)", expected: n + 2 * values,
                                 actual: record.surfacePressure.count + record.eastwardWind.count + record.northwardWind.count)
        }
        records.withLock { cached in
            if cached.count >= 4, let oldest = cached.keys.min(by: { abs($0 - index) > abs($1 - index) }) {
                cached[oldest] = nil
            }
            cached[index] = record
        }
        return record
    }
}
