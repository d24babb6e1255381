import Foundation
import PlumePhysics
import Testing
import Torch
import PlumeConservation

/// Ensembles: a batched state runs in one set of tensor operations and gives each member
/// exactly what it gives alone; the diagnostics are per member.
@Suite("Shallow-water ensembles")
struct ShallowWaterBatchTests {
    @Test("a batch of two members matches two single runs")
    func batchMatchesSingles() throws {
        let model = try ShallowWaterTestSupport.model(truncation: 42, nlat: 64, nlon: 128)
        let members = [ShallowWaterTestSupport.gridState(model, .williamson6),
                       ShallowWaterTestSupport.gridState(model, .galewsky(perturbed: true))]
        let batch = try model.state(from: members)
        #expect(batch.batchShape == [2])
        let hours = 3.0
        let batched = try model.run(batch, days: hours / 24)
        for (i, member) in members.enumerated() {
            let single = try model.run(model.state(from: member), days: hours / 24)
            let difference = try (batched.coefficients.select(dim: 0, index: i) - single.coefficients).abs().max().item()
            let scale = try single.coefficients.abs().max().item()
            #expect(difference <= 1e-12 * scale)
        }
        let mass = try model.totalMass(batched)
        #expect(mass.shape == [2])
        let fields = try model.gridFields(batched)
        #expect(fields.h.shape == [2, 64, 128])
        let second = try fields.gridState(member: 1)
        #expect(second.h.count == 64 * 128)
    }

    @Test("run ends at the requested time with a partial last step and reports progress")
    func partialStep() throws {
        let model = try ShallowWaterTestSupport.model(truncation: 21, nlat: 32, nlon: 64)
        let state0 = try model.state(from: ShallowWaterTestSupport.gridState(model, .williamson2(alpha: 0)))
        var reports: [ShallowWaterProgress] = []
        let days = 2.5 * model.configuration.timeStep / PhysicalConstants.day
        let state = try model.run(state0, days: days) { progress, _ in reports.append(progress) }
        #expect(reports.map(\.step) == [1, 2, 3])
        #expect(reports.last?.fractionCompleted == 1)
        #expect(state.time == days * PhysicalConstants.day)
    }
}
