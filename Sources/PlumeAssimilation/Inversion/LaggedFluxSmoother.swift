import Foundation
import PlumeSupport

/// CTDAS's fixed-lag ensemble Kalman smoother of weekly flux scaling factors, with two
/// additions: a persistent part of the factors, and accumulated budgets.
///
/// The state holds `lagWeeks` weeks × the regions' factors. Each cycle a new week enters
/// at the end with its prior (`startWeek`): mean (x̄ of the week before + 2 × 1) / 3 (CTDAS's
/// relaxation of the last estimate toward the prior), fresh deviations drawn from the
/// `FluxPrior`. The caller transports every member's fluxes over the window and gives the
/// model equivalents of the window's observations to `assimilate`, which applies the serial
/// square-root update to all weeks at once. When the window is full, the oldest week leaves
/// (`startWeek` returns it): its factors have seen `lagWeeks` weeks of observations and
/// are final.
///
/// **Persistent part.** With a `persistentPrior`, a week's factor is x_w + b: the weekly x_w
/// (prior `prior`, independent between weeks) plus b (mean 0, prior `persistentPrior`), shared
/// by every week and kept in the state all the run. The prior covariance of two weeks'
/// factors is then B_b + δ_ww′ B_x: a flux error that persists (a biased biosphere model)
/// is what b learns from every week's observations, where CTDAS's independent weeks would
/// each rediscover it from the week's few observations.
///
/// **Accumulated budgets.** With `budgetWeights` ([week][region], e.g. the week's prior flux
/// in PgC), the state also holds A_r = Σ F_w,r (x_w,r + b_r) over the weeks that have left.
/// A week's term enters A as it leaves and A stays in the state, so later observations keep
/// updating it through its ensemble covariance with them: since the update is linear in the
/// parameters, A ends equal to the weighted sum of the factors a smoother keeping every week
/// (and b) to the end would give, and its members' spread is that sum's uncertainty — the
/// covariance between weeks and with b included, which a sum of the weeks' own σ misses.
public struct LaggedFluxSmoother: Sendable {
    /// The prior of one week's factors (the weekly part when there is a persistent part).
    public let prior: FluxPrior
    /// The prior of the persistent part b; nil for CTDAS's independent weeks.
    public let persistentPrior: FluxPrior?
    /// Weights of the accumulated budgets, [week][region]; weeks beyond it add nothing.
    public let budgetWeights: [[Double]]
    public let lagWeeks: Int
    public let members: Int
    /// Weight of the previous week's posterior mean (weekly part) in a new week's prior
    /// mean (CTDAS: 1/3); 0 starts every week from the prior fluxes.
    public var persistence: Double
    public var update: SerialEnsembleSquareRoot
    /// The whole state's ensemble: [b (regions, with a persistent part)] [A (regions, with
    /// budget weights)] [week in window][region].
    public private(set) var ensemble: SerialEnsembleSquareRoot.Ensemble
    /// Weeks now in the window (up to `lagWeeks`).
    public private(set) var weeks = 0
    /// Weeks that have left the window (the calendar index of its first week).
    public private(set) var weeksLeft = 0
    private var random: SeededRandom

    /// A week that has left the window: its final factors (x_w + b, as they were when it
    /// left) and their standard deviations.
    public struct FinalWeek: Sendable, Equatable {
        public var mean: [Double]
        public var sigma: [Double]
        /// The posterior covariance of the week's factors, row-major [region, region].
        public var covariance: [Double]
        /// The members' final deviations, [member][region].
        public var deviations: [[Double]] = []
    }

    public init(prior: FluxPrior, persistentPrior: FluxPrior? = nil, budgetWeights: [[Double]] = [], lagWeeks: Int, members: Int,
                seed: UInt64, persistence: Double = 1.0 / 3,
                update: SerialEnsembleSquareRoot = SerialEnsembleSquareRoot()) throws(AssimilationError) {
        guard lagWeeks >= 1 else { throw .invalidSetting(key: "lag", expected: "at least 1 week", found: "\(lagWeeks)") }
        guard members >= 2 else { throw .invalidSetting(key: "ensemble", expected: "at least 2 members", found: "\(members)") }
        guard (0...1).contains(persistence) else { throw .invalidSetting(key: "persistence", expected: "a weight in [0, 1]", found: "\(persistence)") }
        if let persistentPrior, persistentPrior.count != prior.count {
            throw .shape(what: "the persistent prior", expected: "\(prior.count) regions", found: "\(persistentPrior.count)")
        }
        if let bad = budgetWeights.firstIndex(where: { $0.count != prior.count || !$0.allSatisfy(\.isFinite) }) {
            throw .shape(what: "budget weights of week \(bad)", expected: "\(prior.count) finite numbers", found: "\(budgetWeights[bad])")
        }
        self.prior = prior
        self.persistentPrior = persistentPrior
        self.budgetWeights = budgetWeights
        self.lagWeeks = lagWeeks
        self.members = members
        self.persistence = persistence
        self.update = update
        random = SeededRandom(seed: seed)
        ensemble = SerialEnsembleSquareRoot.Ensemble(mean: [], deviations: [[Double]](repeating: [], count: members))
        if let persistentPrior {
            ensemble.mean = [Double](repeating: 0, count: prior.count)
            ensemble.deviations = persistentPrior.deviations(members: members, random: &random)
        }
        if !budgetWeights.isEmpty {
            ensemble.mean += [Double](repeating: 0, count: prior.count)
            for i in 0..<members { ensemble.deviations[i] += [Double](repeating: 0, count: prior.count) }
        }
    }

