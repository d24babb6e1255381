import Foundation
import Torch

/// The real spherical-harmonic transform on a latitude–longitude grid, built on Torch
/// tensors (differentiable end to end), following torch-harmonics' `RealSHT` /
/// `InverseRealSHT` conventions so that coefficients and SFNO weights are comparable.
///
/// Grid: fields are real tensors [..., nlat, nlon]: rows north → south (colatitude θ
/// increasing, see `SphericalQuadrature`), columns at longitudes λᵢ = 2πi/nlon eastward
/// from 0. Any leading dimensions are batch dimensions.
///
/// Spectrum: complex tensors [..., lmax, mmax] (degree l in rows, order m ≥ 0 in columns;
/// entries with m > l are zero), for the orthonormal harmonics Yₗᵐ = P̄ₗᵐ(cos θ) e^{imλ} with
/// the Condon–Shortley phase (see `AssociatedLegendre`). A real field is
///   f(θ, λ) = Σₗ [cₗ₀ P̄ₗ⁰ + 2 Re Σ_{m≥1} cₗₘ P̄ₗᵐ e^{imλ}],
/// and `forward` computes cₗₘ = ∫ f Yₗᵐ* dΩ on the unit sphere (independent of `radius`).
/// The imaginary part of cₗ₀ is ignored by `inverse` (and is zero from `forward`).
/// Triangular truncation: l < lmax, m < mmax ≤ lmax (T42 is lmax = mmax = 43).
///
/// Implementation: an rfft over longitude (norm `.forward`, times 2π) truncated to mmax
/// orders, then the quadrature weights wⱼ and per order m a matrix product with the
/// precomputed P̄ₗᵐ(cos θⱼ) [mmax, lmax, nlat] over latitude (one `bmm`, real and imaginary
/// parts and all batch fields as columns); `inverse` is the transposed product followed by
/// an irfft (norm `.forward`). Costs O(batch · mmax · lmax · nlat) per transform.
///
/// Exactness: `inverse` then `forward` returns band-limited coefficients to round-off when
/// the quadrature is exact for degree 2(lmax − 1): nlat ≥ lmax on `.gaussian` grids,
/// nlat ≥ 2·lmax − 1 on the equiangular ones; and nlon ≥ 2·mmax − 1 (so the Nyquist order
/// nlon/2, whose imaginary part a real grid cannot hold, is not kept).
///
/// The vector operators (`SphericalHarmonicTransform+Vector.swift`) and power spectra
/// (`SphericalHarmonicTransform+PowerSpectrum.swift`) share the same tables. The value is
/// immutable; it holds tensors, so it is not `Sendable` (build one per task).
public struct SphericalHarmonicTransform {
    /// Number of latitude rows.
    public let nlat: Int
    /// Number of longitudes (equally spaced from 0).
    public let nlon: Int
    /// Number of degrees: l = 0 ..< lmax (T42 → 43).
    public let lmax: Int
    /// Number of orders: m = 0 ..< mmax.
    public let mmax: Int
    public let grid: SphericalGrid
    /// Sphere radius a, metres (or any unit): scales the vector operators and Laplacian only.
    public let radius: Double
    /// Real dtype of grid fields and of the tables (`.float64` or `.float32`); coefficients
    /// are the matching complex dtype (`complexDType`).
    public let dtype: DType
    public let device: Device
    /// Latitude nodes and weights (float64).
    public let quadrature: SphericalQuadrature

    /// P̄ₗᵐ(cos θⱼ), [mmax, lmax, nlat].
    let legendre: Tensor
    /// 2π wⱼ (the analysis weight of row j, longitudinal 2π included), [nlat, 1, 1].
    let analysisWeights: Tensor
    /// (dP̄ₗᵐ/dθ ; m P̄ₗᵐ/sin θ) / a stacked along l, [mmax, 2·lmax, nlat].
    let vectorLegendre: Tensor
    /// Multiplies the real view [..., mmax, 2] of Fourier coefficients before irfft: zero
    /// imaginary part at m = 0 (and at the Nyquist order when it is kept), [mmax, 2].
    let hermitianMask: Tensor
    /// Laplacian eigenvalues −l(l+1)/a², [lmax, 1].
    public let laplacianEigenvalues: Tensor
    /// 1/(−l(l+1)/a²) with 0 for l = 0, [lmax, 1].
    let inverseLaplacianEigenvalues: Tensor
    /// 1 for m = 0, 2 for m ≥ 1 (each m ≥ 1 stands for ±m in a real field), [mmax].
    let orderMultiplicity: Tensor

