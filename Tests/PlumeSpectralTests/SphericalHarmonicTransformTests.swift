import Foundation
import Testing
import Torch
@testable import PlumeSpectral

// Spherical-harmonic transform checks, all in float64: quadrature, Legendre tables, round
// trips of band-limited fields, orthonormality, known coefficients, vector operators, the
// power spectrum, gradients against finite differences, and a rough timing.

/// Deterministic uniform numbers in [−1, 1) (SplitMix64).
struct SpectralRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x5151 }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return 2 * Double(z >> 11) / Double(1 << 53) - 1
    }
}

/// Random band-limited coefficients [batch..., lmax, mmax] (complex128): zero for m > l and
/// for l < `lowest`, real for m = 0.
func randomCoefficients(_ sht: SphericalHarmonicTransform, batch: [Int] = [], seed: UInt64,
                        lowest: Int = 0) throws -> Tensor {
    var rng = SpectralRNG(seed: seed)
    let count = batch.reduce(1, *)
    var values = [Double](repeating: 0, count: count * sht.lmax * sht.mmax * 2)
    for b in 0..<count {
        for l in lowest..<sht.lmax {
            for m in 0...min(l, sht.mmax - 1) {
                let i = ((b * sht.lmax + l) * sht.mmax + m) * 2
                values[i] = rng.next()
                values[i + 1] = m == 0 ? 0 : rng.next()
            }
        }
    }
    return try Tensor(values, shape: batch + [sht.lmax, sht.mmax, 2]).viewAsComplex()
}

/// Largest |a − b| (complex or real).
func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a - b).abs().max().item()
}

func maxAbs(_ a: Tensor) throws -> Double { try a.abs().max().item() }

/// A grid field [nlat, nlon] from a function of (latitude, longitude) in radians.
func gridField(_ sht: SphericalHarmonicTransform, _ f: (Double, Double) -> Double) throws -> Tensor {
    let lat = sht.latitudes, lon = sht.longitudes
    var values: [Double] = []
    values.reserveCapacity(sht.nlat * sht.nlon)
    for phi in lat { for lambda in lon { values.append(f(phi, lambda)) } }
    return try Tensor(values, shape: [sht.nlat, sht.nlon])
}

@Suite("Quadrature and Legendre tables")
struct QuadratureLegendreTests {
    @Test("every grid's weights sum to 2 and integrate μᵏ exactly up to its degree", arguments: SphericalGrid.allCases)
    func quadratureExactness(grid: SphericalGrid) throws {
        for nlat in [7, 16, 33] {
            let q = try SphericalQuadrature(grid: grid, nlat: nlat)
            #expect(abs(q.weights.reduce(0, +) - 2) < 1e-14)
            #expect(zip(q.colatitudes, q.colatitudes.dropFirst()).allSatisfy { $0 < $1 }, "north → south")
            let degree = grid == .gaussian ? 2 * nlat - 1 : nlat - 1
            for k in 0...degree {
                let sum = zip(q.cosColatitudes, q.weights).reduce(0) { $0 + pow($1.0, Double(k)) * $1.1 }
                let exact = k % 2 == 1 ? 0 : 2 / Double(k + 1)
                #expect(abs(sum - exact) < 1e-13, "\(grid) nlat \(nlat): ∫ μ^\(k)")
            }
        }
    }

