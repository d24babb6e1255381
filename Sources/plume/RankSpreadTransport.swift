import PlumeAssimilation
import Torch

/// An inversion transport whose members are spread over the ranks of a c10d group
/// (`plume osse co2 --nproc N`): rank r runs members ⌊n·r/W⌋ ..< ⌊n·(r+1)/W⌋ through its own
/// `base`, and every step's lowest layers and the final fields are gathered by a sum
/// all-reduce in which the other ranks' rows are zero (exact), so every rank observes the same
/// ensemble, bit for bit, and runs the same analysis. Runs with fewer members than ranks (the
/// posterior mean) run whole on every rank, without collectives.
struct RankSpreadTransport<Base: InversionTransport>: InversionTransport {
    var base: Base
    let group: ProcessGroup

    var stepSeconds: Double { base.stepSeconds }

    mutating func run(initial: [Double], start: Double, steps: Int, factors: [[[Double]]],
                      observe: (_ step: Int, _ lowestLayer: [[Double]]) throws -> Void) throws -> [[Double]] {
        let n = factors.count, w = group.worldSize, r = group.rank
        guard n >= w, w > 1 else { return try base.run(initial: initial, start: start, steps: steps, factors: factors, observe: observe) }
        let lower = n * r / w, upper = n * (r + 1) / w
        let group = self.group
        // n ≥ W: every rank runs at least one member, so each knows the widths.
        let fields = try base.run(initial: initial, start: start, steps: steps, factors: Array(factors[lower..<upper])) { step, lowest in
            try observe(step, try group.gatherRows(lowest, first: lower, count: n, width: lowest.first?.count ?? 0))
        }
        return try group.gatherRows(fields, first: lower, count: n, width: fields.first?.count ?? 0)
    }
}