    /// Builds the tables for `nlat` × `nlon` fields.
    ///
    /// - Parameters:
    ///   - lmax: degrees kept (l < lmax); default as torch-harmonics: nlat (Gaussian) or
    ///     (nlat + 1)/2 (equiangular), capped at nlon/2 + 1.
    ///   - mmax: orders kept (m < mmax), default min(lmax, nlon/2 + 1); must be ≤ lmax and
    ///     ≤ nlon/2 + 1.
    ///   - grid: latitude rows and quadrature.
    ///   - radius: sphere radius a (e.g. 6.371e6 m); 1 gives the unit sphere.
    ///   - dtype: `.float64` (default) or `.float32`.
    /// - Throws: `TorchError` for impossible sizes or dtypes.
    public init(nlat: Int, nlon: Int, lmax: Int? = nil, mmax: Int? = nil, grid: SphericalGrid = .gaussian,
                radius: Double = 1, dtype: DType = .float64, device: Device = .cpu) throws(TorchError) {
        let operation = "SphericalHarmonicTransform(nlat: \(nlat), nlon: \(nlon), lmax: \(lmax.map(String.init) ?? "nil"), "
            + "mmax: \(mmax.map(String.init) ?? "nil"), grid: \(grid))"
        func fail(_ message: String) -> TorchError { TorchError(operation: operation, message: message) }
        guard nlon >= 1 else { throw fail("nlon must be at least 1") }
        guard dtype == .float64 || dtype == .float32 else { throw fail("dtype must be float64 or float32, got \(dtype)") }
        guard radius.isFinite, radius > 0 else { throw fail("radius must be positive, got \(radius)") }
        let quadrature = try SphericalQuadrature(grid: grid, nlat: nlat)
        let nyquist = nlon / 2 + 1
        let defaultL = grid == .gaussian ? nlat : (nlat + 1) / 2
        let l = lmax ?? Swift.min(defaultL, nyquist)
        let m = mmax ?? Swift.min(l, nyquist)
        guard l >= 1 else { throw fail("lmax must be at least 1") }
        guard m >= 1, m <= l else { throw fail("mmax must be in 1…lmax (\(l)), got \(m)") }
        guard m <= nyquist else { throw fail("mmax \(m) exceeds nlon/2 + 1 = \(nyquist)") }

        self.nlat = nlat
        self.nlon = nlon
        self.lmax = l
        self.mmax = m
        self.grid = grid
        self.radius = radius
        self.dtype = dtype
        self.device = device
        self.quadrature = quadrature

        let tables = try AssociatedLegendre(lmax: l, mmax: m, cosTheta: quadrature.cosColatitudes,
                                        sinTheta: quadrature.sinColatitudes)
        func tensor(_ values: [Double], _ shape: [Int]) throws(TorchError) -> Tensor {
            try Tensor(values, shape: shape).to(dtype, device: device)
        }
        legendre = try tensor(tables.p, [m, l, nlat])
        analysisWeights = try tensor(quadrature.weights.map { 2 * Double.pi * $0 }, [nlat, 1, 1])
        // (D ; Q) / a, stacked along l: [m, 2l, nlat].
        var vector = [Double](repeating: 0, count: 2 * m * l * nlat)
        let block = l * nlat
        for order in 0..<m {
            for i in 0..<block {
                vector[2 * order * block + i] = tables.dTheta[order * block + i] / radius
                vector[(2 * order + 1) * block + i] = tables.mOverSin[order * block + i] / radius
            }
        }
        vectorLegendre = try tensor(vector, [m, 2 * l, nlat])
        var mask = [Double](repeating: 1, count: 2 * m)
        mask[1] = 0
        if nlon % 2 == 0, m > nlon / 2 { mask[2 * (nlon / 2) + 1] = 0 }
        hermitianMask = try tensor(mask, [m, 2])
        let eigen = (0..<l).map { -Double($0 * ($0 + 1)) / (radius * radius) }
        laplacianEigenvalues = try tensor(eigen, [l, 1])
        inverseLaplacianEigenvalues = try tensor(eigen.map { $0 == 0 ? 0 : 1 / $0 }, [l, 1])
        orderMultiplicity = try tensor((0..<m).map { $0 == 0 ? 1 : 2 }, [m])
    }