    @Test("dP̄/dθ matches central differences, mP̄/sin θ matches the quotient and its pole limit")
    func derivativeTables() throws {
        let lmax = 24, mmax = 24, h = 1e-5
        let theta = [0.3, 1.1, 1.9, 2.8]
        func table(_ t: [Double]) throws -> AssociatedLegendre {
            try AssociatedLegendre(lmax: lmax, mmax: mmax, cosTheta: t.map { cos($0) }, sinTheta: t.map { sin($0) })
        }
        let mid = try table(theta), plus = try table(theta.map { $0 + h }), minus = try table(theta.map { $0 - h })
        let n = theta.count
        var worstD = 0.0, worstQ = 0.0
        for m in 0..<mmax {
            for l in m..<lmax {
                for j in 0..<n {
                    let i = (m * lmax + l) * n + j
                    let fd = (plus.p[i] - minus.p[i]) / (2 * h)
                    worstD = max(worstD, abs(mid.dTheta[i] - fd) / Double(l + 1))
                    worstQ = max(worstQ, abs(mid.mOverSin[i] - Double(m) * mid.p[i] / sin(theta[j])))
                }
            }
        }
        #expect(worstD < 1e-8, "dP̄/dθ vs finite differences: \(worstD)")
        #expect(worstQ < 1e-12, "mP̄/sin θ: \(worstQ)")
        // At the pole the quotient is the limit (nonzero only for m = 1).
        let pole = try AssociatedLegendre(lmax: lmax, mmax: mmax, cosTheta: [1, cos(1e-7)], sinTheta: [0, sin(1e-7)])
        for m in 0..<mmax {
            for l in m..<lmax {
                let i = (m * lmax + l) * 2
                #expect(abs(pole.mOverSin[i] - pole.mOverSin[i + 1]) < 1e-5 * Double(l + 1) * Double(l + 1))
                if m != 1 { #expect(pole.mOverSin[i] == 0) }
            }
        }
    }

    @Test("T170 tables stay finite and orthonormal on 256 Gaussian rows")
    func highDegreeStability() throws {
        let nlat = 256, lmax = 171, mmax = 171
        let q = try SphericalQuadrature(grid: .gaussian, nlat: nlat)
        let t = try AssociatedLegendre(lmax: lmax, mmax: mmax, cosTheta: q.cosColatitudes, sinTheta: q.sinColatitudes)
        #expect(t.p.allSatisfy(\.isFinite) && t.dTheta.allSatisfy(\.isFinite) && t.mOverSin.allSatisfy(\.isFinite))
        var worst = 0.0
        for m in [0, 1, 50, 120, 170] {
            for l in Set([m, min(m + 1, lmax - 1), (m + lmax) / 2, lmax - 1]) where l >= m {
                let base = (m * lmax + l) * nlat
                var norm = 0.0
                for j in 0..<nlat { norm += 2 * Double.pi * q.weights[j] * t.p[base + j] * t.p[base + j] }
                worst = max(worst, abs(norm - 1))
            }
        }
        #expect(worst < 1e-12, "‖P̄ₗᵐ‖² − 1 up to T170: \(worst)")
    }
}

@Suite("Scalar transform")
struct ScalarTransformTests {
    @Test("T42 Gaussian 64×128: inverse then forward returns random band-limited coefficients to 1e-12")
    func roundTripGaussianT42() throws {
        let sht = try SphericalHarmonicTransform(nlat: 64, nlon: 128, lmax: 43, grid: .gaussian)
        #expect(sht.lmax == 43 && sht.mmax == 43)
        let c = try randomCoefficients(sht, batch: [2, 3], seed: 1)
        let x = try sht.inverse(c)
        #expect(x.shape == [2, 3, 64, 128] && x.dtype == .float64)
        let back = try sht.forward(x)
        #expect(back.shape == [2, 3, 43, 43] && back.dtype == .complex128)
        let error = try maxDifference(back, c)
        #expect(error <= 1e-12, "round-trip error \(error)")
        // Grid → spectral → grid is also the identity on a band-limited field.
        #expect(try maxDifference(sht.inverse(back), x) <= 1e-13 * maxAbs(x))
    }

