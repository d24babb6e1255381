import Foundation
import PlumeSupport

/// CTDAS's fixed-lag ensemble Kalman smoother of weekly flux scaling factors.
///
/// The state holds `lagWeeks` weeks × the regions' factors. Each cycle a new week enters
/// at the end with its prior (`startWeek`): mean (x̄ of the week before + 2 × 1) / 3 (CTDAS's
/// relaxation of the last estimate toward the prior), fresh deviations drawn from the
/// `FluxPrior`. The caller transports every member's fluxes over the window and gives the
/// model equivalents of the window's observations to `assimilate`, which applies the serial
/// square-root update to all weeks at once. When the window is full, the oldest week leaves
/// (`startWeek` returns it): its factors have seen `lagWeeks` weeks of observations and
/// are final.
public struct LaggedFluxSmoother: Sendable {
    public let prior: FluxPrior
    public let lagWeeks: Int
    public let members: Int
    /// Weight of the previous week's posterior mean in a new week's prior mean (CTDAS: 1/3);
    /// 0 starts every week from the prior fluxes.
    public var persistence: Double
    public var update: SerialEnsembleSquareRoot
    /// The window's ensemble: mean and deviations over [week in window][region].
    public private(set) var ensemble: SerialEnsembleSquareRoot.Ensemble
    /// Weeks now in the window (up to `lagWeeks`).
    public private(set) var weeks = 0
    private var random: SeededRandom

    /// A week that has left the window: its final factors and their standard deviations.
    public struct FinalWeek: Sendable, Equatable {
        public var mean: [Double]
        public var sigma: [Double]
        /// The posterior covariance of the week's factors, row-major [region, region].
        public var covariance: [Double]
        /// The members' final deviations, [member][region]: with those of the other weeks
        /// (same member index) they carry the covariance between weeks that shared the
        /// window, which sums of weekly fluxes (annual budgets) need.
        public var deviations: [[Double]] = []
    }

    public init(prior: FluxPrior, lagWeeks: Int, members: Int, seed: UInt64, persistence: Double = 1.0 / 3,
                update: SerialEnsembleSquareRoot = SerialEnsembleSquareRoot()) throws(AssimilationError) {
        guard lagWeeks >= 1 else { throw .invalidSetting(key: "lag", expected: "at least 1 week", found: "\(lagWeeks)") }
        guard members >= 2 else { throw .invalidSetting(key: "ensemble", expected: "at least 2 members", found: "\(members)") }
        guard (0...1).contains(persistence) else { throw .invalidSetting(key: "persistence", expected: "a weight in [0, 1]", found: "\(persistence)") }
        self.prior = prior
        self.lagWeeks = lagWeeks
        self.members = members
        self.persistence = persistence
        self.update = update
        random = SeededRandom(seed: seed)
        ensemble = SerialEnsembleSquareRoot.Ensemble(mean: [], deviations: [[Double]](repeating: [], count: members))
    }

    /// The factors of member `i` (mean + deviation) over the window's weeks, [week][region].
    public func memberFactors(_ i: Int) -> [[Double]] {
        let n = prior.count
        return (0..<weeks).map { w in (0..<n).map { r in ensemble.mean[w * n + r] + ensemble.deviations[i][w * n + r] } }
    }

    /// Adds the next week to the window; when it was full, removes and returns the oldest.
    public mutating func startWeek() -> FinalWeek? {
        let n = prior.count
        let finished = weeks == lagWeeks ? removeOldest() : nil
        let previous = weeks > 0 ? Array(ensemble.mean[((weeks - 1) * n)..<(weeks * n)]) : [Double](repeating: 1, count: n)
        ensemble.mean += previous.map { persistence * $0 + (1 - persistence) * 1 }
        let fresh = prior.deviations(members: members, random: &random)
        for i in 0..<members { ensemble.deviations[i] += fresh[i] }
        weeks += 1
        return finished
    }

    /// Ends the inversion: removes every week still in the window, oldest first (their
    /// factors have seen fewer than `lagWeeks` weeks of observations).
    public mutating func finish() -> [FinalWeek] {
        var result: [FinalWeek] = []
        while weeks > 0 { result.append(removeOldest()) }
        return result
    }

    /// Removes the window's first week, with its mean and ensemble covariance.
    private mutating func removeOldest() -> FinalWeek {
        let n = prior.count
        let mean = Array(ensemble.mean[0..<n])
        let deviations = ensemble.deviations.map { Array($0[0..<n]) }
        let k = Double(members - 1)
        var covariance = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in 0..<n { covariance[a * n + b] = ensemble.deviations.reduce(0) { $0 + $1[a] * $1[b] } / k }
        }
        ensemble.mean.removeFirst(n)
        for i in 0..<members { ensemble.deviations[i].removeFirst(n) }
        weeks -= 1
        return FinalWeek(mean: mean, sigma: (0..<n).map { covariance[$0 * n + $0].squareRoot() }, covariance: covariance,
                         deviations: deviations)
    }

    /// Assimilates the window's observations: `equivalents[i][o]` is observation o simulated
    /// with member i's factors (`memberFactors(i)`).
    public mutating func assimilate(equivalents: [[Double]], values: [Double], sigmas: [Double]) throws(AssimilationError) -> SerialEnsembleSquareRoot.Outcome {
        let outcome = try update.update(ensemble, equivalents: equivalents, values: values, sigmas: sigmas)
        ensemble = outcome.ensemble
        return outcome
    }
}
