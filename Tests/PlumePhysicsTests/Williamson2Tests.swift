import Foundation
import PlumePhysics
import Testing
import Torch

/// Williamson et al. (1992) case 2: steady zonal geostrophic flow, solid-body rotation at
/// angle α to the equator. The exact solution is the initial state; h has degree 2 and the
/// streamfunction degree 1, so T42 represents them exactly and the error is the time
/// stepping's and the hyperdiffusion's (∇⁸ at 0.25 day for l = 42 damps l = 2 at
/// 1.2·10⁻¹⁰ per 0.25 day). At α ≠ 0 the Coriolis parameter is the tilted one of
/// Williamson et al. (their eq. 96), without which the flow is not steady.
@Suite("Williamson case 2")
struct Williamson2Tests {
    @Test("steady geostrophic flow stays steady", arguments: [0.0, Double.pi / 4])
    func steadyState(alpha: Double) throws {
        let model = try ShallowWaterTestSupport.model(truncation: 42, nlat: 64, nlon: 128) {
            $0.rotationAxisTilt = alpha
        }
        let initial = ShallowWaterTestSupport.gridState(model, .williamson2(alpha: alpha))
        let state0 = try model.state(from: initial)
        let days = ShallowWaterTestSupport.days("PLUME_SW_CASE2_DAYS", default: 5)
        let start = Date()
        let state = try model.run(state0, days: days)
        let wall = ShallowWaterTestSupport.seconds(since: start)
        let fields = try model.gridFields(state)
        let h0 = try ShallowWaterTestSupport.tensor(model, initial.h)
        let u0 = try ShallowWaterTestSupport.tensor(model, initial.u)
        let l2 = try ShallowWaterTestSupport.l2Error(model, fields.h, reference: h0)
        let linf = try ShallowWaterTestSupport.maxError(fields.h, reference: h0)
        let uError = try ShallowWaterTestSupport.l2Error(model, fields.u, reference: u0)
        let mass0 = try model.totalMass(state0).item(), mass = try model.totalMass(state).item()
        print("case 2 α = \(alpha): \(days) days at T42 in \(wall) s (\(days / wall) model days/s): "
            + "h l2 \(l2), h l∞ \(linf), u l2 \(uError), mass drift \((mass - mass0) / mass0)")
        #expect(l2 <= 1e-8)
        #expect(uError <= 1e-8)
        #expect(abs(mass - mass0) / mass0 <= 1e-13)
    }

    /// Without hyperdiffusion the steady state is kept to round-off: the only error left is
    /// the time stepping's on a tendency that is itself round-off (1 day, α = π/4).
    @Test("without hyperdiffusion the error is round-off")
    func roundOff() throws {
        let alpha = Double.pi / 4
        let model = try ShallowWaterTestSupport.model(truncation: 42, nlat: 64, nlon: 128) {
            $0.rotationAxisTilt = alpha
            $0.hyperdiffusionOrder = 0
        }
        let initial = ShallowWaterTestSupport.gridState(model, .williamson2(alpha: alpha))
        let days = ShallowWaterTestSupport.days("PLUME_SW_CASE2_ROUNDOFF_DAYS", default: 1)
        let state = try model.run(model.state(from: initial), days: days)
        let h = try model.gridFields(state).h
        let l2 = try ShallowWaterTestSupport.l2Error(model, h, reference: ShallowWaterTestSupport.tensor(model, initial.h))
        print("case 2 α = π/4 without hyperdiffusion, \(days) days: h l2 \(l2)")
        #expect(l2 <= 1e-12)
    }
}