    @Test("equiangular grids (poles included, and cell centres) round-trip at their default truncation")
    func roundTripEquiangular() throws {
        for (grid, nlat, nlon, expectedL) in [(SphericalGrid.equiangular, 65, 128, 33), (.equiangular, 64, 128, 32),
                                              (.equiangularCellCentred, 32, 64, 16)] {
            let sht = try SphericalHarmonicTransform(nlat: nlat, nlon: nlon, grid: grid)
            #expect(sht.lmax == expectedL && sht.mmax == expectedL)
            let c = try randomCoefficients(sht, batch: [2], seed: 2)
            let error = try maxDifference(sht.forward(sht.inverse(c)), c)
            #expect(error <= 1e-12, "\(grid) \(nlat)×\(nlon): round-trip error \(error)")
        }
    }

    @Test("T15: every basis function Yₗᵐ (real and imaginary) analyses to a unit vector; Gram matrix diagonal")
    func orthonormality() throws {
        let sht = try SphericalHarmonicTransform(nlat: 16, nlon: 32, lmax: 16, grid: .gaussian)
        var units: [(l: Int, m: Int, part: Int)] = []
        for l in 0..<16 { for m in 0...l { for part in 0..<(m == 0 ? 1 : 2) { units.append((l, m, part)) } } }
        let n = units.count  // 256
        var values = [Double](repeating: 0, count: n * 16 * 16 * 2)
        for (k, u) in units.enumerated() { values[((k * 16 + u.l) * 16 + u.m) * 2 + u.part] = 1 }
        let basis = try Tensor(values, shape: [n, 16, 16, 2]).viewAsComplex()
        let fields = try sht.inverse(basis)  // [n, 16, 32]
        let analysed = try sht.forward(fields)
        #expect(try maxDifference(analysed, basis) <= 1e-13)
        // ∫ fₐ f_b dΩ by quadrature: 1 for m = 0, 2 for m ≥ 1 (f = 2 Re(c Y)), 0 otherwise.
        let flat = try fields.reshape([n, 16 * 32])
        let weighted = try (fields * sht.cellWeights()).reshape([n, 16 * 32])
        let gram = try weighted.matmul(flat.transpose(0, 1))
        let expected = try Tensor((0..<(n * n)).map { i -> Double in
            let a = i / n, b = i % n
            return a == b ? (units[a].m == 0 ? 1 : 2) : 0
        }, shape: [n, n])
        #expect(try maxDifference(gram, expected) <= 1e-13)
    }

    @Test("known coefficients of 1, sin φ, cos φ cos λ, cos φ sin λ (Condon–Shortley phase)")
    func analyticCoefficients() throws {
        for grid in SphericalGrid.allCases {
            let sht = try SphericalHarmonicTransform(nlat: 17, nlon: 32, lmax: 8, grid: grid)
            let fields = try Tensor.stack([
                gridField(sht) { _, _ in 1 },
                gridField(sht) { phi, _ in sin(phi) },
                gridField(sht) { phi, lambda in cos(phi) * cos(lambda) },
                gridField(sht) { phi, lambda in cos(phi) * sin(lambda) },
            ])
            let c = try sht.forward(fields).viewAsReal().toArray(of: Double.self)  // [4, 8, 8, 2]
            func coefficient(_ field: Int, _ l: Int, _ m: Int) -> (Double, Double) {
                let i = ((field * 8 + l) * 8 + m) * 2
                return (c[i], c[i + 1])
            }
            let expected: [(Int, Int, Int, Double, Double)] = [
                (0, 0, 0, (4 * Double.pi).squareRoot(), 0),
                (1, 1, 0, (4 * Double.pi / 3).squareRoot(), 0),
                (2, 1, 1, -(2 * Double.pi / 3).squareRoot(), 0),
                (3, 1, 1, 0, (2 * Double.pi / 3).squareRoot()),
            ]
            var known = Set<Int>()
            for (field, l, m, re, im) in expected {
                let got = coefficient(field, l, m)
                #expect(abs(got.0 - re) < 1e-13 && abs(got.1 - im) < 1e-13, "\(grid) field \(field): \(got)")
                known.insert(((field * 8 + l) * 8 + m) * 2)
                known.insert(((field * 8 + l) * 8 + m) * 2 + 1)
            }
            // Nothing else.
            let stray = c.indices.filter { !known.contains($0) }.map { abs(c[$0]) }.max() ?? 0
            #expect(stray < 1e-13, "\(grid): stray coefficient \(stray)")
        }
    }

