import Foundation
import PlumeGrids
import PlumePhysics
import Testing
import PlumeConservation
import PlumeIngest
import PlumeSupport

/// The 3D reference transport model (`Transport3DModel`): budget closure per step, uniform
/// field, positivity with limited uptake, vertical diffusion and convection, the synthetic
/// fluxes' annual totals, the analytic winds. Debug-sized: 5.625° grid (32×64), 10 layers
/// (TM5 34 grouped as l10), a few simulated days at most.
@Suite("3D reference transport")
struct Transport3DTests {
    static func grid() throws -> TransportGrid { try TransportGrid(latitudeCount: 32, longitudeCount: 64) }

    static func geometry() throws -> Transport3DGeometry {
        try Transport3DGeometry(grid: grid(), levels: Transport3DGeometry.carbonBenchLevels(count: 10))
    }

    /// Largest |q/q₀ − 1| of a mixing-ratio field.
    static func deviation(_ q: [Double], from q0: Double) -> Double {
        q.reduce(0) { max($0, abs($1 / q0 - 1)) }
    }

    @Test("l10 grouping of the TM5 levels: 10 layers, CarbonBench's bottom pressures")
    func groupedLevels() throws {
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        #expect(levels.count == 10)
        let p = levels.interfacePressures(surfacePressure: 101_300)
        let labels = [1013.0, 1005, 995, 971, 943, 843, 642, 441, 243, 73]
        for (k, label) in labels.enumerated() { #expect(abs(p[k] / 100 - label) < 1.5, "layer \(k): \(p[k] / 100) hPa vs \(label)") }
        #expect(p[10] == 0)
        let geometry = try Self.geometry()
        let total = compensatedSum(geometry.airMass)
        let expected = 4 * Double.pi * pow(geometry.grid.radius, 2) * Transport3DGeometry.defaultSurfacePressure / PhysicalConstants.standardGravity
        #expect(abs(total / expected - 1) < 1e-12)
    }

    @Test("analytic winds are discretely non-divergent in every layer and move air")
    func windsNonDivergent() throws {
        let geometry = try Self.geometry()
        let fluxes = try Transport3DAnalyticWinds().massFluxes(geometry: geometry, from: 5 * 86_400, duration: 3600)
        let largest = (fluxes.eastward + fluxes.northward).map(abs).max() ?? 0
        let worst = fluxes.convergence().map(abs).max() ?? 0
        print("winds: largest face flux \(largest) kg, largest convergence \(worst) kg")
        #expect(largest > 0)
        #expect(worst <= 1e-14 * largest)
        // The meridional wind is not zero (waves).
        #expect((fluxes.northward.map(abs).max() ?? 0) > 0.01 * largest)
    }

    /// Acceptance-2 invariants over two simulated days with the synthetic fluxes: the mass of
    /// every tracer changes by exactly the applied surface source, the uniform tracer stays
    /// uniform, nothing goes negative although the biosphere tracer's uptake is clipped.
    @Test("budget closes every step, uniform stays uniform, minimum ≥ 0 (2 days, all tracers)")
    func budgetAndInvariants() throws {
        let grid = try Self.grid()
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let r = try Transport3DBenchmark.run(grid: grid, gridName: "latlon5.625", levels: levels, steps: 48, timeStep: 3600)
        for (t, tracer) in r.tracers.enumerated() {
            print("\(tracer): worst step residual \(r.worstRelativeResidual[t]) relative (\(r.worstAbsoluteResidual[t]) kg), "
                + "q in [\(r.minimumMixingRatio[t]), \(r.maximumMixingRatio[t])], source \(r.appliedSource[t]) kg, clipped \(r.clippedUptake[t]) kg")
            #expect(r.worstRelativeResidual[t] <= 1e-12, "\(tracer)")
            #expect(r.minimumMixingRatio[t] >= 0, "\(tracer)")
            #expect(abs(r.finalMass[t] - r.initialMass[t] - r.appliedSource[t]) <= 1e-12 * max(r.finalMass[t], r.initialMass[t]))
        }
        print("uniform deviation \(r.uniformDeviation), air-mass drift \(r.worstAirMassDrift), \(r.simulatedDaysPerSecond) days/s")
        #expect(r.uniformDeviation <= 1e-12)
        #expect(r.worstAirMassDrift <= 1e-12)
        guard let bio = r.tracers.firstIndex(of: .biosphere), let co2 = r.tracers.firstIndex(of: .co2),
              let fossil = r.tracers.firstIndex(of: .fossil) else {
            Issue.record("missing tracers")
            return
        }
        #expect(r.clippedUptake[bio] > 0, "the limiter should act on the biosphere tracer")
        #expect(r.clippedUptake[co2] == 0)
        #expect(r.appliedSource[fossil] > 0)
        // Fossil source over two days: 10 PgC/yr × 2/365, exactly (constant flux).
        let expectedFossil = 10 * SyntheticSurfaceFluxes.kilogramsCO2PerPetagramCarbon * 2 / 365
        #expect(abs(r.appliedSource[fossil] / expectedFossil - 1) < 1e-12)
    }

    /// The benchmark's horizontal eddy diffusion (the generator's mixing, timed by `plume bench
    /// emulators` as the model the emulators emulate) is switched on: the budget still closes
    /// and the fossil plumes are spread, so their maximum is lower than without it (by 0.8% after
    /// 12 h at 5.625°; without the diffusion the two runs are identical).
    @Test("benchmark with horizontal eddy diffusion: budget closes, plumes spread")
    func benchmarkWithHorizontalDiffusion() throws {
        let grid = try Self.grid()
        let levels = try Transport3DGeometry.carbonBenchLevels(count: 10)
        let plain = try Transport3DBenchmark.run(grid: grid, gridName: "latlon5.625", levels: levels, steps: 12, timeStep: 3600,
                                                 tracers: [.fossil])
        let mixing = HorizontalEddyDiffusion(tropicalCoefficient: 1.0e6, extratropicalCoefficient: 0.3e6, tropicalHalfWidthDegrees: 20)
        let mixed = try Transport3DBenchmark.run(grid: grid, gridName: "latlon5.625", levels: levels, steps: 12, timeStep: 3600,
                                                 tracers: [.fossil], horizontalDiffusion: mixing)
        #expect(mixed.worstRelativeResidual[0] <= 1e-12)
        #expect(mixed.minimumMixingRatio[0] >= 0)
        #expect(abs(mixed.appliedSource[0] / plain.appliedSource[0] - 1) < 1e-12)
        #expect(mixed.maximumMixingRatio[0] < 0.999 * plain.maximumMixingRatio[0],
                "max \(mixed.maximumMixingRatio[0]) with diffusion, \(plain.maximumMixingRatio[0]) without")
    }

