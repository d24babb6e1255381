import Torch

/// Vector calculus through the transform: vorticity and divergence of a wind, the wind of a
/// streamfunction and velocity potential, gradients, and the Laplacian.
///
/// Conventions: u is the eastward and v the northward component (m/s when `radius` is in
/// metres), grids [..., nlat, nlon] as in `forward`; spectral fields [..., lmax, mmax]
/// complex. With φ latitude, θ = π/2 − φ, μ = sin φ, U = u cos φ, V = v cos φ:
///   ζ = k·∇×v = (1/(a cos²φ)) ∂V/∂λ − (1/a) ∂U/∂μ,   δ = ∇·v = (1/(a cos²φ)) ∂U/∂λ + (1/a) ∂V/∂μ,
///   u = −(1/a) ∂ψ/∂φ + (1/(a cos φ)) ∂χ/∂λ,          v = (1/(a cos φ)) ∂ψ/∂λ + (1/a) ∂χ/∂φ,
///   ζ = ∇²ψ, δ = ∇²χ, ∇²Yₗᵐ = −l(l+1)/a² Yₗᵐ.
/// The analysis is the standard one (Hack & Jakob / STSWM: integration by parts against
/// (1 − μ²) dP̄/dμ), written with the equivalent regular functions dP̄/dθ and mP̄/sin θ of
/// u and v themselves (torch-harmonics' vector SHT tables), so that it is also defined on
/// grids with pole rows:
///   ζₗₘ = (2π/a) Σⱼ wⱼ [i m P̄/sin θ · vₘ(θⱼ) − dP̄/dθ · uₘ(θⱼ)],
///   δₗₘ = (2π/a) Σⱼ wⱼ [i m P̄/sin θ · uₘ(θⱼ) + dP̄/dθ · vₘ(θⱼ)],
/// with uₘ, vₘ the Fourier coefficients (rfft, norm `.forward`) of each row. The integrands
/// for the wind of a band-limited ψ, χ have the same polynomial degree as those of the scalar
/// round trip, so wherever `forward(inverse(c)) == c` (see `SphericalHarmonicTransform`),
/// `vorticityDivergence` also inverts `velocity` to round-off, on every grid kind. Products
/// on the grid (nonlinear terms) alias unless the grid is alias-free for quadratic terms:
/// Gaussian nlat ≥ (3·(lmax − 1) + 1)/2, nlon ≥ 3·(lmax − 1) + 1 (T42 on 64×128, T85 on
/// 128×256).
extension SphericalHarmonicTransform {
    /// Spectral vorticity ζ = k·∇×v and divergence δ = ∇·v of the wind (u, v), 1/s for m/s
    /// winds and a radius in metres.
    ///
    /// Valid for any tangent vector field, which is how the nonlinear terms of a
    /// vorticity–divergence model are analysed straight from the grid: with q and the wind
    /// on the grid, `vorticityDivergence(u: q * u, v: q * v)` gives (k·∇×(q v), ∇·(q v)).
    /// - Parameters:
    ///   - u: eastward component [..., nlat, nlon].
    ///   - v: northward component, same shape.
    /// - Returns: complex [..., lmax, mmax] each.
    public func vorticityDivergence(u: Tensor, v: Tensor) throws(TorchError) -> (vorticity: Tensor, divergence: Tensor) {
        let r = try curlAndDivergence(eastward: u, northward: v)
        return (r.curl, r.divergence)
    }

    /// Spectral curl k·∇×F and divergence ∇·F of a tangent vector field F on the grid
    /// (`eastward`, `northward` [..., nlat, nlon]) → complex [..., lmax, mmax] each, in
    /// units of F per unit of `radius`. Same as `vorticityDivergence(u:v:)`.
    public func curlAndDivergence(eastward: Tensor, northward: Tensor) throws(TorchError) -> (curl: Tensor, divergence: Tensor) {
        let batch = try gridBatchShape(eastward, "curlAndDivergence(eastward:)")
        _ = try gridBatchShape(northward, "curlAndDivergence(northward:)")
        guard eastward.shape == northward.shape else {
            throw TorchError(operation: "SphericalHarmonicTransform.curlAndDivergence",
                             message: "eastward \(eastward.shape) and northward \(northward.shape) differ in shape")
        }
        let both = try Tensor.stack([eastward.reshape([-1, nlat, nlon]), northward.reshape([-1, nlat, nlon])], dim: 0)
        let fourier = try fourierAnalysis(both)  // [2B, nlat, mmax, 2]
        let b = fourier.shape[0] / 2
        let out = try legendreAnalysis(fourier, matrix: vectorLegendre)  // [2B, 2·lmax, mmax, 2]
        let du = try out.narrow(dim: 0, start: 0, length: b).narrow(dim: 1, start: 0, length: lmax)
        let qu = try out.narrow(dim: 0, start: 0, length: b).narrow(dim: 1, start: lmax, length: lmax)
        let dv = try out.narrow(dim: 0, start: b, length: b).narrow(dim: 1, start: 0, length: lmax)
        let qv = try out.narrow(dim: 0, start: b, length: b).narrow(dim: 1, start: lmax, length: lmax)
        let curl = try Self.timesI(qv) - du
        let divergence = try Self.timesI(qu) + dv
        return (try curl.contiguous().viewAsComplex().reshape(batch + [lmax, mmax]),
                try divergence.contiguous().viewAsComplex().reshape(batch + [lmax, mmax]))
    }

