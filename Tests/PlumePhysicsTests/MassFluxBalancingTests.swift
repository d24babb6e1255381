import Foundation
import PlumeGrids
import PlumeIO
@testable import PlumePhysics
import Testing
import PlumeIngest

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
            let source = RotatingSurfacePressureMeteorology(grid: grid, levels: levels, hours: 12)
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
        var source = RotatingSurfacePressureMeteorology(grid: grid, levels: levels, hours: 48)
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

@Suite("plume transport on real winds")
struct RealWindsTransportTests {
    /// `uv_on_different_levels.grib` (ECMWF u on 5 and v on 3 pressure levels, 5° grid, two
    /// records 6 h apart) with a constant 1000 hPa surface pressure, on the 5.625° grid:
    /// real, divergent winds. Balancing makes the columns non-divergent (the surface
    /// pressure does not change), the vertical fluxes carry the layer divergence, and the
    /// run keeps the invariants; the output file has the expected variables and shapes.
    @Test("6 h driven by ECMWF winds: budget closes, air mass stays, output file readable")
    func realWinds() throws {
        let path = try MetSampleData.path("uv_on_different_levels.grib")
        let grid = try TransportGrid(latitudeCount: 32, longitudeCount: 64)
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let source = try TransportMeteorologyFiles(paths: [path], grid: grid, levels: levels, surfacePressureWhenAbsent: 100_000)
        let winds = try Transport3DMeteorologyWinds(source: source)
        let geometry = try Transport3DGeometry(grid: grid, levels: levels, uniformSurfacePressure: 100_000)
        let d = try winds.diagnostics(geometry: geometry, from: source.recordTimes[0], duration: 3600)
        print("real winds: imbalance \(d.balance.largestImbalance) kg, correction \(d.balance.relativeCorrection), largest W \(d.fluxes.upward?.map(abs).max() ?? 0) kg")
        // Real analysed winds are far from column-non-divergent on a coarse grid: the
        // correction is substantial but not the whole flow.
        #expect(d.balance.relativeCorrection > 0.01 && d.balance.relativeCorrection < 1)
        #expect((d.fluxes.upward?.map(abs).max() ?? 0) > 0)

        let model = try Transport3DModel(geometry: geometry, winds: winds, surfaceFluxes: SyntheticSurfaceFluxes(grid: grid))
        var run = MeteorologyTransportRun(model: model, winds: winds)
        run.timeStep = 1800
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plume-transport-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try run.run(directory: directory)
        print("summary: steps \(summary.steps), residual \(summary.worstStepResidual), drift \(summary.worstAirMassDrift), correction \(summary.largestBalancingCorrection)")
        #expect(summary.steps == 12)
        #expect(summary.worstStepResidual < 1e-13)
        #expect(summary.worstAirMassDrift < 1e-11)
        #expect(summary.snapshots.count == 2)
        let last = try #require(summary.snapshots.last)
        #expect(abs(last.relativeResidual) < 1e-13)
        #expect(last.minimumMixingRatio > 0)
        #expect(last.appliedSourcePgC > 0)  // 6 h of the synthetic net source (+5.5 PgC/yr with the diurnal cycle)
        let loaded = try DatasetLoader.load(summary.outputPath).dataset
        let co2 = try #require(loaded.variables.first { $0.name == "co2massmix" })
        #expect(co2.shape == [2, 10, 32, 64])
        let airmass = try #require(loaded.variables.first { $0.name == "airmass" })
        #expect(airmass.shape == [2, 10, 32, 64])

        // `plume plot transport` draws its two figures from the run's folder.
        try PlumeFigureCommand.expectFigures(kind: "transport", folder: directory, files: ["transport-global-mass.png", "transport-surface-co2.png"])
    }
}