    /// Zero fluxes from arrays (the array provider), strong winds, mixing and convection: a
    /// uniform mixing ratio stays uniform and its mass unchanged.
    @Test("uniform mixing ratio stays uniform with zero fluxes")
    func uniformWithZeroFluxes() throws {
        let geometry = try Self.geometry()
        let grid = geometry.grid
        let zero = try SurfaceFluxArrays(grid: grid, records: [.zero(grid: grid)], interval: 86_400, cyclic: true)
        let model = try Transport3DModel(geometry: geometry, surfaceFluxes: zero, tracerFluxes: [.all, .all])
        let q0 = 6.077e-4, q1 = 1.0
        let size = geometry.levelCount * geometry.cellCount
        var state = try model.makeState(mixingRatios: [[Double](repeating: q0, count: size), [Double](repeating: q1, count: size)])
        let m0 = state.totalTracerMass(0)
        var worst = 0.0
        for n in 0..<24 {
            try model.step(&state, time: 170 * 86_400 + Double(n) * 3600, duration: 3600)
            worst = max(worst, Self.deviation(state.mixingRatio(0), from: q0), Self.deviation(state.mixingRatio(1), from: q1))
        }
        print("uniform with zero fluxes: worst deviation \(worst), mass change \(state.totalTracerMass(0) / m0 - 1)")
        #expect(worst <= 1e-12)
        #expect(abs(state.totalTracerMass(0) / m0 - 1) <= 1e-13)
    }

