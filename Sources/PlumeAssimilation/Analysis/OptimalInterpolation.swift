import Foundation
import PlumeGrids
import PlumeIO
import PlumeSupport

/// Optimal interpolation with a static background-error covariance:
/// x_a = x_b + B Hᵀ (H B Hᵀ + R)⁻¹ (y − H(x_b)).
///
/// B is univariate (each variable is analysed from its own observations) and separable:
/// B(x, y) = σb(x) σb(y) C_h(|x − y|) C_v(Δlevel), with `correlation` horizontally (Gaussian
/// or Gaspari–Cohn, evaluated between the observation positions themselves) and a Gaussian
/// in the level index vertically; σb per variable and level (see `BackgroundVariances.nmc`).
/// The system (H B Hᵀ + R) w = d is solved over all observations at once by conjugate
/// gradients (Jacobi preconditioner) on the sparse matrix the correlation's cut-off leaves,
/// to a relative residual of `tolerance`; no local data selection approximates it. Then
/// χ²/p = dᵀw / p, which is 1 on average when B and R are right.
///
/// With `balance`, the height analysis comes first and adds geostrophic wind increments
/// (u′ = −(g/f)∂h′/∂y, v′ = (g/f)∂h′/∂x, tapered to zero at the equator), and the wind
/// observations are then analysed against the balanced state.
public struct OptimalInterpolation: Sendable {
    public var correlation: CorrelationModel
    /// The vertical correlation length in levels (Gaussian in the level-index difference).
    public var verticalLengthLevels: Double
    /// σb by variable, one value per level, in the variable's units.
    public var backgroundSigma: [String: [Double]]
    public var balance: GeostrophicBalance?
    public var preparation: ObservationPreparation
    /// Relative residual at which conjugate gradients stop.
    public var tolerance: Double = 1e-10
    public var maximumIterations: Int = 2000

    public init(correlation: CorrelationModel, verticalLengthLevels: Double = 1, backgroundSigma: [String: [Double]],
                balance: GeostrophicBalance? = nil, preparation: ObservationPreparation = ObservationPreparation()) {
        self.correlation = correlation
        self.verticalLengthLevels = verticalLengthLevels
        self.backgroundSigma = backgroundSigma
        self.balance = balance
        self.preparation = preparation
    }

