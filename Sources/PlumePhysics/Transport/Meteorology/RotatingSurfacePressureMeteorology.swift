import Foundation
import PlumeGrids
import PlumeIngest

/// An analytic meteorology for tests and benchmarks of the file-wind path: solid-body rotation about an axis tilted by `tilt` from the
/// pole, surface pressure a Gaussian bump carried by the same rotation. In the continuum
/// the column continuity equation holds exactly (∂p_s/∂t + v·∇p_s = 0 with ∇·v = 0), so the
/// TM5 balancing only removes discretisation error. `shear` > 0 makes the speed grow with
/// height (then continuity holds only after balancing, and the vertical fluxes are large).
public struct RotatingSurfacePressureMeteorology: TransportMeteorologySource {
    public let grid: TransportGrid
    public let levels: HybridLevels
    /// Every `interval` hours from 0, s.
    public let recordTimes: [Double]
    public var startYear: Int { 2001 }
    /// Equatorial speed of the rotation at the surface, m s⁻¹.
    public var speed = 20.0
    /// Tilt of the rotation axis from the pole, radians.
    public var tilt = Double.pi / 4
    /// The speed grows as 1 + `shear`·(1 − p_mid/p₀) with height.
    public var shear = 0.0
    /// Bump amplitude (Pa), e-folding chord (unit sphere), centre longitude and latitude (radians).
    public var bumpAmplitude = 1_500.0, bumpWidth = 0.35, bumpLongitude = 1.0, bumpLatitude = 0.3

    /// Records every `interval` hours for `hours` hours.
    public init(grid: TransportGrid, levels: HybridLevels, hours: Int, interval: Int = 6) {
        self.grid = grid
        self.levels = levels
        recordTimes = stride(from: 0, through: hours, by: interval).map { Double($0) * 3600 }
    }

    var axis: (Double, Double, Double) { (-sin(tilt), 0, cos(tilt)) }
    var angularSpeed: Double { speed / grid.radius }

    static func cartesian(_ lambda: Double, _ phi: Double) -> (Double, Double, Double) {
        (cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi))
    }

    /// x rotated by `angle` about the unit axis (Rodrigues).
    func rotate(_ x: (Double, Double, Double), by angle: Double) -> (Double, Double, Double) {
        let k = axis, c = cos(angle), s = sin(angle)
        let cross = (k.1 * x.2 - k.2 * x.1, k.2 * x.0 - k.0 * x.2, k.0 * x.1 - k.1 * x.0)
        let dot = k.0 * x.0 + k.1 * x.1 + k.2 * x.2
        return (x.0 * c + cross.0 * s + k.0 * dot * (1 - c),
                x.1 * c + cross.1 * s + k.1 * dot * (1 - c),
                x.2 * c + cross.2 * s + k.2 * dot * (1 - c))
    }

    /// Surface pressure at (λ, φ) (radians) and model time `time` (s), Pa.
    public func surfacePressure(_ lambda: Double, _ phi: Double, time: Double) -> Double {
        let back = rotate(Self.cartesian(lambda, phi), by: -angularSpeed * time)
        let centre = Self.cartesian(bumpLongitude, bumpLatitude)
        let d2 = pow(back.0 - centre.0, 2) + pow(back.1 - centre.1, 2) + pow(back.2 - centre.2, 2)
        return 98_000 + bumpAmplitude * exp(-d2 / (bumpWidth * bumpWidth))
    }

    public func record(at index: Int) throws(IngestError) -> TransportMeteorologyRecord {
        guard recordTimes.indices.contains(index) else {
            throw .invalidValue(name: "record index", reason: "\(index) outside 0..<\(recordTimes.count)")
        }
        let t = recordTimes[index]
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount, n = nlat * nlon
        var ps = [Double](repeating: 0, count: n), u = [Double](repeating: 0, count: levels.count * n), v = u
        let mid = levels.layerMidPressures(surfacePressure: 101_325)
        let k = axis, omega = angularSpeed * grid.radius
        for j in 0..<nlat {
            let phi = grid.centreLatitude(row: j)
            for i in 0..<nlon {
                let lambda = grid.centreLongitude(column: i)
                let c = j * nlon + i
                ps[c] = surfacePressure(lambda, phi, time: t)
                let x = Self.cartesian(lambda, phi)
                let velocity = (k.1 * x.2 - k.2 * x.1, k.2 * x.0 - k.0 * x.2, k.0 * x.1 - k.1 * x.0)
                let east = -sin(lambda) * velocity.0 + cos(lambda) * velocity.1
                let north = -sin(phi) * cos(lambda) * velocity.0 - sin(phi) * sin(lambda) * velocity.1 + cos(phi) * velocity.2
                for l in 0..<levels.count {
                    let factor = 1 + shear * (1 - mid[l] / 101_325)
                    u[l * n + c] = omega * east * factor
                    v[l * n + c] = omega * north * factor
                }
            }
        }
        return TransportMeteorologyRecord(time: t, surfacePressure: ps, eastwardWind: u, northwardWind: v)
    }
}
