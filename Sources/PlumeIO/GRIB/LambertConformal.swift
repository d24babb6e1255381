import Foundation

/// A Lambert conformal conic grid on a spherical earth (GRIB 2 grid template 3.30,
/// GRIB 1 data representation type 3), as the keys of the message give it.
///
/// Only spherical earths are described here: for an oblate earth `GRIBFile` leaves
/// `GRIBGridDefinition.lambert` nil and the geometry comes from ecCodes' geo-iterator.
public struct GRIBLambertConformal: Sendable, Hashable {
    /// Points along x and y (`Nx`, `Ny`).
    public var nx: Int
    public var ny: Int
    /// First grid point in degrees (`latitudeOfFirstGridPointInDegrees`, `longitudeOfFirstGridPointInDegrees`).
    public var latitudeOfFirstPoint: Double
    public var longitudeOfFirstPoint: Double
    /// Latitude where `Dx` and `Dy` are specified (`LaDInDegrees`; GRIB 1 has none and ecCodes uses `Latin1`).
    public var latitudeOfTrueScale: Double
    /// Meridian parallel to the y axis (`LoVInDegrees`).
    public var orientation: Double
    /// Standard parallels where the cone cuts the sphere (`Latin1InDegrees`, `Latin2InDegrees`).
    public var latin1: Double
    public var latin2: Double
    /// Grid lengths in metres (`DxInMetres`, `DyInMetres`).
    public var dx: Double
    public var dy: Double
    /// Radius of the spherical earth in metres (from `shapeOfTheEarth`).
    public var earthRadius: Double

    /// Radius of the spherical earth of GRIB 2 code table 3.2 entry `shape`; nil for oblate
    /// or unknown shapes. Shape 1 takes the radius from the message (`scaledValue / 10^scaleFactor`).
    static func sphericalRadius(shapeOfTheEarth shape: Int, scaleFactor: Int?, scaledValue: Int?) -> Double? {
        switch shape {
        case 0: return 6_367_470
        case 6: return 6_371_229
        case 8: return 6_371_200
        case 1:
            guard let scaledValue, let scaleFactor, scaledValue > 0, (-20...20).contains(scaleFactor) else { return nil }
            return Double(scaledValue) / pow(10, Double(scaleFactor))
        default: return nil
        }
    }

