import Foundation
import PlumeGrids
@testable import PlumePhysics
import Testing

/// Winds from files (TM5's way): the potential solve of `MassFluxBalancer`, the column
/// balance it buys, vertical fluxes from continuity, `VerticalAdvection`, and the 3D model
/// driven by an analytic divergent-surface-pressure source (`RotatingSurfacePressure`).
@Suite("mass-flux balancing and vertical fluxes from continuity")
struct MassFluxBalancingTests {
    /// Deterministic pseudo-random numbers in [-1, 1).
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
    }

    static func grid(_ nlat: Int = 32, _ nlon: Int = 64) throws -> TransportGrid {
        try TransportGrid(latitudeCount: nlat, longitudeCount: nlon)
    }

    @Test("the potential solves L χ = r exactly (Fourier in longitude, tridiagonal in latitude)")
    func potentialSolve() throws {
        for (nlat, nlon) in [(32, 64), (45, 120), (6, 4)] {
            let grid = try Self.grid(nlat, nlon)
            let balancer = MassFluxBalancer(grid: grid)
            var noise = Noise(state: UInt64(nlat * 1000 + nlon))
            var r = (0..<grid.cellCount).map { _ in noise.next() }
            let mean = r.reduce(0, +) / Double(r.count)
            r = r.map { $0 - mean }
            let chi = balancer.solvePotential(r)
            let back = balancer.laplacian(chi)
            let error = zip(back, r).map { abs($0 - $1) }.max() ?? .infinity
            print("\(nlat)×\(nlon): max |Lχ − r| = \(error)")
            #expect(error < 1e-11, "\(nlat)×\(nlon)")
        }
    }

    /// Random divergent fluxes, random air masses and a random column mass change that sums
    /// to zero: after balancing every column converges exactly its change.
    @Test("balancing makes every column's convergence its air-mass change")
    func columnsBalance() throws {
        let grid = try Self.grid()
        let levels = 10, n = grid.cellCount, nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var noise = Noise(state: 7)
        let scale = 1e12
        let eastward = (0..<(levels * n)).map { _ in scale * noise.next() }
        var northward = (0..<(levels * (nlat + 1) * nlon)).map { _ in scale * noise.next() }
        for k in 0..<levels {
            for i in 0..<nlon {
                northward[(k * (nlat + 1)) * nlon + i] = 0
                northward[(k * (nlat + 1) + nlat) * nlon + i] = 0
            }
        }
        let fluxes = try HorizontalMassFluxes(grid: grid, levelCount: levels, eastward: eastward, northward: northward)
        var change = (0..<n).map { _ in 0.3 * scale * noise.next() }
        let mean = change.reduce(0, +) / Double(n)
        change = change.map { $0 - mean }
        let airMass = (0..<(levels * n)).map { _ in 1e14 * (1.5 + noise.next()) }
        let (balanced, report) = try MassFluxBalancer(grid: grid).balance(fluxes, columnMassChange: change, airMass: airMass)
        let convergence = MassFluxBalancer.columnConvergence(balanced)
        let worst = zip(convergence, change).map { abs($0 - $1) }.max() ?? .infinity
        print("imbalance before \(report.largestImbalance) kg, after \(worst) kg (report \(report.largestResidual)), relative correction \(report.relativeCorrection)")
        #expect(report.largestImbalance > scale)
        #expect(worst < 1e-9 * scale)
        #expect(report.largestResidual < 1e-9 * scale)
        #expect(abs(report.globalMassChange) < 1e-3 * scale)
        // Pole faces stay closed.
        for k in 0..<levels {
            for i in 0..<nlon {
                #expect(balanced.northward[(k * (nlat + 1)) * nlon + i] == 0)
                #expect(balanced.northward[(k * (nlat + 1) + nlat) * nlon + i] == 0)
            }
        }
    }

    @Test("balanced, non-divergent fluxes are left alone")
    func nonDivergentUntouched() throws {
        let geometry = try Transport3DGeometry(grid: Self.grid(), levels: Transport3DGeometry.carbonBenchLevels(count: 10))
        let fluxes = try Transport3DAnalyticWinds().massFluxes(geometry: geometry, from: 3 * 86_400, duration: 3600)
        let (balanced, report) = try MassFluxBalancer(grid: geometry.grid)
            .balance(fluxes, columnMassChange: [Double](repeating: 0, count: geometry.cellCount), airMass: geometry.airMass)
        let largest = fluxes.eastward.map(abs).max() ?? 0
        let change = zip(balanced.eastward + balanced.northward, fluxes.eastward + fluxes.northward).map { abs($0 - $1) }.max() ?? .infinity
        print("largest flux \(largest) kg, largest change \(change) kg, relative correction \(report.relativeCorrection)")
        #expect(change <= 1e-12 * largest)
    }

    /// Continuity then advection: horizontal then vertical fluxes bring every cell's air
    /// mass to the end mass, with tracer mass conserved, a uniform field kept and no
    /// negative values.
    @Test("vertical fluxes from continuity close every layer; vertical advection keeps the invariants")
    func continuityAndVerticalAdvection() throws {
        let grid = try Self.grid()
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let L = levels.count, n = grid.cellCount, nlat = grid.latitudeCount, nlon = grid.longitudeCount
        var noise = Noise(state: 11)
        let psStart = (0..<n).map { _ in 98_000 + 2_000 * noise.next() }
        let psEnd = psStart.map { $0 + 150 * noise.next() }
        let shift = Transport3DMeteorologyWinds.areaMean(psStart, grid: grid) - Transport3DMeteorologyWinds.areaMean(psEnd, grid: grid)
        let psEndMassConserving = psEnd.map { $0 + shift }
        let massStart = try Transport3DMeteorologyWinds.airMass(levels: levels, surfacePressure: psStart, grid: grid)
        let massEnd = try Transport3DMeteorologyWinds.airMass(levels: levels, surfacePressure: psEndMassConserving, grid: grid)
        // Smooth, divergent random-phase flow: 5 % of a layer's mass per step at most.
        var eastward = [Double](repeating: 0, count: L * n), northward = [Double](repeating: 0, count: L * (nlat + 1) * nlon)
        for k in 0..<L {
            for j in 0..<nlat {
                for i in 0..<nlon {
                    let m = massStart[k * n + j * nlon + i]
                    eastward[k * n + j * nlon + i] = 0.04 * m * sin(Double(3 * i + k) * 2 * .pi / Double(nlon))
                    if j > 0 { northward[(k * (nlat + 1) + j) * nlon + i] = 0.03 * m * cos(Double(2 * i) * 2 * .pi / Double(nlon) + Double(j)) }
                }
            }
        }
        let raw = try HorizontalMassFluxes(grid: grid, levelCount: L, eastward: eastward, northward: northward)
        var change = [Double](repeating: 0, count: n)
        for k in 0..<L { for c in 0..<n { change[c] += massEnd[k * n + c] - massStart[k * n + c] } }
        let mid = zip(massStart, massEnd).map { ($0 + $1) / 2 }
        let (balanced, _) = try MassFluxBalancer(grid: grid).balance(raw, columnMassChange: change, airMass: mid)
        let (upward, residual) = try VerticalMassFluxes.fromContinuity(horizontal: balanced, airMassStart: massStart, airMassEnd: massEnd)
        print("surface residual \(residual), largest vertical flux \(upward.map(abs).max() ?? 0) kg")
        #expect(residual < 1e-13)
        #expect((upward.map(abs).max() ?? 0) > 1e-3 * (massStart.max() ?? 0))
        let uniform = [Double](repeating: 4e-4, count: L * n)
        let blob = (0..<(L * n)).map { idx -> Double in
            let c = idx % n, j = c / nlon, i = c % nlon
            return (abs(j - 16) < 5 && abs(i - 20) < 8) ? 1e-3 : 0
        }
        var state = try TracerMassState(grid: grid, levelCount: L, airMass: massStart, mixingRatios: [uniform, blob])
        let before = (0..<2).map { state.totalTracerMass($0) }
        let horizontal = try HorizontalAdvection(grid: grid).step(&state, fluxes: balanced)
        let substeps = try VerticalAdvection().apply(to: &state, upward: upward)
        let drift = zip(state.airMass, massEnd).map { abs($0 / $1 - 1) }.max() ?? .infinity
        let q0 = state.mixingRatio(0)
        let uniformDeviation = q0.map { abs($0 / 4e-4 - 1) }.max() ?? .infinity
        print("substeps horizontal \(horizontal.substeps), vertical \(substeps); air-mass drift \(drift), uniform deviation \(uniformDeviation)")
        #expect(drift < 1e-12)
        #expect(uniformDeviation < 1e-13)
        for t in 0..<2 { #expect(abs(state.totalTracerMass(t) / before[t] - 1) < 1e-14) }
        #expect((state.tracerMass[1].min() ?? -1) >= 0)
    }

    @Test("vertical advection of a layer profile: conservation, a uniform profile, upwind direction")
    func verticalAdvectionColumn() throws {
        let grid = try Self.grid(2, 4)
        let L = 6, n = grid.cellCount
        let airMass = (0..<(L * n)).map { 1e15 * (1 + 0.1 * Double($0 / n)) }
        var upward = [Double](repeating: 0, count: (L + 1) * n)
        for c in 0..<n { upward[3 * n + c] = 2e14 }  // upward through the bottom of layer 3
        let q = (0..<(L * n)).map { Double($0 / n) }  // q = layer index
        var state = try TracerMassState(grid: grid, levelCount: L, airMass: airMass, mixingRatios: [q])
        try VerticalAdvection(reconstruction: .vanLeer).apply(to: &state, upward: upward)
        for c in 0..<n {
            // Layer 2 lost 2e14 kg of air, layer 3 gained it with mixing ratio between 2 and 3 (upstream profile).
            #expect(abs(state.airMass[2 * n + c] - (airMass[2 * n + c] - 2e14)) < 1)
            #expect(abs(state.airMass[3 * n + c] - (airMass[3 * n + c] + 2e14)) < 1)
            let moved = state.tracerMass[0][3 * n + c] - 3 * airMass[3 * n + c]
            #expect(moved > 2 * 2e14 && moved < 3 * 2e14, "carried q \(moved / 2e14)")
            #expect(abs(state.tracerMass[0][2 * n + c] + moved - 2 * airMass[2 * n + c]) < 1e-3 * 2e14)
        }
    }
}