    // MARK: Grid description

    /// Complex dtype of coefficients: complex128 for float64, complex64 for float32.
    public var complexDType: DType { dtype == .float32 ? .complex64 : .complex128 }

    /// Latitudes φ = π/2 − θ of the rows, radians, north → south, [nlat].
    public var latitudes: [Double] { quadrature.colatitudes.map { Double.pi / 2 - $0 } }

    /// Longitudes λᵢ = 2πi/nlon, radians, [nlon].
    public var longitudes: [Double] { (0..<nlon).map { 2 * Double.pi * Double($0) / Double(nlon) } }

    /// sin φ of every row as a column [nlat, 1] (broadcasts against [..., nlat, nlon]);
    /// the Coriolis parameter is 2Ω · sinLatitude.
    public func sinLatitude() throws(TorchError) -> Tensor {
        try Tensor(quadrature.cosColatitudes, shape: [nlat, 1]).to(dtype, device: device)
    }

    /// cos φ of every row as a column [nlat, 1] (0 at the poles of `.equiangular` grids).
    public func cosLatitude() throws(TorchError) -> Tensor {
        try Tensor(quadrature.sinColatitudes, shape: [nlat, 1]).to(dtype, device: device)
    }

    /// Area weights of the grid points on the unit sphere, wⱼ·2π/nlon as a column [nlat, 1]
    /// (they sum to 4π over the grid): ∫ f dΩ ≈ (f * cellWeights).sum().
    public func cellWeights() throws(TorchError) -> Tensor {
        try Tensor(quadrature.weights.map { 2 * Double.pi * $0 / Double(nlon) }, shape: [nlat, 1]).to(dtype, device: device)
    }

    // MARK: Scalar transforms

    /// Analysis: real grid field [..., nlat, nlon] → complex coefficients [..., lmax, mmax]
    /// (cₗₘ = ∫ f Yₗᵐ* dΩ on the unit sphere; units of f). Input of another real dtype is
    /// converted to `dtype`. Differentiable.
    public func forward(_ x: Tensor) throws(TorchError) -> Tensor {
        let batch = try gridBatchShape(x, "forward")
        let fourier = try fourierAnalysis(x)  // [B, nlat, mmax, 2]
        let out = try legendreAnalysis(fourier, matrix: legendre)  // [B, lmax, mmax, 2]
        return try out.viewAsComplex().reshape(batch + [lmax, mmax])
    }

    /// Synthesis: complex coefficients [..., lmax, mmax] → real grid field [..., nlat, nlon].
    /// The imaginary part of m = 0 coefficients is ignored. Differentiable.
    public func inverse(_ c: Tensor) throws(TorchError) -> Tensor {
        let batch = try spectralBatchShape(c, "inverse")
        let real = try c.reshape([-1, lmax, mmax]).viewAsReal()  // [B, lmax, mmax, 2]
        let fourier = try legendreSynthesis(real, matrix: legendre)  // [B, nlat, mmax, 2]
        return try fourierSynthesis(fourier).reshape(batch + [nlat, nlon])
    }

    // MARK: Shared building blocks (real views: the trailing 2 holds real and imaginary parts)

