import Foundation
import PlumeGrids
import PlumePhysics
import Testing

/// The horizontal core of the reference transport model (`HorizontalAdvection`): the
/// invariants (mass conservation, uniform field, positivity, constant air mass under
/// non-divergent fluxes), the integer-shift zonal fluxes, and the standard test cases at
/// coarse resolution. The convergence study at 3° and 1.5° runs only in release builds
/// with PLUME_ADVECTION_CONVERGENCE=1 (or `plume bench advection`).
@Suite("Horizontal advection")
struct AdvectionTests {
    static let sigma = 1e5 / PhysicalConstants.standardGravity
    static let polarAlpha = Double.pi / 2 - 0.05

    /// Fluxes of `testCase` for the step [t, t + dt].
    static func fluxes(_ testCase: AdvectionTestCase, grid: TransportGrid, time t: Double, dt: Double,
                       levels: Int = 1) throws -> HorizontalMassFluxes {
        let psi = testCase.meanCornerStreamfunction(grid: grid, from: t, to: t + dt)
        return try StreamfunctionMassFluxes.fluxes(grid: grid, streamfunction: psi,
                                                   massPerArea: [Double](repeating: sigma, count: levels), duration: dt)
    }

    @Test("streamfunction fluxes are discretely non-divergent",
          arguments: [AdvectionTestCase.cosineBell(alpha: polarAlpha), .gaussianHills(strength: 10)])
    func nonDivergentFluxes(testCase: AdvectionTestCase) throws {
        let grid = try TransportGrid(latitudeCount: 64, longitudeCount: 128)
        let f = try Self.fluxes(testCase, grid: grid, time: 3600, dt: 1800, levels: 2)
        let largest = (f.eastward + f.northward).map(abs).max() ?? 0
        let worst = f.convergence().map(abs).max() ?? 0
        print("\(testCase): largest face flux \(largest) kg, largest convergence \(worst) kg (\(worst / largest) relative)")
        #expect(largest > 0)
        #expect(worst <= 1e-14 * largest)
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        for k in 0..<2 {
            for i in 0..<nlon {
                #expect(f.northward[k * (nlat + 1) * nlon + i] == 0)
                #expect(f.northward[(k * (nlat + 1) + nlat) * nlon + i] == 0)
            }
        }
    }
}
