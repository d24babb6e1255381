import Foundation
import PlumeGrids

/// Analytic test fields of the remapping literature (TempestRemap, Ullrich & Taylor 2015;
/// the CANGA/MOAB remapping studies), for checking remapping accuracy.
///
/// Convention used by the benchmarks: a field is evaluated at the source cell centres,
/// remapped, and compared with the field evaluated at the destination cell centres
/// (``values(at:)``). For conservative remapping it can also be compared with the exact
/// destination cell averages (``cellAverages(on:order:)``), which is what a conservative
/// scheme approximates.
public enum TestField: String, CaseIterable, Sendable {
    /// Y2_2 = 2 + cos²φ · cos 2λ (smooth, a spherical harmonic plus 2).
    case y2_2 = "Y2_2"
    /// Y16_32 = 2 + sin¹⁶(2φ) · cos 16λ (high frequency, zero-mean part vanishes at the poles and equator).
    case y16_32 = "Y16_32"
    /// Nair & Lauritzen's stationary vortex as in TempestRemap: pole at λ₀ = 0, φ₀ = 0.6 rad,
    /// ρ₀ = 3, γ (D) = 5, t = 6; values in (0, 2), steep gradients near the vortex centres.
    case vortex

    /// The field at a point, latitude and longitude in degrees.
    @inlinable
    public func value(latitude: Double, longitude: Double) -> Double {
        let phi = latitude * .pi / 180, lambda = longitude * .pi / 180
        switch self {
        case .y2_2:
            let c = cos(phi)
            return 2 + c * c * cos(2 * lambda)
        case .y16_32:
            return 2 + pow(sin(2 * phi), 16) * cos(16 * lambda)
        case .vortex:
            return Self.vortex(phi: phi, lambda: lambda)
        }
    }

    /// The field at a point.
    @inlinable
    public func value(at p: GeoPoint) -> Double { value(latitude: p.latitude, longitude: p.longitude) }

    /// The field at each point (e.g. a grid's `centres()`).
    public func values(at points: [GeoPoint]) -> [Double] { points.map { value(at: $0) } }

    /// TempestRemap's `TestFunctionVortex`, radians in.
    @usableFromInline
    static func vortex(phi: Double, lambda: Double) -> Double {
        let lon0 = 0.0, lat0 = 0.6, r0 = 3.0, d = 5.0, t = 6.0
        // Rotated coordinates on the sphere whose pole is (lon0, lat0).
        let sinC = sin(lat0), cosC = cos(lat0)
        let cosT = cos(phi), sinT = sin(phi)
        let trm = cosT * cos(lambda - lon0)
        let x = sinC * trm - cosC * sinT
        let y = cosT * sin(lambda - lon0)
        let z = sinC * sinT + cosC * trm
        var rotatedLon = atan2(y, x)
        if rotatedLon < 0 { rotatedLon += 2 * .pi }
        let rotatedLat = asin(max(-1, min(1, z)))
        let rho = r0 * cos(rotatedLat)
        let vt = 3 * 3.0.squareRoot() / 2 / cosh(rho) / cosh(rho) * tanh(rho)
        let omega = rho == 0 ? 0 : vt / rho
        return 1 - tanh(rho / d * sin(rotatedLon - omega * t))
    }

    /// Exact-to-quadrature cell averages over the cells of a banded grid: Gauss–Legendre
    /// with `order` points in sin φ (the area measure) and `order` points in λ per cell.
    /// Cells are in the grid's cell order.
    public func cellAverages(on grid: any BandedGrid, order: Int = 4) -> [Double] {
        let (nodes, weights) = GaussianQuadrature.nodesAndWeights(max(1, order))
        var out: [Double] = []
        out.reserveCapacity(grid.cellCount)
        for row in grid.rows {
            let mu0 = Sphere.sinDegrees(row.south), mu1 = Sphere.sinDegrees(row.north)
            // Latitudes of the quadrature nodes in this row (shared by its cells).
            let latitudes = nodes.map { asin((mu0 + mu1) / 2 + (mu1 - mu0) / 2 * $0) * 180 / .pi }
            for k in 0..<row.count {
                let west = row.westEdge(of: k)
                var sum = 0.0
                for (a, wa) in zip(latitudes, weights) {
                    for (b, wb) in zip(nodes, weights) {
                        sum += wa * wb * value(latitude: a, longitude: west + row.width * (b + 1) / 2)
                    }
                }
                out.append(sum / 4)  // the weights of each dimension sum to 2
            }
        }
        return out
    }
}