    /// Analyses `observations` (those within `window`) into `background`.
    /// - Throws: `AssimilationError` when σb does not match the state's levels or the solve fails.
    public func analyse(background: GriddedState, observations: [Observation], window: ClosedRange<CFDate>) throws(AssimilationError) -> AnalysisResult {
        for (name, sigmas) in backgroundSigma.sorted(by: { $0.key < $1.key }) {
            guard sigmas.count == background.levelCount, sigmas.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw .invalidSetting(key: "background sigma of '\(name)'", expected: "\(background.levelCount) positive values (one per level)", found: "\(sigmas)")
            }
        }
        guard verticalLengthLevels > 0 else {
            throw .invalidSetting(key: "vertical length", expected: "a positive number of levels", found: "\(verticalLengthLevels)")
        }
        var records = preparation.prepare(observations, states: [background], window: window)
        for n in records.indices where records[n].flag == .used && backgroundSigma[records[n].observation.variable] == nil {
            records[n].flag = .unknownVariable
            records[n].reason = "no background error is given for '\(records[n].observation.variable)'"
        }
        var state = background
        var chiSquared = 0.0, used = 0, iterations = 0
        var order = Set(records.filter { $0.flag == .used }.map(\.observation.variable)).sorted()
        if let balance, let k = order.firstIndex(of: balance.heightVariable) {
            order.remove(at: k)
            order.insert(balance.heightVariable, at: 0)
        }
        for variable in order {
            let members = records.indices.filter { records[$0].flag == .used && records[$0].observation.variable == variable }
            let solved = try analyseVariable(variable, records: &records, members: members, state: &state)
            chiSquared += solved.chiSquared
            used += solved.used
            iterations = max(iterations, solved.iterations)
        }
        // Every placed observation gets its analysis equivalent, used or not.
        for n in records.indices {
            if let location = records[n].location {
                records[n].analysis = ObservationPreparation.equivalent(location, variable: records[n].observation.variable, states: [state])
            }
        }
        return AnalysisResult(state: state, observations: records, chiSquaredPerObservation: used > 0 ? chiSquared / Double(used) : nil,
                              iterations: iterations)
    }

    /// σb at a fractional level.
    func sigma(_ sigmas: [Double], level: Double) -> Double {
        let k0 = min(max(Int(level.rounded(.down)), 0), sigmas.count - 1), k1 = min(k0 + 1, sigmas.count - 1)
        let w = min(max(level - Double(k0), 0), 1)
        return sigmas[k0] * (1 - w) + sigmas[k1] * w
    }

    func verticalCorrelation(_ dk: Double) -> Double { exp(-0.5 * (dk / verticalLengthLevels) * (dk / verticalLengthLevels)) }

    private func analyseVariable(_ variable: String, records: inout [AssimilatedObservation], members: [Int],
                                 state: inout GriddedState) throws(AssimilationError) -> (chiSquared: Double, used: Int, iterations: Int) {
        guard let sigmas = backgroundSigma[variable], let field = state.fields[variable] else { return (0, 0, 0) }
        // Innovations and the background check.
        var kept: [Int] = []
        for n in members {
            guard let location = records[n].location, let sigmaO = records[n].sigma else { continue }
            let b = location.equivalent(field)
            let sigmaB = sigma(sigmas, level: location.level)
            records[n].background = b
            records[n].backgroundSigma = sigmaB
            if let rejected = preparation.qualityControl.backgroundCheck(innovation: records[n].observation.value - b, backgroundSigma: sigmaB, observationSigma: sigmaO) {
                records[n].flag = rejected.flag
                records[n].reason = rejected.reason
            } else {
                kept.append(n)
            }
        }
        guard !kept.isEmpty else { return (0, 0, 0) }
        let p = kept.count
        let positions = kept.map { records[$0].location?.position ?? .zero }
        let levels = kept.map { records[$0].location?.level ?? 0 }
        let sigmaB = kept.map { records[$0].backgroundSigma ?? 0 }
        let sigmaO = kept.map { records[$0].sigma ?? 1 }
        let d = kept.map { records[$0].innovation ?? 0 }
        // S = H B Hᵀ + R, sparse by the correlation's cut-off.
        let chordCutoff = GreatCircle.chord(ofDistanceM: correlation.cutoffM)
        let index = SpherePointIndex(points: positions, cellSize: max(chordCutoff, 1e-3))
        var rowStart = [0], columns: [Int32] = [], values: [Double] = []
        for i in 0..<p {
            for j32 in index.indices(within: chordCutoff, of: positions[i]) {
                let j = Int(j32)
                var c = sigmaB[i] * sigmaB[j] * correlation(GreatCircle.distanceM(positions[i], positions[j])) * verticalCorrelation(levels[i] - levels[j])
                if i == j { c += sigmaO[i] * sigmaO[i] }
                if c != 0 { columns.append(j32); values.append(c) }
            }
            rowStart.append(columns.count)
        }
        let matrix = SparseSymmetricMatrix(rowStart: rowStart, columns: columns, values: values)
        let solution = try matrix.solveConjugateGradient(d, tolerance: tolerance, maximumIterations: maximumIterations, what: "the OI of '\(variable)'")
        let w = solution.x
        let chiSquared = zip(d, w).reduce(0) { $0 + $1.0 * $1.1 }
        // Increments: δx(g) = σb(g) Σ_o C(g, o) σb_o w_o.
        let nLat = state.grid.latitudeCount, nLon = state.grid.longitudeCount, layer = nLat * nLon, levelCount = state.levelCount
        var increment = [Double](repeating: 0, count: state.pointCount)
        let weighted = zip(sigmaB, w).map { $0 * $1 }
        let correlation = self.correlation
        let lengthLevels = verticalLengthLevels
        let latitudes = (0..<nLat).map { state.latitude($0) }, longitudes = (0..<nLon).map { state.longitude($0) }
        increment.withUnsafeMutableBufferPointer { buffer in
            let out = SharedMutablePointer(base: buffer.baseAddress!)
            parallelFor(nLat, work: layer * p) { i in
                for j in 0..<nLon {
                    let g = GreatCircle.unitVector(latitude: latitudes[i], longitude: longitudes[j])
                    let near = index.indices(within: chordCutoff, of: g)
                    guard !near.isEmpty else { continue }
                    let horizontal = near.map { correlation(GreatCircle.distanceM(g, positions[Int($0)])) }
                    for k in 0..<levelCount {
                        var sum = 0.0
                        for (m, o32) in near.enumerated() {
                            let o = Int(o32)
                            let dk = (Double(k) - levels[o]) / lengthLevels
                            sum += horizontal[m] * exp(-0.5 * dk * dk) * weighted[o]
                        }
                        out.base[k * layer + i * nLon + j] = sigmas[k] * sum
                    }
                }
            }
        }
        var updated = field
        for n in updated.indices { updated[n] += increment[n] }
        state.fields[variable] = updated
        if let balance, balance.heightVariable == variable {
            balance.addWindIncrements(heightIncrement: increment, to: &state)
        }
        return (chiSquared, p, solution.iterations)
    }
}

/// The result of an analysis: the analysed state(s), every observation with its flag and
/// equivalents, and the consistency diagnostic.
public struct AnalysisResult: Sendable {
    public var state: GriddedState
    public var observations: [AssimilatedObservation]
    /// dᵀ(HBHᵀ + R)⁻¹d / p over the used observations (OI), or the mean of
    /// d²/(σb² + σo²) with the ensemble spread as σb (LETKF): 1 when B and R are right.
    public var chiSquaredPerObservation: Double?
    /// Conjugate-gradient iterations of the largest solve (OI).
    public var iterations: Int
    /// The analysed members (LETKF); empty for OI.
    public var members: [GriddedState] = []
}