    @Test("power spectrum: Parseval (Σₗ Sₗ = ∫ f² dΩ) and Sₗ of single harmonics")
    func powerSpectrum() throws {
        let sht = try SphericalHarmonicTransform(nlat: 32, nlon: 64, grid: .equiangularCellCentred)
        let c = try randomCoefficients(sht, batch: [3], seed: 5)
        let f = try sht.inverse(c)
        let spectrum = try sht.powerSpectrum(sht.forward(f))
        #expect(spectrum.shape == [3, sht.lmax] && spectrum.dtype == .float64)
        let integral = try (f.square() * sht.cellWeights()).sum(dims: [-2, -1])
        #expect(try maxDifference(spectrum.sum(dims: [-1]), integral) <= 1e-11)
        // A unit coefficient at (l, m) has power 1 (m = 0) or 2 (m ≥ 1) in degree l only.
        let t15 = try SphericalHarmonicTransform(nlat: 16, nlon: 32, lmax: 16)
        var v = [Double](repeating: 0, count: 2 * 16 * 16 * 2)
        v[(3 * 16 + 0) * 2] = 1
        v[((16 + 7) * 16 + 4) * 2 + 1] = 1
        let s = try t15.powerSpectrum(Tensor(v, shape: [2, 16, 16, 2]).viewAsComplex()).toArray(of: Double.self)
        #expect(s[3] == 1 && s[16 + 7] == 2 && s.reduce(0, +) == 3)
    }

    @Test("bad shapes, dtypes and truncations throw")
    func errors() throws {
        #expect(throws: TorchError.self) { try SphericalHarmonicTransform(nlat: 8, nlon: 16, lmax: 4, mmax: 5) }
        #expect(throws: TorchError.self) { try SphericalHarmonicTransform(nlat: 8, nlon: 16, lmax: 12, mmax: 10) }
        #expect(throws: TorchError.self) { try SphericalHarmonicTransform(nlat: 1, nlon: 16, grid: .equiangular) }
        #expect(throws: TorchError.self) { try SphericalHarmonicTransform(nlat: 8, nlon: 16, radius: 0) }
        let sht = try SphericalHarmonicTransform(nlat: 8, nlon: 16)
        #expect(throws: TorchError.self) { try sht.forward(Tensor.zeros([8, 15], dtype: .float64)) }
        #expect(throws: TorchError.self) { try sht.forward(Tensor.zeros([8, 16], dtype: .complex128)) }
        #expect(throws: TorchError.self) { try sht.inverse(Tensor.zeros([8, 8], dtype: .float64)) }
        #expect(throws: TorchError.self) { try sht.inverse(Tensor.zeros([7, 8], dtype: .complex128)) }
        let (u, v) = (try Tensor.zeros([8, 16], dtype: .float64), try Tensor.zeros([2, 8, 16], dtype: .float64))
        #expect(throws: TorchError.self) { try sht.vorticityDivergence(u: u, v: v) }
        // float32 input to a float64 transform is converted.
        #expect(try sht.forward(Tensor.ones([8, 16])).dtype == .complex128)
        // A float32 transform works in complex64 (round trip to float32 precision).
        let single = try SphericalHarmonicTransform(nlat: 16, nlon: 32, dtype: .float32)
        let c = try randomCoefficients(single, seed: 4).to(.complex64)
        let back = try single.forward(single.inverse(c))
        let singleError = try maxDifference(back, c)
        #expect(back.dtype == .complex64 && singleError < 1e-5)
    }
}

@Suite("Vector operators")
struct VectorOperatorTests {
    static let earthRadius = 6.371e6