    /// A tracer starting at zero in most of the atmosphere under a strong uptake everywhere
    /// (−10⁻⁶ kg m⁻² s⁻¹ from an array): the limiter removes at most what the lowest layer
    /// holds, so the minimum stays ≥ 0, and the mass changes by exactly the applied source.
    @Test("negative fluxes are limited: minimum ≥ 0, budget against the applied source")
    func negativeFluxesLimited() throws {
        let geometry = try Self.geometry()
        let grid = geometry.grid
        let n = grid.cellCount
        let sink = try SurfaceFluxFields(grid: grid, land: [Double](repeating: -1e-6, count: n),
                                         ocean: [Double](repeating: -2e-7, count: n), anthropogenic: [Double](repeating: 0, count: n))
        let provider = try SurfaceFluxArrays(grid: grid, records: [sink], interval: 86_400, cyclic: true)
        let model = try Transport3DModel(geometry: geometry, surfaceFluxes: provider, tracerFluxes: [.all])
        // 1e-6 kg/kg in the lowest two layers, zero above.
        var q = [Double](repeating: 0, count: geometry.levelCount * n)
        for c in 0..<(2 * n) { q[c] = 1e-6 }
        var state = try model.makeState(mixingRatios: [q])
        var mass = state.totalTracerMass(0), worst = 0.0, clipped = 0.0, lowest = Double.infinity
        for step in 0..<12 {
            let report = try model.step(&state, time: Double(step) * 3600, duration: 3600)
            let after = state.totalTracerMass(0)
            worst = max(worst, abs(after - mass - report.appliedSource[0]) / max(mass, after, 1e-300))
            mass = after
            clipped += report.clippedUptake[0]
            lowest = min(lowest, state.tracerMass[0].min() ?? 0)
        }
        print("limited uptake: worst residual \(worst), clipped \(clipped) kg, minimum rm \(lowest), final mass \(mass)")
        #expect(clipped > 0)
        #expect(lowest >= 0)
        #expect(worst <= 1e-12)
    }

    /// Each tracer's own flux (`tracerFluxComposer`, an inversion's members): tracer 0 gets
    /// the land flux alone, tracer 1 the ocean flux alone, tracer 2 twice the land flux plus
    /// the ocean flux. Tracers 0 and 1 equal, to the bit, a run without the composer whose
    /// tracers take the land and the ocean component; each tracer's mass changes by its own
    /// flux × area × time; and tracer 2 − its start is 2 × (tracer 0 − start) + (tracer 1 −
    /// start) within 1 % of the change (the monotone PPM limiters make the transport only
    /// nearly linear).
    struct ComposedFluxes: TracerFluxComposer {
        func flux(tracer: Int, fields: SurfaceFluxFields, from start: Double, to end: Double) throws(TransportError) -> [Double] {
            switch tracer {
            case 0: return fields.land
            case 1: return fields.ocean
            default: return zip(fields.land, fields.ocean).map { 2 * $0 + $1 }
            }
        }
    }