    /// Latitude and longitude in degrees of every point, rows of `nx` points from the first
    /// point eastward (+x), rows from the first point northward (+y): ecCodes' convention
    /// (GRIB-405: the first grid point is taken as the south-west corner whatever the
    /// scanning mode; the values are reordered to match). Longitudes are in [0, 360] as
    /// ecCodes gives them.
    ///
    /// The projection is Snyder's (Map Projections: A Working Manual, USGS PP 1395,
    /// eqs. 15-1 to 15-5 forward for the first point, 15-8 to 15-11 and 14-4 inverse for
    /// the grid), evaluated row by row by `LambertRowWalk`; agrees with libm evaluation of
    /// the same formulas to ~1e-13°.
    ///
    /// In the southern hemisphere (n < 0) this is the standard inverse, as in ecCodes ≥ 2.35
    /// (ECC-1364); ecCodes 2.28 computes other (wrong) coordinates there.
    func coordinates() throws(GRIBGeometry.GeometryError) -> (lat: [Double], lon: [Double]) {
        let degrees = Double.pi / 180
        for (name, value) in [("latitudeOfFirstGridPoint", latitudeOfFirstPoint), ("LaD", latitudeOfTrueScale),
                              ("Latin1", latin1), ("Latin2", latin2)] where !(abs(value) <= 90) {
            throw .inconsistent("Lambert \(name) = \(value)° (expected a latitude within ±90°)")
        }
        guard longitudeOfFirstPoint.isFinite, orientation.isFinite else {
            throw .inconsistent("Lambert first longitude \(longitudeOfFirstPoint)° or LoV \(orientation)° is not finite")
        }
        guard dx > 0, dy > 0, dx.isFinite, dy.isFinite else {
            throw .inconsistent("Lambert Dx = \(dx) m, Dy = \(dy) m (expected positive grid lengths)")
        }
        guard earthRadius > 0, earthRadius.isFinite else {
            throw .inconsistent("earth radius \(earthRadius) m (expected a positive radius)")
        }
        guard abs(latin1 + latin2) >= 1e-10 else {
            throw .inconsistent("Lambert standard parallels \(latin1)° and \(latin2)° are on opposite sides of the equator at equal distance")
        }
        let phi1 = latin1 * degrees, phi2 = latin2 * degrees
        /// tan(π/4 + φ/2), Snyder's t⁻¹ on the sphere.
        func tq(_ phi: Double) -> Double { tan(.pi / 4 + phi / 2) }
        // Cone constant n (15-3; 15-1 for a tangent cone) and F (15-2).
        let n = abs(phi1 - phi2) < 1e-9 ? sin(phi1) : log(cos(phi1) / cos(phi2)) / log(tq(phi2) / tq(phi1))
        let bigF = cos(phi1) * pow(tq(phi1), n) / n
        let rF = earthRadius * bigF
        let rho0 = rF * pow(tq(latitudeOfTrueScale * degrees), -n)
        let rho1 = rF * pow(tq(latitudeOfFirstPoint * degrees), -n)
        guard n.isFinite, n != 0, rF.isFinite, rF != 0, rho0.isFinite, rho1.isFinite else {
            throw .inconsistent("Lambert projection undefined for Latin1 \(latin1)°, Latin2 \(latin2)°, LaD \(latitudeOfTrueScale)°")
        }
        // The first point projected (15-4, 15-5), its longitude taken within ±180° of LoV.
        var dLon = (longitudeOfFirstPoint - orientation) * degrees
        if dLon > .pi { dLon -= 2 * .pi }
        if dLon < -.pi { dLon += 2 * .pi }
        let x0 = rho1 * sin(n * dLon)
        let y0 = rho0 - rho1 * cos(n * dLon)

        // ρ² stays far from overflow for any grid on the earth (extent ≲ 4e7 m).
        let extent = max(abs(x0) + Double(nx) * dx, abs(y0) + Double(ny) * dy, abs(rho0))
        guard extent < 1e12 else {
            throw .inconsistent("Lambert grid of \(nx) × \(ny) points of \(dx) × \(dy) m extends \(extent) m from the cone apex")
        }
        let count = nx * ny
        let walk = LambertRowWalk(n: n, absRF: abs(rF), dx: dx)
        let lanes = LambertRowWalk.V.scalarCount
        // Every point of every row is written below: no need to zero the arrays first.
        var lon = [Double](unsafeUninitializedCapacity: count) { _, lonCount in
            lonCount = count
        }
        var lat = [Double](unsafeUninitializedCapacity: count) { latOut, latCount in
            lon.withUnsafeMutableBufferPointer { lonOut in
                guard let latBase = latOut.baseAddress, let lonBase = lonOut.baseAddress else { return }
                // Rows in groups of four (vector lanes); the last group repeats its last row.
                for j0 in stride(from: 0, to: ny, by: lanes) {
                    var t = LambertRowWalk.V(repeating: 0)
                    for k in 0..<lanes { t[k] = rho0 - (y0 + Double(min(j0 + k, ny - 1)) * dy) }
                    walk.rows(t: t, x0: x0, count: nx, rows: min(lanes, ny - j0),
                              lat: latBase + j0 * nx, lon: lonBase + j0 * nx, stride: nx)
                }
            }
            latCount = count
        }
        // Radians to degrees, longitudes from LoV, then ecCodes' normalisation into [0, 360].
        let toDegrees = 180 / Double.pi
        for k in 0..<count {
            lat[k] *= toDegrees
            var l = orientation + lon[k] * toDegrees
            while l < 0 { l += 360 }
            while l > 360 { l -= 360 }
            lon[k] = l
        }
        return (lat, lon)
    }

