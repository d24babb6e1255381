import Foundation
import PlumeConservation
import PlumeGrids

/// A simple convective mixing term: in columns where convection is active, a fraction α of
/// the air of the sub-cloud layers (the lowest layers, whose mid pressures lie within
/// `subcloudDepth` of the surface) is exchanged with the same air mass taken evenly from the
/// cloud layers above them (up to the highest layer whose mid pressure is at least
/// `cloudTopPressure`). With q̄_b and q̄_u the mass-weighted mean mixing ratios of the two
/// blocks (masses M_b, M_u) and γ = α·M_b/M_u:
///
///     sub-cloud layer k:  rm_k ← (1 − α)·rm_k + α·m_k·q̄_u
///     cloud layer k:      rm_k ← (1 − γ)·rm_k + γ·m_k·q̄_b
///
/// i.e. each layer relaxes toward the other block's mean; the lower block's anomaly
/// α·M_b·(q̄_b − q̄_u) is carried upward. Both blocks change by ∓α·M_b·(q̄_b − q̄_u), so the
/// column's tracer mass is conserved (to round-off); every new value is a convex combination
/// of non-negative values (α, γ ≤ 1), so nothing goes negative; a uniform q is unchanged.
/// α = (1 − e^{−Δt/τ})·strength, τ = `exchangeTime`, strength ∈ [0, 1] the column's
/// convection mask, capped so γ ≤ 1.
///
/// The built-in mask (`mask(…)`): tropical land (|φ| < 25°) in the local afternoon (12–20 h),
/// the ITCZ over the ocean (within 8° of 5° + 5°·cos(2π(t − 15 Aug)/year), all day), and, at
/// half strength, summer-hemisphere mid-latitude land (30°–60°) in the afternoon
/// (NH: May–September, SH: November–March).
public struct ColumnConvection: Sendable {
    /// e-folding time of the exchange in a fully active column, s.
    public var exchangeTime: Double
    public let geometry: Transport3DGeometry
    /// Sub-cloud layers per cell: layers 0..<count, `[lat, lon]`.
    public let subcloudLayerCount: [Int]
    /// Cloud layers per cell: layers subcloud..<top, `[lat, lon]` (top > subcloud where convection can act).
    public let cloudTopLayer: [Int]

    public init(geometry: Transport3DGeometry, exchangeTime: Double = 3 * 3600, subcloudDepth: Double = 10_000,
                cloudTopPressure: Double = 25_000) throws(TransportError) {
        guard exchangeTime > 0, exchangeTime.isFinite else {
            throw .invalidValue(name: "convective exchange time", reason: "\(exchangeTime) s must be positive")
        }
        guard subcloudDepth > 0, cloudTopPressure > 0 else {
            throw .invalidValue(name: "convection depths", reason: "sub-cloud depth and cloud-top pressure must be positive")
        }
        self.exchangeTime = exchangeTime
        self.geometry = geometry
        var sub = [Int](repeating: 1, count: geometry.cellCount), top = sub
        for c in 0..<geometry.cellCount {
            let ps = geometry.surfacePressure[c]
            let mid = geometry.levels.layerMidPressures(surfacePressure: ps)
            var nb = 1
            while nb < mid.count, mid[nb] >= ps - subcloudDepth { nb += 1 }
            var kt = nb
            while kt < mid.count, mid[kt] >= cloudTopPressure { kt += 1 }
            sub[c] = nb
            top[c] = kt
        }
        subcloudLayerCount = sub
        cloudTopLayer = top
    }

    /// The built-in convection mask at model time `time` (s): strength in [0, 1] per cell, `[lat, lon]`.
    public static func mask(grid: TransportGrid, landFraction: [Double], time: Double) -> [Double] {
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let year = SyntheticSurfaceFluxes.year
        var dayOfYear = (time / PhysicalConstants.day).truncatingRemainder(dividingBy: 365)
        if dayOfYear < 0 { dayOfYear += 365 }
        let itcz = 5 + 5 * cos(2 * .pi * (time - 226 * PhysicalConstants.day) / year)
        let northernSummer = dayOfYear >= 120 && dayOfYear < 273
        let southernSummer = dayOfYear >= 304 || dayOfYear < 90
        var out = [Double](repeating: 0, count: grid.cellCount)
        for i in 0..<nlon {
            let hour = VerticalBoundaryLayer.localSolarHour(longitude: grid.centreLongitude(column: i), time: time)
            let afternoon = hour >= 12 && hour < 20
            for j in 0..<nlat {
                let lat = grid.centreLatitude(row: j) * 180 / .pi
                let f = landFraction[j * nlon + i]
                var land = 0.0
                if afternoon {
                    if abs(lat) < 25 {
                        land = 1
                    } else if (lat >= 30 && lat < 60 && northernSummer) || (lat <= -30 && lat > -60 && southernSummer) {
                        land = 0.5
                    }
                }
                let sea = abs(lat - itcz) < 8 ? 1.0 : 0
                out[j * nlon + i] = f * land + (1 - f) * sea
            }
        }
        return out
    }

    /// Mixes every tracer of `state` for `duration` seconds in the columns where `strength`
    /// (`[lat, lon]`, 0…1) is positive. The air mass is unchanged.
    public func apply(to state: inout TracerMassState, strength: [Double], duration: Double) throws(TransportError) {
        let n = geometry.cellCount, levels = geometry.levelCount
        guard state.levelCount == levels, state.latitudeCount * state.longitudeCount == n else {
            throw .shapeMismatch(name: "state [level, lat, lon]", expected: levels * n,
                                 actual: state.levelCount * state.latitudeCount * state.longitudeCount)
        }
        guard strength.count == n else { throw .shapeMismatch(name: "convection mask [lat, lon]", expected: n, actual: strength.count) }
        guard duration >= 0, duration.isFinite else { throw .invalidValue(name: "duration", reason: "\(duration) s") }
        let base = -expm1(-duration / exchangeTime)
        let air = state.airMass
        // Active columns: (cell, α, γ, M_b, M_u).
        var active: [(cell: Int, alpha: Double, gamma: Double, below: Double, above: Double)] = []
        for c in 0..<n where strength[c] > 0 {
            let nb = subcloudLayerCount[c], kt = cloudTopLayer[c]
            guard kt > nb else { continue }
            var massBelow = 0.0, massAbove = 0.0
            for k in 0..<nb { massBelow += air[k * n + c] }
            for k in nb..<kt { massAbove += air[k * n + c] }
            let alpha = min(base * min(strength[c], 1), massAbove / massBelow)
            active.append((c, alpha, min(1, alpha * massBelow / massAbove), massBelow, massAbove))
        }
        guard !active.isEmpty else { return }
        for t in 0..<state.tracerMass.count {
            state.tracerMass[t].withUnsafeMutableBufferPointer { rm in
                for column in active {
                    let c = column.cell, nb = subcloudLayerCount[c], kt = cloudTopLayer[c]
                    let alpha = column.alpha, gamma = column.gamma
                    var below = 0.0, above = 0.0
                    for k in 0..<nb { below += rm[k * n + c] }
                    for k in nb..<kt { above += rm[k * n + c] }
                    let qBelow = below / column.below, qAbove = above / column.above
                    for k in 0..<nb { rm[k * n + c] = (1 - alpha) * rm[k * n + c] + alpha * air[k * n + c] * qAbove }
                    for k in nb..<kt { rm[k * n + c] = (1 - gamma) * rm[k * n + c] + gamma * air[k * n + c] * qBelow }
                }
            }
        }
    }
}