    @Test("each tracer's composed flux: linear superposition and the budget of each")
    func composedTracerFluxes() throws {
        let geometry = try Self.geometry()
        let grid = geometry.grid
        let n = grid.cellCount
        let land = (0..<n).map { 1e-8 * (1 + sin(Double($0) * 0.37)) }
        let ocean = (0..<n).map { 4e-9 * cos(Double($0) * 0.11) }
        let fields = try SurfaceFluxFields(grid: grid, land: land, ocean: ocean, anthropogenic: [Double](repeating: 3e-9, count: n))
        let provider = try SurfaceFluxArrays(grid: grid, records: [fields], interval: 86_400, cyclic: true)
        var model = try Transport3DModel(geometry: geometry, surfaceFluxes: provider, tracerFluxes: [.all])
        model.tracerFluxComposer = ComposedFluxes()
        let q0 = [Double](repeating: 4e-4, count: geometry.levelCount * n)
        var state = try model.makeState(mixingRatios: [q0, q0, q0])
        let areas = grid.cellAreas()
        let start = (0..<3).map { state.totalTracerMass($0) }
        for step in 0..<12 { try model.step(&state, time: Double(step) * 3600, duration: 3600) }
        let seconds = 12 * 3600.0
        let expected = [land, ocean, zip(land, ocean).map { 2 * $0 + $1 }].map { f in zip(f, areas).reduce(0) { $0 + $1.0 * $1.1 } * seconds }
        for t in 0..<3 {
            let change = state.totalTracerMass(t) - start[t]
            #expect(abs(change - expected[t]) <= 1e-12 * start[t], "tracer \(t): mass change \(change) kg, flux \(expected[t]) kg")
        }
        let a = state.mixingRatio(0), b = state.mixingRatio(1), c = state.mixingRatio(2)
        var worst = 0.0, largest = 0.0
        for i in a.indices {
            worst = max(worst, abs((c[i] - 4e-4) - 2 * (a[i] - 4e-4) - (b[i] - 4e-4)))
            largest = max(largest, abs(c[i] - 4e-4))
        }
        #expect(largest > 1e-7, "the fluxes must change the tracer (largest change \(largest))")
        #expect(worst <= 1e-2 * largest, "superposition off by \(worst) (largest change \(largest))")
        var plain = try Transport3DModel(geometry: geometry, surfaceFluxes: provider, tracerFluxes: [.land, .ocean])
        plain.tracerFluxComposer = nil
        var reference = try plain.makeState(mixingRatios: [q0, q0])
        for step in 0..<12 { try plain.step(&reference, time: Double(step) * 3600, duration: 3600) }
        #expect(reference.tracerMass[0] == state.tracerMass[0])
        #expect(reference.tracerMass[1] == state.tracerMass[1])
    }

    /// Implicit diffusion alone: column tracer mass conserved in every column, the variance
    /// decreases monotonically and the column tends to a uniform mixing ratio.
    @Test("vertical diffusion conserves column mass and converges toward uniform")
    func verticalDiffusion() throws {
        let geometry = try Self.geometry()
        let n = geometry.cellCount, levels = geometry.levelCount
        let diffusion = try VerticalDiffusion(geometry: geometry)
        // Everything in the lowest layer.
        var q = [Double](repeating: 0, count: levels * n)
        for c in 0..<n { q[c] = 1 }
        var state = try geometry.makeTestState(q)
        let column0 = geometry.columnMasses(state.tracerMass[0])
        func spread(_ s: TracerMassState) -> Double {
            let q = s.mixingRatio(0)
            var worst = 0.0
            for c in 0..<n {
                let values = (0..<levels).map { q[$0 * n + c] }
                worst = max(worst, (values.max() ?? 0) - (values.min() ?? 0))
            }
            return worst
        }
        // A deep boundary layer (20 km): K = 100 m² s⁻¹ everywhere; 200 days in steps of 5 days
        // (the slowest mode, through the thick stratospheric layers, takes months).
        let deep = [Double](repeating: 20_000, count: n)
        var previous = spread(state)
        var worstColumn = 0.0
        for _ in 0..<40 {
            try diffusion.apply(to: &state, boundaryLayerHeight: deep, duration: 5 * 86_400)
            let columns = geometry.columnMasses(state.tracerMass[0])
            for c in 0..<n { worstColumn = max(worstColumn, abs(columns[c] / column0[c] - 1)) }
            let s = spread(state)
            #expect(s <= previous * (1 + 1e-12))
            previous = s
        }
        let mean = column0[0] / geometry.columnMasses(geometry.airMass)[0]
        print("diffusion: worst column mass change \(worstColumn), final spread \(previous) (mean q \(mean))")
        #expect(worstColumn <= 1e-14)
        #expect(previous < 0.02 * mean)
        #expect(state.tracerMass[0].allSatisfy { $0 >= 0 })

        // A shallow boundary layer (1000 m): the lowest layers mix fast, the free troposphere barely.
        var shallow = try geometry.makeTestState(q)
        for _ in 0..<6 {
            try diffusion.apply(to: &shallow, boundaryLayerHeight: [Double](repeating: 1000, count: n), duration: 600)
        }
        let qs = shallow.mixingRatio(0)
        print("shallow BL after 1 h, column 0: \((0..<levels).map { qs[$0 * n] })")
        #expect(abs(qs[0] / qs[2 * n] - 1) < 0.05)   // layers 0 to 2 (below ~330 m) well mixed
        #expect(qs[7 * n] < 1e-3 * qs[0])             // 441–243 hPa: untouched
    }