    /// Leading (batch) dimensions of a grid field, after checking [..., nlat, nlon].
    func gridBatchShape(_ x: Tensor, _ what: String) throws(TorchError) -> [Int] {
        let shape = x.shape
        guard shape.count >= 2, shape[shape.count - 2] == nlat, shape[shape.count - 1] == nlon else {
            throw TorchError(operation: "SphericalHarmonicTransform.\(what)",
                             message: "expected a grid field [..., \(nlat), \(nlon)], got \(shape)")
        }
        guard !x.dtype.isComplex, x.dtype.isFloatingPoint else {
            throw TorchError(operation: "SphericalHarmonicTransform.\(what)",
                             message: "expected a real floating-point grid field, got \(x.dtype)")
        }
        return Array(shape.dropLast(2))
    }

    /// Leading (batch) dimensions of coefficients, after checking complex [..., lmax, mmax].
    func spectralBatchShape(_ c: Tensor, _ what: String) throws(TorchError) -> [Int] {
        let shape = c.shape
        guard shape.count >= 2, shape[shape.count - 2] == lmax, shape[shape.count - 1] == mmax else {
            throw TorchError(operation: "SphericalHarmonicTransform.\(what)",
                             message: "expected coefficients [..., \(lmax), \(mmax)], got \(shape)")
        }
        guard c.dtype == complexDType else {
            throw TorchError(operation: "SphericalHarmonicTransform.\(what)",
                             message: "expected \(complexDType) coefficients, got \(c.dtype)")
        }
        return Array(shape.dropLast(2))
    }

    /// rfft over longitude of [..., nlat, nlon], truncated to mmax orders, as a real view
    /// [B, nlat, mmax, 2] (B = product of the batch dimensions, ≥ 1).
    func fourierAnalysis(_ x: Tensor) throws(TorchError) -> Tensor {
        var x = x
        if x.dtype != dtype { x = try x.to(dtype) }
        let spectrum = try x.reshape([-1, nlat, nlon]).rfft(dim: -1, norm: .forward)
        return try spectrum.narrow(dim: -1, start: 0, length: mmax).viewAsReal()
    }

    /// Real view [B, nlat, mmax, 2] of Fourier coefficients → real grid [B, nlat, nlon].
    func fourierSynthesis(_ fourier: Tensor) throws(TorchError) -> Tensor {
        let complex = try (fourier * hermitianMask).contiguous().viewAsComplex()
        return try complex.irfft(n: nlon, dim: -1, norm: .forward)
    }

    /// Σⱼ 2π wⱼ M[m, r, j] F[b, j, m]: Fourier real view [B, nlat, mmax, 2] and a table
    /// [mmax, R, nlat] → contiguous [B, R, mmax, 2].
    func legendreAnalysis(_ fourier: Tensor, matrix: Tensor) throws(TorchError) -> Tensor {
        let b = fourier.shape[0]
        let rows = matrix.shape[1]
        let weighted = try fourier * analysisWeights  // [B, nlat, mmax, 2]
        let columns = try weighted.permute([2, 1, 0, 3]).reshape([mmax, nlat, 2 * b])
        let product = try matrix.bmm(columns)  // [mmax, R, 2B]
        return try product.reshape([mmax, rows, b, 2]).permute([2, 1, 0, 3]).contiguous()
    }

    /// Σₗ M[m, l, j] C[b, l, m]: coefficient real view [B, R, mmax, 2] and a table
    /// [mmax, R, nlat] → Fourier real view [B, nlat, mmax, 2].
    func legendreSynthesis(_ coefficients: Tensor, matrix: Tensor) throws(TorchError) -> Tensor {
        let b = coefficients.shape[0]
        let rows = matrix.shape[1]
        let columns = try coefficients.permute([2, 1, 0, 3]).reshape([mmax, rows, 2 * b])
        let product = try matrix.transpose(1, 2).bmm(columns)  // [mmax, nlat, 2B]
        return try product.reshape([mmax, nlat, b, 2]).permute([2, 1, 0, 3])
    }
}
