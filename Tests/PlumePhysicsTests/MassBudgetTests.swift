import PlumePhysics
import Testing
import Torch
import PlumeConservation

/// The surface-flux scheme and mass fixers of CarbonBench (Benson et al. 2024): exact budgets.
@Suite("Mass fixer and surface-flux scheme")
struct MassBudgetTests {
    /// A state and a perturbed prediction: q ~ 400 (10⁻⁶ kg/kg), air mass ~ 0.5–1.5 Pg.
    static func setting(dtype: DType, seed: UInt64) throws -> (q: Tensor, m: Tensor, mNext: Tensor, prediction: Tensor, flux: Tensor, area: Tensor) {
        let g = try Generator(seed: seed)
        let shape = [2, 10, 8, 16]
        let q = try (Tensor.rand(shape, dtype: .float64, generator: g) * 20 + 400)
        let m = try (Tensor.rand(shape, dtype: .float64, generator: g) + 0.5)
        let mNext = try m * (Tensor.rand(shape, dtype: .float64, generator: g) * 0.01 + 0.995)
        // An emulator's prediction: the right field plus noise of a few percent, some negatives.
        var prediction = try q + Tensor.randn(shape, dtype: .float64, generator: g) * 8
        prediction = try prediction.where(try Tensor.rand(shape, dtype: .float64, generator: g).gt(0.01), else: try Tensor.full(shape, -3, dtype: .float64))
        let flux = try Tensor.randn([2, 8, 16], dtype: .float64, generator: g) * 1e-8
        let area = try Tensor.rand([8, 16], dtype: .float64, generator: g) * 1e11 + 1e11
        return (try q.to(dtype), try m.to(dtype), try mNext.to(dtype), try prediction.to(dtype), try flux.to(dtype), try area.to(dtype))
    }

    static func relative(_ a: Tensor, _ b: Tensor) throws -> Double {
        try ((a.to(.float64) - b.to(.float64)).abs() / b.to(.float64).abs()).max().item()
    }

    @Test("fixers restore the global mass, then the flux adds exactly its source (float64)", arguments: MassFixer.allCases)
    func float64(_ fixer: MassFixer) throws {
        let s = try Self.setting(dtype: .float64, seed: 3)
        let before = try CO2Mass.petagramsCarbon(s.q, airMass: s.m)
        let perturbed = try CO2Mass.petagramsCarbon(s.prediction, airMass: s.mNext)
        #expect(try Self.relative(perturbed, before) > 1e-4, "the perturbation should break the budget")
        let fixed = try fixer.apply(s.prediction, airMassNext: s.mNext, previousMixingRatio: s.q, previousAirMass: s.m)
        #expect(try Self.relative(CO2Mass.petagramsCarbon(fixed, airMass: s.mNext), before) < 1e-14)
        let dt = 6 * 3600.0
        let stepped = try SurfaceFluxScheme.apply(fixed, airMassNext: s.mNext, flux: s.flux, cellArea: s.area, timeStep: dt)
        let source = try CO2Mass.surfaceSourcePetagramsCarbon(flux: s.flux, cellArea: s.area, timeStep: dt)
        let after = try CO2Mass.petagramsCarbon(stepped, airMass: s.mNext)
        let residual = try CO2Mass.budgetResidual(before: before, after: after, source: source)
        #expect(try (residual.abs() / before).max().item() < 1e-12, "residual \(residual)")
        #expect(try source.abs().min().item() > 1e-9, "the source should be visible")
        // Only the lowest layer changes.
        #expect(try stepped.narrow(dim: 1, start: 1, length: 9).equal(fixed.narrow(dim: 1, start: 1, length: 9)))
        if fixer == .scale { #expect(try fixed.min().item() >= 0) }
    }

    @Test("in float32 the fixer restores the budget to float32 round-off", arguments: MassFixer.allCases)
    func float32(_ fixer: MassFixer) throws {
        let s = try Self.setting(dtype: .float32, seed: 4)
        let before = try CO2Mass.petagramsCarbon(s.q.to(.float64), airMass: s.m.to(.float64))
        let fixed = try fixer.apply(s.prediction, airMassNext: s.mNext, previousMixingRatio: s.q, previousAirMass: s.m)
        #expect(fixed.dtype == .float32)
        let after = try CO2Mass.petagramsCarbon(fixed.to(.float64), airMass: s.mNext.to(.float64))
        #expect(try Self.relative(after, before) < 5e-6)
    }

    @Test("a hand-computed example")
    func example() throws {
        // One sample, 2 levels, 1 × 2 cells. Previous: q = 1, m = 1 everywhere → M_old mean 1.
        let q = try Tensor([1, 1, 1, 1] as [Double], shape: [1, 2, 1, 2])
        let m = try Tensor.ones([1, 2, 1, 2], dtype: .float64)
        let mNext = try Tensor([2, 2, 1, 1] as [Double], shape: [1, 2, 1, 2])
        let prediction = try Tensor([1, -1, 2, 2] as [Double], shape: [1, 2, 1, 2])
        // Clamped [1, 0, 2, 2]; M = [2, 0, 2, 2], mean 1.5; scale → M·(1/1.5)/m_next.
        let scaled = try MassFixer.scale.apply(prediction, airMassNext: mNext, previousMixingRatio: q, previousAirMass: m)
        let expectedScale: [Double] = [2 / 1.5 / 2, 0, 2 / 1.5, 2 / 1.5]
        #expect(zip(try scaled.toArray(of: Double.self), expectedScale).allSatisfy { abs($0 - $1) < 1e-15 })
        // shift → (M − 1.5 + 1)/m_next.
        let shifted = try MassFixer.shift.apply(prediction, airMassNext: mNext, previousMixingRatio: q, previousAirMass: m)
        let expectedShift: [Double] = [1.5 / 2, -0.5 / 2, 1.5, 1.5]
        #expect(zip(try shifted.toArray(of: Double.self), expectedShift).allSatisfy { abs($0 - $1) < 1e-15 })
        // Flux 1e-6 kg m⁻² s⁻¹ on 1e6 m² for 1 s = 1 kg = 1e-6 (10⁶ kg) → Δq₀ = 1e-6 / m₀.
        let flux = try Tensor([1e-6, 2e-6] as [Double], shape: [1, 1, 2])
        let area = try Tensor([1e6, 1e6] as [Double], shape: [1, 2])
        let stepped = try SurfaceFluxScheme.apply(q, airMassNext: mNext, flux: flux, cellArea: area, timeStep: 1)
        let values = try stepped.toArray(of: Double.self)
        #expect(abs(values[0] - (1 + 1e-6 / 2)) < 1e-15 && abs(values[1] - (1 + 2e-6 / 2)) < 1e-15)
        #expect(values[2] == 1 && values[3] == 1)
    }

    @Test("the fixers are differentiable (used in training)")
    func gradients() throws {
        let s = try Self.setting(dtype: .float64, seed: 5)
        let p = try s.prediction.clamp(min: 1).requiresGrad(true)
        let fixed = try MassFixer.scale.apply(p, airMassNext: s.mNext, previousMixingRatio: s.q, previousAirMass: s.m)
        try fixed.square().mean().backward()
        #expect(try p.grad?.abs().sum().item() ?? 0 > 0)
    }
}