    /// The convective term: column mass conserved, non-negative, uniform unchanged, and it
    /// moves surface tracer up to the cloud layers where the mask is active.
    @Test("convective mixing conserves column mass and lifts the surface anomaly")
    func convection() throws {
        let geometry = try Self.geometry()
        let n = geometry.cellCount, levels = geometry.levelCount
        let convection = try ColumnConvection(geometry: geometry)
        var q = [Double](repeating: 0, count: levels * n)
        for c in 0..<n { q[c] = 1 }
        var state = try geometry.makeTestState(q, uniform: 0.5)
        let before = geometry.columnMasses(state.tracerMass[0])
        let strength = [Double](repeating: 1, count: n)
        try convection.apply(to: &state, strength: strength, duration: 3 * 3600)
        let after = geometry.columnMasses(state.tracerMass[0])
        var worst = 0.0
        for c in 0..<n { worst = max(worst, abs(after[c] / before[c] - 1)) }
        let qa = state.mixingRatio(0)
        print("convection: subcloud layers \(convection.subcloudLayerCount[0]), cloud top \(convection.cloudTopLayer[0]); "
            + "column 0 after 3 h: \((0..<levels).map { qa[$0 * n] }); worst column change \(worst)")
        #expect(worst <= 1e-14)
        #expect(state.tracerMass[0].allSatisfy { $0 >= 0 })
        #expect(qa[0] < 1 && qa[0] > 0.3)
        #expect(qa[6 * n] > 0.005)  // tracer reached 642–441 hPa
        let lifted = (convection.subcloudLayerCount[0]..<levels).reduce(0.0) { $0 + state.tracerMass[0][$1 * n] }
        #expect(lifted > 0.5 * before[0])  // α = 1 − e⁻¹ of the sub-cloud excess went up in 3 h
        #expect(Self.deviation(state.mixingRatio(1), from: 0.5) <= 1e-14)
    }