    @Test("solid-body rotation: ψ = −aU₀ sin φ gives u = U₀ cos φ, v = 0; its vorticity is 2U₀ sin φ/a",
          arguments: [SphericalGrid.gaussian, .equiangular])
    func solidBodyRotation(grid: SphericalGrid) throws {
        let a = Self.earthRadius, u0 = 20.0
        let sht = try SphericalHarmonicTransform(nlat: 64, nlon: 128, lmax: 43, grid: grid, radius: a)
        // ψ = −aU₀ sin φ = −aU₀ √(4π/3) Y₁⁰: one coefficient.
        var values = [Double](repeating: 0, count: 43 * 43 * 2)
        values[43 * 2] = -a * u0 * (4 * Double.pi / 3).squareRoot()
        let psi = try Tensor(values, shape: [43, 43, 2]).viewAsComplex()
        let zeroChi = try Tensor.zeros(psi.shape, dtype: .complex128)
        let expectedU = try gridField(sht) { phi, _ in u0 * cos(phi) }
        let fromPsi = try sht.velocity(streamfunction: psi, velocityPotential: zeroChi)
        #expect(try maxDifference(fromPsi.u, expectedU) <= 1e-12 * u0)
        #expect(try maxAbs(fromPsi.v) <= 1e-12 * u0)
        let fromZeta = try sht.velocity(vorticity: sht.laplacian(psi), divergence: zeroChi)
        #expect(try maxDifference(fromZeta.u, expectedU) <= 1e-12 * u0)
        #expect(try maxAbs(fromZeta.v) <= 1e-12 * u0)
        // The same ψ analysed from the grid: its coefficient to round-off; the round-off of
        // the other (zero) coefficients of a 2.6e8 m²/s field, ×l by the derivative, leaves
        // ~1e-12 U₀ in u.
        let analysed = try sht.forward(gridField(sht) { phi, _ in -a * u0 * sin(phi) })
        #expect(try maxDifference(analysed, psi) <= 1e-14 * abs(values[43 * 2]))
        let fromGrid = try sht.velocity(streamfunction: analysed, velocityPotential: zeroChi)
        #expect(try maxDifference(fromGrid.u, expectedU) <= 1e-11 * u0)
        #expect(try maxAbs(fromGrid.v) <= 1e-12 * u0)
        // Back: vorticity 2U₀ sin φ / a on the grid, no divergence.
        let (zeta, delta) = try sht.vorticityDivergence(u: expectedU, v: Tensor.zeros(expectedU.shape, dtype: .float64))
        let expectedZeta = try gridField(sht) { phi, _ in 2 * u0 * sin(phi) / a }
        #expect(try maxDifference(sht.inverse(zeta), expectedZeta) <= 1e-12 * 2 * u0 / a)
        #expect(try maxAbs(sht.inverse(delta)) <= 1e-12 * 2 * u0 / a)
    }

    @Test("vorticityDivergence inverts velocity (T42 on 64×128, T85 on 128×256, equiangular 65×128; Earth radius)",
          arguments: [(SphericalGrid.gaussian, 64, 128, 43), (.gaussian, 128, 256, 86), (.equiangular, 65, 128, 33)])
    func vorticityDivergenceRoundTrip(sizes: (SphericalGrid, Int, Int, Int)) throws {
        let a = Self.earthRadius
        let sht = try SphericalHarmonicTransform(nlat: sizes.1, nlon: sizes.2, lmax: sizes.3, grid: sizes.0, radius: a)
        let zeta = try randomCoefficients(sht, batch: [2], seed: 7, lowest: 1) * 1e-5
        let delta = try randomCoefficients(sht, batch: [2], seed: 8, lowest: 1) * 1e-6
        let (u, v) = try sht.velocity(vorticity: zeta, divergence: delta)
        #expect(u.shape == [2, sizes.1, sizes.2] && v.shape == u.shape)
        let (zeta2, delta2) = try sht.vorticityDivergence(u: u, v: v)
        let errorZeta = try maxDifference(zeta2, zeta) / maxAbs(zeta)
        let errorDelta = try maxDifference(delta2, delta) / maxAbs(delta)
        // Round-off grows with the degree (derivatives): ~3e-13 at T42, ~1.5e-12 at T85.
        let tolerance = sizes.3 > 43 ? 5e-12 : 1e-12
        #expect(errorZeta <= tolerance, "relative vorticity error \(errorZeta)")
        #expect(errorDelta <= tolerance, "relative divergence error \(errorDelta)")
    }