    /// Where the window's weeks start in the state.
    private var windowOffset: Int { (persistentPrior == nil ? 0 : prior.count) + (budgetWeights.isEmpty ? 0 : prior.count) }
    private var budgetOffset: Int { persistentPrior == nil ? 0 : prior.count }

    /// Member i's persistent part (zeros without one).
    private func persistentPart(_ i: Int?) -> [Double] {
        guard persistentPrior != nil else { return [Double](repeating: 0, count: prior.count) }
        return (0..<prior.count).map { r in ensemble.mean[r] + (i.map { ensemble.deviations[$0][r] } ?? 0) }
    }

    /// The factors of member `i` (x_w + b, mean + deviation) over the window's weeks, [week][region].
    public func memberFactors(_ i: Int) -> [[Double]] {
        let n = prior.count, o = windowOffset, b = persistentPart(i)
        return (0..<weeks).map { w in (0..<n).map { r in ensemble.mean[o + w * n + r] + ensemble.deviations[i][o + w * n + r] + b[r] } }
    }

    /// The mean factors (x̄_w + b̄) over the window's weeks, [week][region].
    public func meanFactors() -> [[Double]] {
        let n = prior.count, o = windowOffset, b = persistentPart(nil)
        return (0..<weeks).map { w in (0..<n).map { r in ensemble.mean[o + w * n + r] + b[r] } }
    }

    /// The accumulated budgets A [region] over the weeks that have left (mean and members'
    /// deviations [member][region]); nil without budget weights.
    public var budgets: SerialEnsembleSquareRoot.Ensemble? {
        guard !budgetWeights.isEmpty else { return nil }
        let range = budgetOffset..<(budgetOffset + prior.count)
        return SerialEnsembleSquareRoot.Ensemble(mean: Array(ensemble.mean[range]), deviations: ensemble.deviations.map { Array($0[range]) })
    }

    /// Adds the next week to the window; when it was full, removes and returns the oldest.
    public mutating func startWeek() -> FinalWeek? {
        let n = prior.count, o = windowOffset
        let finished = weeks == lagWeeks ? removeOldest() : nil
        let previous = weeks > 0 ? Array(ensemble.mean[(o + (weeks - 1) * n)..<(o + weeks * n)]) : [Double](repeating: 1, count: n)
        ensemble.mean += previous.map { persistence * $0 + (1 - persistence) * 1 }
        let fresh = prior.deviations(members: members, random: &random)
        for i in 0..<members { ensemble.deviations[i] += fresh[i] }
        weeks += 1
        return finished
    }

    /// Ends the inversion: removes every week still in the window, oldest first (their
    /// factors have seen fewer than `lagWeeks` weeks of observations). The persistent part
    /// and the budgets stay.
    public mutating func finish() -> [FinalWeek] {
        var result: [FinalWeek] = []
        while weeks > 0 { result.append(removeOldest()) }
        return result
    }

    /// Removes the window's first week, with its mean and ensemble covariance, adding its
    /// weighted factors to the budgets.
    private mutating func removeOldest() -> FinalWeek {
        let n = prior.count, o = windowOffset
        let b = persistentPart(nil)
        let mean = (0..<n).map { ensemble.mean[o + $0] + b[$0] }
        let deviations = ensemble.deviations.map { x in (0..<n).map { r in x[o + r] + (persistentPrior == nil ? 0 : x[r]) } }
        if weeksLeft < budgetWeights.count {
            let weights = budgetWeights[weeksLeft], a = budgetOffset
            for r in 0..<n {
                ensemble.mean[a + r] += weights[r] * mean[r]
                for i in 0..<members { ensemble.deviations[i][a + r] += weights[r] * deviations[i][r] }
            }
        }
        let k = Double(members - 1)
        var covariance = [Double](repeating: 0, count: n * n)
        for p in 0..<n {
            for q in 0..<n { covariance[p * n + q] = deviations.reduce(0) { $0 + $1[p] * $1[q] } / k }
        }
        ensemble.mean.removeSubrange(o..<(o + n))
        for i in 0..<members { ensemble.deviations[i].removeSubrange(o..<(o + n)) }
        weeks -= 1
        weeksLeft += 1
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