    /// The wind (u, v) on the grid [..., nlat, nlon] of spectral vorticity and divergence
    /// [..., lmax, mmax], through ψ = ∇⁻²ζ and χ = ∇⁻²δ (the l = 0 parts are ignored).
    public func velocity(vorticity: Tensor, divergence: Tensor) throws(TorchError) -> (u: Tensor, v: Tensor) {
        try velocity(streamfunction: inverseLaplacian(vorticity), velocityPotential: inverseLaplacian(divergence))
    }

    /// The wind u = −(1/a) ∂ψ/∂φ + (1/(a cos φ)) ∂χ/∂λ, v = (1/(a cos φ)) ∂ψ/∂λ + (1/a) ∂χ/∂φ
    /// on the grid [..., nlat, nlon] of a spectral streamfunction ψ and velocity potential χ
    /// [..., lmax, mmax] (m²/s for m/s winds).
    public func velocity(streamfunction: Tensor, velocityPotential: Tensor) throws(TorchError) -> (u: Tensor, v: Tensor) {
        let batch = try spectralBatchShape(streamfunction, "velocity(streamfunction:)")
        _ = try spectralBatchShape(velocityPotential, "velocity(velocityPotential:)")
        guard streamfunction.shape == velocityPotential.shape else {
            throw TorchError(operation: "SphericalHarmonicTransform.velocity",
                             message: "streamfunction \(streamfunction.shape) and velocity potential "
                                 + "\(velocityPotential.shape) differ in shape")
        }
        let psi = try streamfunction.reshape([-1, lmax, mmax]).viewAsReal()
        let chi = try velocityPotential.reshape([-1, lmax, mmax]).viewAsReal()
        // u = D ψ + Q (iχ), v = D (−χ) + Q (iψ): rows (D ; Q) of the stacked table.
        let uRows = try Tensor.cat([psi, Self.timesI(chi)], dim: 1)
        let vRows = try Tensor.cat([-chi, Self.timesI(psi)], dim: 1)
        let wind = try vectorSynthesis(Tensor.cat([uRows, vRows], dim: 0), batch: batch)
        return (wind.0, wind.1)
    }

    /// The gradient of a scalar from its coefficients [..., lmax, mmax]: the eastward
    /// (1/(a cos φ)) ∂f/∂λ and northward (1/a) ∂f/∂φ components on the grid [..., nlat, nlon]
    /// (units of f per unit of `radius`).
    public func gradient(of coefficients: Tensor) throws(TorchError) -> (eastward: Tensor, northward: Tensor) {
        let batch = try spectralBatchShape(coefficients, "gradient(of:)")
        let f = try coefficients.reshape([-1, lmax, mmax]).viewAsReal()
        let zero = try Tensor.zeros(f.shape, dtype: dtype, device: device)
        // The wind of the velocity potential f: east = Q (i f), north = D (−f).
        let eastRows = try Tensor.cat([zero, Self.timesI(f)], dim: 1)
        let northRows = try Tensor.cat([-f, zero], dim: 1)
        let g = try vectorSynthesis(Tensor.cat([eastRows, northRows], dim: 0), batch: batch)
        return (g.0, g.1)
    }

    /// ∇² of spectral coefficients [..., lmax, mmax]: cₗₘ · (−l(l+1)/a²).
    public func laplacian(_ coefficients: Tensor) throws(TorchError) -> Tensor {
        _ = try spectralBatchShape(coefficients, "laplacian")
        return try coefficients * laplacianEigenvalues
    }

    /// ∇⁻² of spectral coefficients [..., lmax, mmax]: cₗₘ / (−l(l+1)/a²), and 0 for l = 0
    /// (the solution with zero global mean).
    public func inverseLaplacian(_ coefficients: Tensor) throws(TorchError) -> Tensor {
        _ = try spectralBatchShape(coefficients, "inverseLaplacian")
        return try coefficients * inverseLaplacianEigenvalues
    }

    // MARK: Helpers

    /// i·z on a real view [..., 2] of complex z: (re, im) → (−im, re).
    static func timesI(_ z: Tensor) throws(TorchError) -> Tensor {
        try Tensor.stack([-z.select(dim: -1, index: 1), z.select(dim: -1, index: 0)], dim: -1)
    }

    /// Real view [2B, 2·lmax, mmax, 2] of (D-part ; Q-part) coefficient rows for the first
    /// and second component → the two grid components [batch..., nlat, nlon].
    private func vectorSynthesis(_ rows: Tensor, batch: [Int]) throws(TorchError) -> (Tensor, Tensor) {
        let fourier = try legendreSynthesis(rows, matrix: vectorLegendre)  // [2B, nlat, mmax, 2]
        let grid = try fourierSynthesis(fourier)  // [2B, nlat, nlon]
        let b = grid.shape[0] / 2
        return (try grid.narrow(dim: 0, start: 0, length: b).reshape(batch + [nlat, nlon]),
                try grid.narrow(dim: 0, start: b, length: b).reshape(batch + [nlat, nlon]))
    }
}