    @Test("∇·∇f = ∇²f = −l(l+1)/a² f, ∇×∇f = 0, and ∇⁻² inverts ∇² (l ≥ 1)")
    func laplacian() throws {
        let a = 2.0
        let sht = try SphericalHarmonicTransform(nlat: 64, nlon: 128, lmax: 43, radius: a)
        let c = try randomCoefficients(sht, batch: [2], seed: 9)
        let lap = try sht.laplacian(c)
        let eig = try sht.laplacianEigenvalues.toArray(of: Double.self)
        #expect(sht.laplacianEigenvalues.shape == [43, 1] && eig[0] == 0 && eig[42] == -42 * 43 / 4)
        // Every Yₗᵐ is an eigenfunction: (∇²c)ₗₘ = −l(l+1)/a² cₗₘ.
        let cv = try c.viewAsReal().toArray(of: Double.self), lv = try lap.viewAsReal().toArray(of: Double.self)
        var worst = 0.0
        for i in cv.indices {
            let l = (i / (43 * 2)) % 43
            worst = max(worst, abs(lv[i] + Double(l * (l + 1)) / (a * a) * cv[i]))
        }
        #expect(worst <= 1e-12)
        let (east, north) = try sht.gradient(of: c)
        let (curl, divergence) = try sht.curlAndDivergence(eastward: east, northward: north)
        #expect(try maxDifference(divergence, lap) <= 1e-12 * maxAbs(lap))
        #expect(try maxAbs(curl) <= 1e-12 * maxAbs(lap))
        let l1 = try randomCoefficients(sht, seed: 10, lowest: 1)
        #expect(try maxDifference(sht.inverseLaplacian(sht.laplacian(l1)), l1) <= 1e-13)
        #expect(try maxAbs(sht.inverseLaplacian(c).narrow(dim: -2, start: 0, length: 1)) == 0)
    }

    @Test("gradient of cos φ cos λ: east −sin λ, north −sin φ cos λ (unit sphere)")
    func gradientAnalytic() throws {
        let sht = try SphericalHarmonicTransform(nlat: 32, nlon: 64, lmax: 20)
        let f = try sht.forward(gridField(sht) { phi, lambda in cos(phi) * cos(lambda) })
        let (east, north) = try sht.gradient(of: f)
        #expect(try maxDifference(east, gridField(sht) { _, lambda in -sin(lambda) }) <= 1e-13)
        #expect(try maxDifference(north, gridField(sht) { phi, lambda in -sin(phi) * cos(lambda) }) <= 1e-13)
    }
}

@Suite("Differentiability")
struct SpectralGradientTests {
    /// Central differences of `loss` with respect to a few grid values, against autograd
    /// (both `backward` and `Tensor.gradients`).
    func check(shape: [Int], seed: UInt64, indices: [Int], _ loss: (Tensor) throws -> Tensor) throws {
        var rng = SpectralRNG(seed: seed)
        let values = (0..<shape.reduce(1, *)).map { _ in rng.next() }
        let x = try Tensor(values, shape: shape).requiresGrad(true)
        let l = try loss(x)
        let grads = try Tensor.gradients(of: [l], withRespectTo: [x], retainGraph: true)
        let analytic = try #require(grads[0]).toArray(of: Double.self)
        try l.backward()
        let viaBackward = try #require(x.grad).toArray(of: Double.self)
        #expect(analytic == viaBackward)
        let eps = 1e-6
        for i in indices {
            var plus = values, minus = values
            plus[i] += eps
            minus[i] -= eps
            let (lp, lm) = try Torch.withoutGrad { () throws -> (Double, Double) in
                (try loss(Tensor(plus, shape: shape)).item(), try loss(Tensor(minus, shape: shape)).item())
            }
            let numeric = (lp - lm) / (2 * eps)
            #expect(abs(analytic[i] - numeric) <= 1e-6 * max(abs(numeric), 1e-3),
                    "∂L/∂x[\(i)]: analytic \(analytic[i]) numeric \(numeric)")
        }
    }

