import Foundation
import PlumePhysics
import PlumeSpectral
import Torch
import PlumeConservation

/// Shared set-up of the shallow-water tests: a model on a Gaussian grid, the initial state of
/// a test case, and error norms.
enum ShallowWaterTestSupport {
    /// A float64 model at truncation T`truncation` (lmax = mmax = truncation + 1) on an
    /// nlat × nlon Gaussian grid of the Earth, with `ShallowWaterConfiguration`'s defaults
    /// and the suggested time step, then `adjust` applied.
    static func model(truncation: Int, nlat: Int, nlon: Int,
                      adjust: (inout ShallowWaterConfiguration) -> Void = { _ in }) throws -> ShallowWaterModel {
        let sht = try SphericalHarmonicTransform(
            nlat: nlat, nlon: nlon, lmax: truncation + 1, mmax: truncation + 1, grid: .gaussian,
            radius: PhysicalConstants.earthRadius, dtype: .float64)
        var configuration = ShallowWaterConfiguration(
            timeStep: ShallowWaterConfiguration.suggestedTimeStep(truncation: truncation))
        adjust(&configuration)
        return try ShallowWaterModel(transform: sht, configuration: configuration)
    }

    /// The test case on the model's grid points.
    static func gridState(_ model: ShallowWaterModel, _ testCase: ShallowWaterTestCase) -> ShallowWaterGridState {
        testCase.state(latitudes: model.latitudesDegrees, longitudes: model.longitudesDegrees)
    }

    /// A [nlat, nlon] float64 tensor of row-major grid values.
    static func tensor(_ model: ShallowWaterModel, _ values: [Double]) throws -> Tensor {
        try Tensor(values, shape: [model.transform.nlat, model.transform.nlon])
    }

    /// Williamson et al.'s normalised l2 error √(I[(x − x_T)²]) / √(I[x_T²]) of grid fields
    /// [nlat, nlon].
    static func l2Error(_ model: ShallowWaterModel, _ x: Tensor, reference: Tensor) throws -> Double {
        let num = try model.integrate((x - reference).square()).item()
        let den = try model.integrate(reference.square()).item()
        return (num / den).squareRoot()
    }

    /// Williamson et al.'s normalised l∞ error max|x − x_T| / max|x_T|.
    static func maxError(_ x: Tensor, reference: Tensor) throws -> Double {
        try (x - reference).abs().max().item() / reference.abs().max().item()
    }

    /// Seconds of wall-clock time since `start`.
    static func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }

    /// Days to integrate: `name` from the environment when set (release-mode runs of the full
    /// length), else `debug`.
    static func days(_ name: String, default debug: Double) -> Double {
        ProcessInfo.processInfo.environment[name].flatMap(Double.init) ?? debug
    }
}