    /// Where each stored value goes in the order of `coordinates()` (+x then +y), undoing
    /// the scanning mode as ecCodes' geo-iterator does; nil when the message is in that order.
    static func dataOrder(nx: Int, ny: Int, iScansNegatively: Bool, jScansPositively: Bool,
                          jPointsAreConsecutive: Bool, alternativeRowScanning: Bool) -> [Int]? {
        if !iScansNegatively && jScansPositively && !jPointsAreConsecutive && !alternativeRowScanning { return nil }
        var map = [Int](repeating: 0, count: nx * ny)
        for row in 0..<ny {
            // Stored row and column of the point at (column, row) of the output.
            let j = jScansPositively ? row : ny - 1 - row
            for column in 0..<nx {
                var i = alternativeRowScanning && j % 2 == 1 ? nx - 1 - column : column
                if iScansNegatively { i = nx - 1 - i }
                let stored = jPointsAreConsecutive ? j + i * ny : i + j * nx
                map[stored] = row * nx + column
            }
        }
        return map
    }
}

/// Snyder's spherical inverse (15-8 to 15-11, 14-4) along one row of a Lambert grid,
/// points `x0 + i·dx` at fixed `t = ρ0 − y`:
///   θ = atan2(s·x, s·t) (s = sign n), λ − λ0 = θ/n,
///   φ = 2·atan(E) − π/2 with E = (|R·F|/|ρ|)^(1/n), ρ² = x² + t².
///
/// libm's atan2, pow and atan cost ~60 ns per point (as much as ecCodes' geo-iterator), so
/// every `anchorSpacing`-th point is computed so, and the points between by exact
/// increments whose arguments are small, evaluated with short series:
///   θ' − θ = atan(dx·t / (t² + x·x'))                          (angle difference),
///   log E' − log E = −log1p(δ)/(2n), δ = dx·(x + x')/ρ²       (ρ'² = ρ²·(1 + δ)),
///   φ' − φ = 2·atan(E·m / (1 + E·E')), m = E'/E − 1           (difference of atans).
/// A step whose argument is not small (near the cone apex, very coarse grids, n near 0)
/// is computed directly instead (all four lanes). Drift over an anchor spacing stays
/// ~1e-15 rad. Four rows run in the lanes of one vector: twice as fast as one row at a time.
struct LambertRowWalk {
    typealias V = SIMD4<Double>
    /// Cone constant n and |R·F| in metres.
    var n: Double
    var absRF: Double
    var dx: Double
    /// Points computed directly: the first of a row and every `anchorSpacing`-th after it.
    static let anchorSpacing = 32
    /// Largest argument accepted by the series (`atanSmall`, `log1pSmall`, `expm1Small`).
    static let seriesLimit = 0.06