/// An analytic meteorology: solid-body rotation about an axis tilted by `tilt` from the
/// pole, surface pressure a Gaussian bump carried by the same rotation. In the continuum
/// the column continuity equation holds exactly (∂p_s/∂t + v·∇p_s = 0 with ∇·v = 0), so the
/// TM5 balancing only removes discretisation error. `shear` > 0 makes the speed grow with
/// height (then continuity holds only after balancing, and the vertical fluxes are large).
struct RotatingSurfacePressure: TransportMeteorologySource {
    let grid: TransportGrid
    let levels: HybridLevels
    let recordTimes: [Double]
    var startYear: Int { 2001 }
    var speed = 20.0, tilt = Double.pi / 4, shear = 0.0
    var bumpAmplitude = 1_500.0, bumpWidth = 0.35, bumpLongitude = 1.0, bumpLatitude = 0.3

    init(grid: TransportGrid, levels: HybridLevels, hours: Int, interval: Int = 6) {
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

    func surfacePressure(_ lambda: Double, _ phi: Double, time: Double) -> Double {
        let back = rotate(Self.cartesian(lambda, phi), by: -angularSpeed * time)
        let centre = Self.cartesian(bumpLongitude, bumpLatitude)
        let d2 = pow(back.0 - centre.0, 2) + pow(back.1 - centre.1, 2) + pow(back.2 - centre.2, 2)
        return 98_000 + bumpAmplitude * exp(-d2 / (bumpWidth * bumpWidth))
    }

    func record(at index: Int) throws(TransportError) -> TransportMeteorologyRecord {
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

@Suite("3D transport driven by winds and surface pressure from a meteorology source")
struct MeteorologyDrivenTransportTests {
    /// Barotropic rotation: the balancing correction is discretisation error, so it shrinks
    /// at second order when the grid is refined.
    @Test("the TM5 balancing correction converges at second order for a continuity-consistent flow")
    func correctionConverges() throws {
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        var corrections = [Double]()
        for (nlat, nlon) in [(32, 64), (64, 128)] {
            let grid = try TransportGrid(latitudeCount: nlat, longitudeCount: nlon)
            let source = RotatingSurfacePressure(grid: grid, levels: levels, hours: 12)
            let winds = try Transport3DMeteorologyWinds(source: source)
            let geometry = try Transport3DGeometry(grid: grid, levels: levels)
            let d = try winds.diagnostics(geometry: geometry, from: 3 * 3600, duration: 1800)
            print("\(nlat)×\(nlon): imbalance before \(d.balance.largestImbalance) kg, relative correction \(d.balance.relativeCorrection), surface residual \(d.surfaceResidual), ps shift \(d.surfacePressureShift)")
            corrections.append(d.balance.relativeCorrection)
            #expect(d.surfaceResidual < 1e-12)
        }
        print("correction ratio 5.625° / 2.8125°: \(corrections[0] / corrections[1])")
        #expect(corrections[0] < 0.05)
        #expect(corrections[0] / corrections[1] > 3)
    }

    /// Two days with sheared winds (vertical fluxes everywhere), surface fluxes on one
    /// tracer and a uniform second tracer: the air mass follows p_s, the budget closes, the
    /// uniform field stays uniform, nothing goes negative.
    @Test("two days from file-style winds: air mass follows p_s, budget closes, uniform stays uniform, minimum ≥ 0")
    func invariants() throws {
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        var source = RotatingSurfacePressure(grid: grid, levels: levels, hours: 48)
        source.shear = 1.5
        let winds = try Transport3DMeteorologyWinds(source: source)
        let geometry = try Transport3DGeometry(grid: grid, levels: levels)
        var model = try Transport3DModel(geometry: geometry, winds: winds,
                                         surfaceFluxes: SyntheticSurfaceFluxes(grid: grid), tracerFluxes: [.all, []])
        model.airMassTolerance = 1e-11
        let n = geometry.cellCount * levels.count
        var state = try model.makeState(mixingRatios: [[Double](repeating: 4e-4, count: n), [Double](repeating: 4e-4, count: n)])
        let start = (0..<2).map { state.totalTracerMass($0) }
        var source0 = 0.0, worstDrift = 0.0, vertical = 0
        for step in 0..<48 {
            let report = try model.step(&state, time: Double(step) * 3600, duration: 3600)
            source0 += report.appliedSource[0]
            worstDrift = max(worstDrift, report.airMassDrift)
            vertical = max(vertical, report.verticalSubsteps)
        }
        let expectedMass = try winds.airMass(geometry: geometry, at: 48 * 3600)
        let massError = zip(state.airMass, expectedMass).map { abs($0 / $1 - 1) }.max() ?? .infinity
        let budget = abs(state.totalTracerMass(0) - start[0] - source0) / start[0]
        let uniform = state.mixingRatio(1).map { abs($0 / 4e-4 - 1) }.max() ?? .infinity
        let minimum = state.mixingRatio(0).min() ?? -1
        print("drift \(worstDrift), end mass error \(massError), budget \(budget), uniform \(uniform), min \(minimum), source \(source0) kg, vertical substeps ≤ \(vertical)")
        #expect(worstDrift < 1e-11)
        #expect(massError < 1e-11)
        #expect(budget < 1e-13)
        #expect(abs(state.totalTracerMass(1) / start[1] - 1) < 1e-13)
        #expect(uniform < 1e-12)
        #expect(minimum >= 0)
        #expect(source0 > 0)
        // The air mass really moved: the bump is elsewhere after two days.
        let first = try winds.airMass(geometry: geometry, at: 0)
        #expect((zip(first, expectedMass).map { abs($0 / $1 - 1) }.max() ?? 0) > 1e-3)
    }
}
