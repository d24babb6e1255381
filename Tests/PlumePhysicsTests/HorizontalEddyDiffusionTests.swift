import Foundation
import PlumePhysics
import PlumeCarbonBench
import Testing
import PlumeSupport
import PlumeGrids

/// The subgrid horizontal eddy mixing (`HorizontalEddyDiffusion`): exact mass conservation,
/// positivity, a uniform field stays uniform, and the decay of spherical harmonics against
/// the analytic diffusion on the sphere (e^{−l(l+1)Kt/R²}); and the SF6-like tracer's source.
@Suite("Horizontal eddy diffusion")
struct HorizontalEddyDiffusionTests {
    static func grid() throws -> TransportGrid { try TransportGrid(latitudeCount: 32, longitudeCount: 64) }

    /// A 3-layer state whose air mass varies from cell to cell (±20 %, deterministic).
    static func state(grid: TransportGrid, mixingRatio: (Int, Int, Int) -> Double) throws -> TracerMassState {
        let n = grid.cellCount, areas = grid.cellAreas()
        var air = [Double](repeating: 0, count: 3 * n), q = air
        for k in 0..<3 {
            for j in 0..<grid.latitudeCount {
                for i in 0..<grid.longitudeCount {
                    let c = j * grid.longitudeCount + i
                    let wobble = 1 + 0.2 * sin(Double(7 * c + 3 * k) * 0.37)
                    air[k * n + c] = areas[c] * 3000 * wobble
                    q[k * n + c] = mixingRatio(k, j, i)
                }
            }
        }
        return try TracerMassState(grid: grid, levelCount: 3, airMass: air, mixingRatios: [q])
    }

    /// Amplitude of `pattern` in the first layer's mixing ratio (area-weighted least squares).
    static func amplitude(_ state: TracerMassState, grid: TransportGrid, pattern: (Double, Double) -> Double) -> Double {
        let q = state.mixingRatio(0), areas = grid.cellAreas()
        var num = 0.0, den = 0.0
        for j in 0..<grid.latitudeCount {
            for i in 0..<grid.longitudeCount {
                let c = j * grid.longitudeCount + i
                let y = pattern(grid.centreLatitude(row: j), grid.centreLongitude(column: i))
                num += areas[c] * (q[c] - 1) * y
                den += areas[c] * y * y
            }
        }
        return num / den
    }

    @Test("tracer mass is conserved to 1e-14 and no mixing ratio goes negative, even with sharp spikes and long steps")
    func conservationAndPositivity() throws {
        let grid = try Self.grid()
        // Spikes next to the south pole, at the equator and in the north; zero elsewhere.
        var state = try Self.state(grid: grid) { k, j, i in
            (j == 0 && i == 5) || (j == 16 && i == 40) || (j == 27 && i == 63 - k) ? 1e-3 : 0
        }
        let diffusion = HorizontalEddyDiffusion(tropicalCoefficient: 3e6, extratropicalCoefficient: 1e6)
        let before = state.totalTracerMass(0)
        let peak = state.mixingRatio(0).max() ?? 0
        var last: HorizontalEddyDiffusion.Report?
        for _ in 0..<20 { last = try diffusion.apply(to: &state, grid: grid, duration: 6 * 3600) }
        let report = try #require(last)
        // Polar rows need many zonal sub-steps (narrow cells), the meridional sweep a few.
        #expect(report.zonalSubsteps > 10)
        #expect(report.meridionalSubsteps >= 1)
        let after = state.totalTracerMass(0)
        #expect(abs(after - before) <= 1e-14 * before, "relative change \((after - before) / before)")
        let q = state.mixingRatio(0)
        #expect(q.allSatisfy { $0 >= 0 })
        #expect((q.max() ?? 0) <= peak)
        // The spikes spread: the equatorial spike's neighbours gained tracer.
        #expect(q[16 * 64 + 41] > 0 && q[17 * 64 + 40] > 0)
        // The air mass is untouched.
        let fresh = try Self.state(grid: grid) { _, _, _ in 0 }
        #expect(state.airMass == fresh.airMass)
    }