    @Test("Σ w|c|² of forward(x) and Σ r·inverse(c): autograd = finite differences")
    func transformGradients() throws {
        let sht = try SphericalHarmonicTransform(nlat: 8, nlon: 16, lmax: 8)
        var rng = SpectralRNG(seed: 11)
        let w = try Tensor((0..<64).map { _ in 1.5 + rng.next() }, shape: [8, 8])
        try check(shape: [2, 8, 16], seed: 12, indices: [0, 17, 100, 200, 255]) { x in
            try (sht.forward(x).abs().square() * w).sum()
        }
        let r = try Tensor((0..<(8 * 16)).map { _ in rng.next() }, shape: [8, 16])
        // Coefficients as a real leaf [lmax, mmax, 2] (m > l entries are inert).
        try check(shape: [8, 8, 2], seed: 13, indices: [2, 19, 35, 64, 127]) { c in
            try (sht.inverse(c.viewAsComplex()) * r).sum()
        }
        // The vector operators and the power spectrum are differentiable too.
        let r2 = try Tensor((0..<8).map { _ in rng.next() }, shape: [8])
        try check(shape: [2, 8, 16], seed: 14, indices: [3, 60, 130, 250]) { uv in
            let (zeta, delta) = try sht.vorticityDivergence(u: uv.select(dim: 0, index: 0), v: uv.select(dim: 0, index: 1))
            return try ((sht.powerSpectrum(zeta) + sht.powerSpectrum(delta)) * r2).sum()
        }
    }
}

@Suite("Timing")
struct SpectralTimingTests {
    @Test("forward + inverse at T42 (64×128) and T85 (128×256)")
    func timing() throws {
        for (nlat, nlon, lmax) in [(64, 128, 43), (128, 256, 86)] {
            let start = Date()
            let sht = try SphericalHarmonicTransform(nlat: nlat, nlon: nlon, lmax: lmax, radius: 6.371e6)
            let setup = Date().timeIntervalSince(start)
            for batch in [1, 8] {
                let c = try randomCoefficients(sht, batch: [batch], seed: 3)
                var x = try sht.inverse(c)
                let repeats = 20
                let t0 = Date()
                for _ in 0..<repeats { x = try sht.inverse(sht.forward(x)) }
                let scalar = Date().timeIntervalSince(t0) / Double(repeats)
                let t1 = Date()
                for _ in 0..<repeats {
                    let (zeta, delta) = try sht.vorticityDivergence(u: x, v: x)
                    _ = try sht.velocity(vorticity: zeta, divergence: delta)
                }
                let vector = Date().timeIntervalSince(t1) / Double(repeats)
                print(String(format: "SHT T%d %d×%d batch %d: setup %.3f s, forward+inverse %.3f ms, "
                             + "vorticityDivergence+velocity %.3f ms", lmax - 1, nlat, nlon, batch, setup,
                             scalar * 1e3, vector * 1e3))
                #expect(try maxDifference(sht.forward(x), c) <= 1e-11)
            }
        }
    }
}
