import Foundation

/// Geostrophic wind increments from a height (or geopotential) increment:
/// u′ = −(g/f) ∂h′/∂y, v′ = (g/f) ∂h′/∂x with f = 2Ω sin φ, centred differences on the
/// grid. Within `equatorialTaperDegrees` of the equator g/f is replaced by
/// g sin φ / (2Ω sin²φ₀), which goes to zero at the equator, where geostrophy does not hold.
public struct GeostrophicBalance: Sendable, Equatable {
    /// The variable whose increment is balanced: `h` (m, with g) or `z` (m²/s², g = 1).
    public var heightVariable: String
    /// g for a height in metres, 1 for a geopotential.
    public var gravity: Double
    public var equatorialTaperDegrees: Double
    public static let omega = 7.292e-5

    public init(heightVariable: String = "h", gravity: Double = 9.80665, equatorialTaperDegrees: Double = 15) {
        self.heightVariable = heightVariable
        self.gravity = gravity
        self.equatorialTaperDegrees = equatorialTaperDegrees
    }

    /// Adds the balanced increments of `heightIncrement` ([level, lat, lon]) to the state's `u` and `v`.
    public func addWindIncrements(heightIncrement: [Double], to state: inout GriddedState) {
        guard var u = state.fields["u"], var v = state.fields["v"] else { return }
        let nLat = state.grid.latitudeCount, nLon = state.grid.longitudeCount, layer = nLat * nLon
        guard nLat > 2, nLon > 2 else { return }
        let radius = GreatCircle.earthRadiusM
        let sinTaper = sin(equatorialTaperDegrees * .pi / 180)
        let dLambda = state.grid.longitudeStep * .pi / 180
        for k in 0..<state.levelCount {
            for i in 0..<nLat {
                let phi = state.latitude(i) * .pi / 180
                let s = sin(phi)
                let gOverF = abs(s) < sinTaper ? gravity * s / (2 * Self.omega * sinTaper * sinTaper) : gravity / (2 * Self.omega * s)
                let iS = max(i - 1, 0), iN = min(i + 1, nLat - 1)
                let dPhi = (state.latitude(iN) - state.latitude(iS)) * .pi / 180
                for j in 0..<nLon {
                    let at = { (ii: Int, jj: Int) in heightIncrement[k * layer + ii * nLon + (jj + nLon) % nLon] }
                    let dhdy = (at(iN, j) - at(iS, j)) / (dPhi * radius)
                    let dhdx = (at(i, j + 1) - at(i, j - 1)) / (2 * dLambda * radius * max(cos(phi), 1e-6))
                    u[k * layer + i * nLon + j] -= gOverF * dhdy
                    v[k * layer + i * nLon + j] += gOverF * dhdx
                }
            }
        }
        state.fields["u"] = u
        state.fields["v"] = v
    }
}