    /// The synthetic fluxes integrate to their stated annual totals over a year of steps of
    /// any length (analytic interval means), with the expected diurnal sign.
    @Test("synthetic flux global totals equal their stated values")
    func syntheticTotals() throws {
        let grid = try Self.grid()
        let fluxes = try SyntheticSurfaceFluxes(grid: grid)
        let areas = grid.cellAreas()
        let year = SyntheticSurfaceFluxes.year
        for step: Double in [3 * 3600, 7 * 3600] {
            var totals: [Double] = [0, 0, 0]
            var t = 0.0
            while t < year {
                let end = min(t + step, year)
                let f = try fluxes.meanFluxes(from: t, to: end)
                let dt = end - t
                for (k, component) in [SurfaceFluxComponents.land, .ocean, .anthropogenic].enumerated() {
                    totals[k] += compensatedSum(zip(f.total(component), areas).map { $0 * $1 * dt })
                }
                t = end
            }
            let stated = [fluxes.annualTotal(.land), fluxes.annualTotal(.ocean), fluxes.annualTotal(.anthropogenic)]
            print("Δt = \(step) s: annual totals \(totals.map { $0 / SyntheticSurfaceFluxes.kilogramsCO2PerPetagramCarbon }) PgC (stated \(stated.map { $0 / SyntheticSurfaceFluxes.kilogramsCO2PerPetagramCarbon }))")
            for k in 0..<3 { #expect(abs(totals[k] / stated[k] - 1) < 1e-10, "component \(k): \(totals[k]) vs \(stated[k])") }
        }
        #expect(abs(fluxes.annualTotal() / SyntheticSurfaceFluxes.kilogramsCO2PerPetagramCarbon - 5.5) < 1e-12)
        // Diurnal cycle: a vegetated northern cell in July takes up CO2 at local noon and releases it at midnight.
        let j = 24, nlon = grid.longitudeCount  // ≈ 47° N
        guard let i = (0..<nlon).first(where: { fluxes.vegetatedFraction[j * nlon + $0] > 0.9 }) else {
            Issue.record("no vegetated cell in row \(j)")
            return
        }
        let lon = grid.centreLongitude(column: i) * 180 / .pi
        let noon = (196 + (12 - lon / 15) / 24) * 86_400
        let midday = try fluxes.meanFluxes(from: noon - 600, to: noon + 600).land[j * nlon + i]
        let night = try fluxes.meanFluxes(from: noon + 43_200 - 600, to: noon + 43_200 + 600).land[j * nlon + i]
        print("cell (\(j), \(i)) at \(lon)°: noon \(midday), midnight \(night) kg m⁻² s⁻¹")
        #expect(midday < 0)
        #expect(night > 0)
    }

    @Test("flux arrays: time-weighted means over records")
    func fluxArrays() throws {
        let grid = try TransportGrid(latitudeCount: 4, longitudeCount: 8)
        let n = grid.cellCount
        func record(_ v: Double) throws -> SurfaceFluxFields {
            try SurfaceFluxFields(grid: grid, land: [Double](repeating: v, count: n), ocean: [Double](repeating: 2 * v, count: n),
                                  anthropogenic: [Double](repeating: 0, count: n))
        }
        let provider = try SurfaceFluxArrays(grid: grid, records: [record(1), record(3)], interval: 10)
        let mean = try provider.meanFluxes(from: 5, to: 15)
        #expect(mean.land.allSatisfy { abs($0 - 2) < 1e-15 })
        #expect(mean.ocean.allSatisfy { abs($0 - 4) < 1e-15 })
        #expect(throws: IngestError.self) { try provider.meanFluxes(from: 15, to: 25) }
        let cyclic = try SurfaceFluxArrays(grid: grid, records: [record(1), record(3)], interval: 10, cyclic: true)
        let wrapped = try cyclic.meanFluxes(from: 20, to: 30)
        #expect(wrapped.land[0] == 1)
    }

    @Test("boundary-layer height follows local solar time over land")
    func boundaryLayer() throws {
        let bl = VerticalBoundaryLayer()
        #expect(bl.landHeight(localHour: 3) == 300)
        #expect(abs(bl.landHeight(localHour: 14) - 1500) < 1e-9)
        #expect(VerticalBoundaryLayer.localSolarHour(longitude: .pi / 2, time: 0) == 6)
        let grid = try Self.grid()
        let h = bl.heights(grid: grid, landFraction: [Double](repeating: 0, count: grid.cellCount), time: 0)
        #expect(h.allSatisfy { $0 == 600 })
    }
}

extension Transport3DGeometry {
    /// A state on this geometry's air mass: tracer 0 with mixing ratios `q`, and optionally a uniform tracer 1.
    func makeTestState(_ q: [Double], uniform: Double? = nil) throws -> TracerMassState {
        var ratios = [q]
        if let uniform { ratios.append([Double](repeating: uniform, count: q.count)) }
        return try TracerMassState(grid: grid, levelCount: levelCount, airMass: airMass, mixingRatios: ratios)
    }

    /// Column sums of a `[level, lat, lon]` field, `[lat, lon]`.
    func columnMasses(_ field: [Double]) -> [Double] {
        let n = cellCount
        return (0..<n).map { c in (0..<levelCount).reduce(0.0) { $0 + field[$1 * n + c] } }
    }
}