    @Test("a uniform mixing ratio stays uniform on a non-uniform air mass")
    func uniformStaysUniform() throws {
        let grid = try Self.grid()
        let q0 = 6.1e-4
        var state = try Self.state(grid: grid) { _, _, _ in q0 }
        let diffusion = HorizontalEddyDiffusion(tropicalCoefficient: 2e6, extratropicalCoefficient: 5e5)
        for _ in 0..<24 { try diffusion.apply(to: &state, grid: grid, duration: 3600) }
        let worst = state.mixingRatio(0).reduce(0) { max($0, abs($1 / q0 - 1)) }
        #expect(worst < 1e-13, "largest relative deviation \(worst)")
    }

    @Test("spherical harmonics decay at the analytic rate l(l+1)K/R² (uniform K, uniform air mass per area)")
    func analyticDecay() throws {
        let grid = try Self.grid()
        let R = grid.radius, K = 1e6
        let diffusion = HorizontalEddyDiffusion.uniform(K)
        // Y₁⁰ ∝ sin φ (meridional only) and Y₂² ∝ cos²φ cos 2λ (mostly zonal), ε = 0.1.
        let patterns: [(l: Double, f: (Double, Double) -> Double)] = [
            (1, { phi, _ in sin(phi) }),
            (2, { phi, lambda in cos(phi) * cos(phi) * cos(2 * lambda) }),
        ]
        for (l, pattern) in patterns {
            let n = grid.cellCount, areas = grid.cellAreas()
            var q = [Double](repeating: 0, count: n)
            for j in 0..<grid.latitudeCount {
                for i in 0..<grid.longitudeCount {
                    q[j * grid.longitudeCount + i] = 1 + 0.1 * pattern(grid.centreLatitude(row: j), grid.centreLongitude(column: i))
                }
            }
            var state = try TracerMassState(grid: grid, levelCount: 1, airMass: areas.map { $0 * 1e4 }, mixingRatios: [q])
            let a0 = Self.amplitude(state, grid: grid, pattern: pattern)
            // Integrate to one e-folding time of the mode, in 6-hour steps.
            let eFolding = R * R / (l * (l + 1) * K)
            let steps = Int((eFolding / 21_600).rounded())
            for _ in 0..<steps { try diffusion.apply(to: &state, grid: grid, duration: 21_600) }
            let ratio = Self.amplitude(state, grid: grid, pattern: pattern) / a0
            let expected = exp(-Double(steps) * 21_600 / eFolding)
            #expect(abs(ratio / expected - 1) < 0.02, "l = \(l): amplitude ratio \(ratio), analytic \(expected)")
            // Without diffusion the amplitude would stay: the test can tell.
            #expect(ratio < 0.45)
        }
    }

    @Test("K(φ) has its maximum at the equator and tends to the extratropical value")
    func profile() throws {
        let d = HorizontalEddyDiffusion(tropicalCoefficient: 3e6, extratropicalCoefficient: 1e6, tropicalHalfWidthDegrees: 20)
        #expect(d.coefficient(latitude: 0) == 3e6)
        #expect(abs(d.coefficient(latitude: 20 * .pi / 180) - (1e6 + 2e6 / M_E)) < 1e-6)
        #expect(abs(d.coefficient(latitude: 70 * .pi / 180) - 1e6) < 1e4)
        var bad = d
        bad.extratropicalCoefficient = -1
        #expect(throws: TransportError.self) { try bad.validate() }
    }

