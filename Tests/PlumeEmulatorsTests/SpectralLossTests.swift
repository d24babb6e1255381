import Foundation
import Testing
import Torch
@testable import PlumeEmulators

/// The spectral term of the training loss against analytic spectra and finite differences.
@Suite struct SpectralLossTests {
    static let grid = EmulatorGrid.regular(rows: 32, columns: 64)

    /// `f(φ, λ)` on the grid as `[1, 1, lat, lon]`.
    static func field(_ f: (Double, Double) -> Double) throws -> Tensor {
        var values: [Float] = []
        for lat in grid.latitudes {
            for lon in grid.longitudes { values.append(Float(f(lat * .pi / 180, lon * .pi / 180))) }
        }
        return try Tensor(values, shape: [1, 1, 32, 64])
    }

    /// cos φ cos λ is a pure degree-1 field of mean square 1/3; 3 sin²φ − 1 is pure degree 2
    /// with mean square 4/5 (∫(3μ² − 1)² dμ / 2 = 4/5).
    @Test func powerSpectrumOfPureHarmonics() throws {
        let loss = try SpectralLoss(grid: Self.grid, device: .cpu)
        let one = try loss.powerSpectrum(Self.field { cos($0) * cos($1) }).toArray(of: Float.self)
        #expect(one.count == 16)
        #expect(abs(one[1] - 1.0 / 3) < 1e-4)
        #expect(one.enumerated().filter { $0.offset != 1 }.allSatisfy { abs($0.element) < 1e-5 })
        let two = try loss.powerSpectrum(Self.field { lat, _ in 3 * sin(lat) * sin(lat) - 1 }).toArray(of: Float.self)
        #expect(abs(two[2] - 0.8) < 1e-3)
        #expect(two.enumerated().filter { $0.offset != 2 }.allSatisfy { abs($0.element) < 1e-4 })
    }

    /// Doubling a degree-1 field multiplies S(1) by 4 and leaves the other degrees at ε:
    /// loss = (ln(4/3 + ε) − ln(1/3 + ε))² / 16 ≈ (ln 4)² / 16. Identical fields give 0.
    @Test func lossOfAScaledFieldIsAnalytic() throws {
        let loss = try SpectralLoss(grid: Self.grid, device: .cpu)
        let x = try Self.field { cos($0) * cos($1) }
        #expect(try loss(predicted: x, truth: x).item() == 0)
        let value = try loss(predicted: x * 2.0, truth: x).item()
        let expected = pow(log((4.0 / 3 + 1e-6) / (1.0 / 3 + 1e-6)), 2) / 16
        #expect(abs(value - expected) < 2e-3 * expected, "\(value) vs \(expected)")
    }

    /// The autograd gradient against a central difference along a random direction.
    @Test func gradientMatchesFiniteDifferences() throws {
        let loss = try SpectralLoss(grid: Self.grid, device: .cpu)
        let generator = try Generator(seed: 5)
        let truth = try Tensor.randn([2, 3, 32, 64], generator: generator)
        let base = try Tensor.randn([2, 3, 32, 64], generator: generator)
        let direction = try Tensor.randn([2, 3, 32, 64], generator: generator)
        let x = try base.detach().requiresGrad(true)
        try loss(predicted: x, truth: truth).backward()
        let gradient = try #require(x.grad, "no gradient reached the prediction")
        let analytic = try (gradient * direction).sum().item()
        let h = 1e-3  // the log spectra curve strongly: larger steps leave the linear range
        let plus = try loss(predicted: base + direction * h, truth: truth).item()
        let minus = try loss(predicted: base - direction * h, truth: truth).item()
        let numeric = (plus - minus) / (2 * h)
        #expect(abs(analytic - numeric) < 0.02 * abs(numeric) + 1e-6, "autograd \(analytic), finite difference \(numeric)")
    }

    @Test func refusesGridsItCannotTransform() throws {
        let gaussianLike = EmulatorGrid(latitudes: (0..<32).map { -87.0 + 174.0 * Double($0) / 31 }, longitudes: Self.grid.longitudes)
        #expect(throws: EmulatorError.self) { try SpectralLoss(grid: gaussianLike, device: .cpu) }
    }
}
