import CPlumeKernels
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
    /// the grid), evaluated row by row by `plume_lambert_coordinates` (CPlumeKernels:
    /// libm at every 128th point of a row, short exact increments between, sixteen rows
    /// side by side, compiled for AVX-512, AVX2+FMA and baseline x86-64); agrees with libm
    /// evaluation of the same formulas to ~1e-13°.
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
        let (count, overflow) = nx.multipliedReportingOverflow(by: ny)
        guard nx > 0, ny > 0, !overflow else {
            throw .inconsistent("Lambert Nx × Ny = \(nx) × \(ny) (expected a positive number of points)")
        }
        var grid = plume_lambert_grid(
            n: n, absRF: abs(rF), rho0: rho0, x0: x0, y0: y0, dx: dx, dy: dy,
            orientationDegrees: orientation, nx: nx, ny: ny)
        // Every point is written by the kernel: no need to zero the arrays first.
        var lon = [Double](unsafeUninitializedCapacity: count) { _, lonCount in lonCount = count }
        let lat = [Double](unsafeUninitializedCapacity: count) { latOut, latCount in
            lon.withUnsafeMutableBufferPointer { lonOut in
                guard let latBase = latOut.baseAddress, let lonBase = lonOut.baseAddress else { return }
                plume_lambert_coordinates(&grid, latBase, lonBase)
            }
            latCount = count
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