    @Test("the SF6-like source emits E·Δt, only at 30–60°N, uniformly per area; τ = 2(M_N − M_S)/E")
    func exchangeTracerSource() throws {
        let grid = try Self.grid()
        let tracer = InterhemisphericExchangeTracer()
        let emission = try tracer.emission(grid: grid, duration: 3600)
        let total = compensatedSum(emission)
        #expect(abs(total / (tracer.emissionRate * 3600) - 1) < 1e-14)
        let areas = grid.cellAreas()
        var perArea: [Double] = []
        for j in 0..<grid.latitudeCount {
            let degrees = grid.centreLatitude(row: j) * 180 / .pi
            for i in 0..<grid.longitudeCount {
                let c = j * grid.longitudeCount + i
                if degrees >= 30 && degrees <= 60 { perArea.append(emission[c] / areas[c]) } else { #expect(emission[c] == 0) }
            }
        }
        // 5.625° rows centred at 30.9 … 59.1°N: 6 rows.
        #expect(perArea.count == 6 * 64)
        let mean = perArea.reduce(0, +) / Double(perArea.count)
        #expect(perArea.allSatisfy { abs($0 / mean - 1) < 1e-12 })
        // Hemispheric masses of a state holding the emission in its lowest layer.
        var q = [Double](repeating: 0, count: 2 * grid.cellCount)
        for c in 0..<grid.cellCount { q[c] = emission[c] / (areas[c] * 1e4) }
        q[grid.cellCount + 3] = 1e-9  // southern row 0, upper layer
        let state = try TracerMassState(grid: grid, levelCount: 2, airMass: (areas + areas).map { $0 * 1e4 }, mixingRatios: [q])
        let masses = InterhemisphericExchangeTracer.hemisphericMasses(state, tracer: 0, grid: grid)
        #expect(abs(masses.north / total - 1) < 1e-12)
        #expect(abs(masses.south / (1e-9 * areas[3] * 1e4) - 1) < 1e-12)
        #expect(InterhemisphericExchangeTracer.exchangeTime(north: 3, south: 1, emissionRate: 2) == 2)
    }
}

/// The yearly summaries of `CarbonBenchExchangeDiagnostics` on synthetic 6-hourly samples.
@Suite("CarbonBench exchange diagnostics")
struct CarbonBenchExchangeDiagnosticsTests {
    @Test("τ, NH − SH and the Mauna Loa monthly means and amplitude of each model year")
    func yearlySummaries() throws {
        let rate = 1.0
        var diagnostics = CarbonBenchExchangeDiagnostics(
            emissionRate: rate, sourceBandDegrees: [30, 60], horizontalDiffusion: nil, maunaLoaLatitude: 18.3,
            maunaLoaLongitude: -154.7, maunaLoaSurfaceLevel: 0, maunaLoaSurfaceMidPressure: 1e5, maunaLoa680Level: 5,
            maunaLoa680MidPressure: 7.4e4)
        let year = 365 * 86_400.0
        // Two years of 6-hourly samples, the last at day 729.75 (as a run of 730 days writes them).
        for k in 0..<2920 {
            let day = Double(k) * 0.25
            // M_N − M_S = E·τ/2 with τ = 1 year in year 1 and 1.2 years in year 2.
            let tau: Double = day < 365 ? 1.0 : 1.2
            let south: Double = 1e3 * day
            let north: Double = south + rate * tau * year / 2
            let annual: Double = 5 * sin(2 * Double.pi * day / 365)
            let sample = CarbonBenchExchangeDiagnostics.Sample(
                day: day, tracerNorth: north, tracerSouth: south, surfaceCO2North: 406 + annual, surfaceCO2South: 400,
                maunaLoaSurface: 403 + annual, maunaLoa680: 403 + 0.5 * annual)
            diagnostics.samples.append(sample)
        }
        let years = diagnostics.years
        #expect(years.count == 2)
        let second = try #require(years.last)
        #expect(abs(second.exchangeTimeMeanYears - 1.2) < 1e-9)
        #expect(abs(second.exchangeTimeEndYears - 1.2) < 1e-9)
        #expect(abs(years[0].exchangeTimeMeanYears - 1.0) < 1e-9)
        // τ at the end of year 1 is the sample at day 365, which belongs to year 2's regime.
        #expect(abs(years[0].exchangeTimeEndYears - 1.2) < 1e-9)
        // The annual mean of a sine over whole years: 6 ppm (to the 6-hour sampling).
        #expect(abs(second.surfaceNorthMinusSouthPPM - 6) < 1e-3)
        // Monthly means of 5 sin(2πt/365): max − min a bit under 10 (month averaging), over 9.
        #expect(second.maunaLoaSurfaceMonthly.count == 12)
        #expect(second.maunaLoaSurfaceAmplitude > 9.5 && second.maunaLoaSurfaceAmplitude < 10)
        #expect(abs(second.maunaLoa680Amplitude / second.maunaLoaSurfaceAmplitude - 0.5) < 1e-9)
        // March (days 59–90 of the year) lies near the sine's maximum.
        #expect(second.maunaLoaSurfaceMonthly[2] > 407.5)
        // One sample short of the second year's last one: one year only.
        diagnostics.samples.removeLast()
        #expect(diagnostics.years.count == 1)
    }
}
