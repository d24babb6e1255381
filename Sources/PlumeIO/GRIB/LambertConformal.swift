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
    /// the grid). The inverse is evaluated in four-point vectors with our own elementary
    /// functions (see `LambertMath`), accurate to ~1e-13 rad: scalar libm calls cost
    /// ~60 ns per point, as much as ecCodes' geo-iterator.
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

        let count = nx * ny
        var lat = [Double](repeating: 0, count: count)
        var lon = [Double](repeating: 0, count: count)
        let inverse = LambertMath.Inverse(n: n, logAbsRF: log(abs(rF)), orientationDegrees: orientation)
        lat.withUnsafeMutableBufferPointer { latOut in
            lon.withUnsafeMutableBufferPointer { lonOut in
                guard let latBase = latOut.baseAddress, let lonBase = lonOut.baseAddress else { return }
                let step = LambertMath.V(0, 1, 2, 3) * dx
                for j in 0..<ny {
                    // ρ0 − y of this row, and x of the first point.
                    let t = rho0 - (y0 + Double(j) * dy)
                    var i = 0
                    while i < nx {
                        let x = LambertMath.V(repeating: x0 + Double(i) * dx) + step
                        let (phi, lambda) = inverse.latLon(x: x, t: LambertMath.V(repeating: t))
                        let offset = j * nx + i
                        let lanes = min(4, nx - i)
                        for k in 0..<lanes {
                            latBase[offset + k] = phi[k]
                            lonBase[offset + k] = lambda[k]
                        }
                        i += 4
                    }
                }
            }
        }
        // ecCodes' longitude normalisation: into [0, 360].
        for k in 0..<count {
            var l = lon[k]
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

/// Vectorised elementary functions for the Lambert inverse: the series below are exact
/// Taylor coefficients after range reduction, so no tabulated constants are involved.
/// Absolute error ≲ 1e-14 in the ranges used; `GRIBGeometryTests` compares against libm.
enum LambertMath {
    typealias V = SIMD4<Double>
    typealias Bits = SIMD4<UInt64>

    /// Latitude and longitude (degrees) from projected coordinates of a sphere with cone constant n.
    struct Inverse {
        var n: Double
        /// log |R·F|.
        var logAbsRF: Double
        var orientationDegrees: Double

        /// Snyder 15-8 to 15-11 for points (x, ρ0 − y): ρ = sign(n)·√(x² + (ρ0 − y)²),
        /// θ = atan2(sign(n)·x, sign(n)·(ρ0 − y)), λ = λ0 + θ/n,
        /// φ = 2·atan((R·F/ρ)^(1/n)) − π/2, evaluated as the Gudermannian of
        /// w = (log|R·F| − ½·log ρ²)/n: φ = 2·atan(tanh(w/2)).
        @inline(__always)
        func latLon(x: V, t: V) -> (lat: V, lon: V) {
            let sign = n < 0 ? -1.0 : 1.0
            let theta = LambertMath.atan2(x * sign, t * sign)
            let rho2 = (x * x + t * t).replacing(with: .leastNormalMagnitude, where: x * x + t * t .< .leastNormalMagnitude)
            var w = (V(repeating: logAbsRF) - 0.5 * LambertMath.log(rho2)) / n
            w = w.clamped(lowerBound: V(repeating: -60), upperBound: V(repeating: 60))
            let e = LambertMath.exp(w)
            let phi = 2 * LambertMath.atanUnit((e - 1) / (e + 1))
            return (phi * (180 / Double.pi), orientationDegrees + theta / n * (180 / Double.pi))
        }
    }

    /// Natural logarithm of positive normal numbers: x = m·2^e with m in [√½, √2),
    /// log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, series to s¹⁹.
    @inline(__always)
    static func log(_ x: V) -> V {
        let bits = unsafeBitCast(x, to: Bits.self)
        // Biased exponent as a double: 2^52 + e_biased − (2^52 + 1023).
        var e = unsafeBitCast((bits &>> 52) | 0x4330_0000_0000_0000, to: V.self) - (4_503_599_627_370_496.0 + 1023)
        var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: V.self)
        let high = m .> V(repeating: 1.4142135623730951)
        m = m.replacing(with: m * 0.5, where: high)
        e = e.replacing(with: e + 1, where: high)
        let s = (m - 1) / (m + 1)
        let q = s * s
        var p = V(repeating: 1.0 / 19)
        for k in stride(from: 17, through: 1, by: -2) {
            p = p * q + 1.0 / Double(k)
        }
        // ln 2 split so that e·ln2hi is exact (fdlibm's constants).
        return e * 6.93147180369123816490e-01 + (2 * s * p + e * 1.90821492927058770002e-10)
    }

    /// e^x for |x| ≤ 700: x = k·ln2 + r, |r| ≤ ln2/2, Taylor series of e^r to r¹³, times 2^k.
    @inline(__always)
    static func exp(_ x: V) -> V {
        let shifter = 6_755_399_441_055_744.0  // 1.5·2^52: adding it rounds to an integer
        let kShifted = x * 1.4426950408889634 + shifter
        let k = kShifted - shifter
        let r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        var p = V(repeating: 1)
        for d in stride(from: 13, through: 1, by: -1) {
            p = p * r / Double(d) + 1
        }
        // 2^k from the low bits of kShifted, which hold k.
        let scale = unsafeBitCast((unsafeBitCast(kShifted, to: Bits.self) &+ 1023) &<< 52, to: V.self)
        return p * scale
    }

    /// atan(a) for |a| ≤ 1: two half-angle steps atan(a) = 2·atan(a / (1 + √(1 + a²)))
    /// bring |a| to ≤ tan(π/16) ≈ 0.199, then the series to a²¹.
    @inline(__always)
    static func atanUnit(_ a: V) -> V {
        var z = a / (1 + (1 + a * a).squareRoot())
        z = z / (1 + (1 + z * z).squareRoot())
        let q = z * z
        var p = V(repeating: -1.0 / 23)
        var sign = 1.0
        for k in stride(from: 21, through: 1, by: -2) {
            p = p * q + sign / Double(k)
            sign = -sign
        }
        return 4 * z * p
    }

    /// atan2(y, x) in (−π, π], from `atanUnit` of min(|x|,|y|)/max(|x|,|y|) and the quadrant.
    @inline(__always)
    static func atan2(_ y: V, _ x: V) -> V {
        let ax = abs(x), ay = abs(y)
        let big = pointwiseMax(ax, ay), small = pointwiseMin(ax, ay)
        var r = atanUnit(small / big.replacing(with: 1, where: big .== 0))
        r = r.replacing(with: Double.pi / 2 - r, where: ay .> ax)
        r = r.replacing(with: Double.pi - r, where: x .< 0)
        let yNegative = (unsafeBitCast(y, to: Bits.self) &>> 63) .== 1
        return r.replacing(with: -r, where: yNegative)
    }
}
