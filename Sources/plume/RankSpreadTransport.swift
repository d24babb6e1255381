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
        let fields = try base.run(initial: initial, start: start, steps: steps, factors: Array(factors[lower..<upper])) { step, lowest in
            try observe(step, try Self.gather(lowest, members: n, first: lower, group: group))
        }
        return try Self.gather(fields, members: n, first: lower, group: group)
    }

    /// All ranks' rows: `mine` (rows first ..< first + mine.count of `members`, equal lengths) summed with zeros elsewhere.
    static func gather(_ mine: [[Double]], members: Int, first: Int, group: ProcessGroup) throws -> [[Double]] {
        let width = mine.first?.count ?? 0
        let width64 = try Tensor([Double(width)])
        try group.allReduce([width64], .max)
        let columns = Int(try width64.item())
        guard mine.allSatisfy({ $0.count == columns }) else {
            throw TorchError(operation: "gather members", message: "rank \(group.rank): fields of \(mine.map(\.count)) values, the ranks' widest is \(columns)")
        }
        var flat = [Double](repeating: 0, count: members * columns)
        for (k, row) in mine.enumerated() { flat.replaceSubrange((first + k) * columns..<(first + k + 1) * columns, with: row) }
        let all = try Tensor(flat, shape: [members, columns])
        try group.allReduce([all])
        let values = try all.toArray(of: Double.self)
        return (0..<members).map { Array(values[$0 * columns..<($0 + 1) * columns]) }
    }
}