    /// Fills `rows` (≤ 4) consecutive rows of `count` points, one per lane of `t` (ρ0 − y
    /// of each row): `lat` (φ, radians) and `lon` (θ/n, radians from LoV), row k at
    /// offset `k·stride`.
    func rows(t: V, x0: Double, count: Int, rows: Int, lat: UnsafeMutablePointer<Double>, lon: UnsafeMutablePointer<Double>, stride: Int) {
        let s: Double = n < 0 ? -1 : 1
        let inverseN = 1 / n
        let halfInverseN = V(repeating: -0.5 / n)
        let t2 = t * t
        let vdx = V(repeating: dx), one = V(repeating: 1), two = V(repeating: 2)
        let limit = V(repeating: Self.seriesLimit), negLimit = V(repeating: -Self.seriesLimit), zero = V(repeating: 0)
        var theta = V(repeating: 0), phi = V(repeating: 0), e = V(repeating: 0), rho2 = V(repeating: 0)
        for i in 0..<count {
            let xs = x0 + Double(i) * dx
            let x = V(repeating: xs)
            var exact = i % Self.anchorSpacing == 0
            if !exact {
                let xPrevious = x - vdx
                let denominator = t2 + xPrevious * x
                let epsilon = vdx * t / denominator
                let rho2Next = x * x + t2
                let delta = vdx * (xPrevious + x) / rho2
                let dw = Self.log1pSmall(delta) * halfInverseN
                let m = Self.expm1Small(dw)
                let eNext = e + e * m
                let a = e * m / (one + e * eNext)
                let bad = (denominator .<= zero) .| (epsilon .> limit) .| (epsilon .< negLimit) .| (delta .> limit) .| (delta .< negLimit)
                    .| (dw .> limit) .| (dw .< negLimit) .| (a .> limit) .| (a .< negLimit)
                if any(bad) {
                    exact = true
                } else {
                    theta = theta + Self.atanSmall(epsilon)
                    phi = phi + two * Self.atanSmall(a)
                    e = eNext
                    rho2 = rho2Next
                }
            }
            if exact {
                for k in 0..<V.scalarCount {
                    theta[k] = atan2(s * xs, s * t[k])
                    rho2[k] = xs * xs + t2[k]
                    e[k] = pow(absRF / rho2[k].squareRoot(), inverseN)
                    phi[k] = 2 * atan(e[k]) - Double.pi / 2
                }
            }
            let lambda = theta * V(repeating: inverseN)
            for k in 0..<rows {
                lat[k * stride + i] = phi[k]
                lon[k * stride + i] = lambda[k]
            }
        }
    }

    /// atan(z) for |z| ≤ 0.06: z − z³/3 + … − z¹⁵/15 (error < z¹⁷/17 ≈ 1e-22).
    @inline(__always)
    static func atanSmall(_ z: V) -> V {
        let q = z * z
        var p = q * V(repeating: -1.0 / 15) + V(repeating: 1.0 / 13)
        p = p * q - V(repeating: 1.0 / 11)
        p = p * q + V(repeating: 1.0 / 9)
        p = p * q - V(repeating: 1.0 / 7)
        p = p * q + V(repeating: 1.0 / 5)
        p = p * q - V(repeating: 1.0 / 3)
        return z + z * q * p
    }
    /// log(1 + d) for |d| ≤ 0.06: d − d²/2 + … − d¹²/12 (error < d¹³/13 ≈ 1e-17).
    @inline(__always)
    static func log1pSmall(_ d: V) -> V {
        var p = d * V(repeating: -1.0 / 12) + V(repeating: 1.0 / 11)
        p = p * d - V(repeating: 1.0 / 10)
        p = p * d + V(repeating: 1.0 / 9)
        p = p * d - V(repeating: 1.0 / 8)
        p = p * d + V(repeating: 1.0 / 7)
        p = p * d - V(repeating: 1.0 / 6)
        p = p * d + V(repeating: 1.0 / 5)
        p = p * d - V(repeating: 1.0 / 4)
        p = p * d + V(repeating: 1.0 / 3)
        p = p * d - V(repeating: 0.5)
        return d + d * d * p
    }
    /// e^w − 1 for |w| ≤ 0.06: w + w²/2 + … + w¹⁰/10! (error < w¹¹/11! ≈ 1e-21).
    @inline(__always)
    static func expm1Small(_ w: V) -> V {
        var p = w * V(repeating: 1.0 / 3_628_800) + V(repeating: 1.0 / 362_880)
        p = p * w + V(repeating: 1.0 / 40_320)
        p = p * w + V(repeating: 1.0 / 5_040)
        p = p * w + V(repeating: 1.0 / 720)
        p = p * w + V(repeating: 1.0 / 120)
        p = p * w + V(repeating: 1.0 / 24)
        p = p * w + V(repeating: 1.0 / 6)
        p = p * w + V(repeating: 0.5)
        return w + w * w * p
    }
}
