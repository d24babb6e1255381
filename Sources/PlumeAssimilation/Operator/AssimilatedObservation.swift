import PlumeIO

/// One observation as an analysis saw it: where it fell in the model, its error, its
/// background and analysis equivalents, and its flag with the reason.
public struct AssimilatedObservation: Sendable, Equatable {
    public var observation: Observation
    /// Nil when the observation could not be placed in the model (see `flag`).
    public var location: ObservationLocation?
    /// The observation error used (σo).
    public var sigma: Double?
    /// H(x_b): the background's (or the ensemble mean's) equivalent.
    public var background: Double?
    /// The background error at the observation: the ensemble spread, or √(HBHᵀ) for OI.
    public var backgroundSigma: Double?
    /// H(x_a), after the analysis.
    public var analysis: Double?
    public var flag: ObservationFlag
    /// Why it is flagged; empty when used.
    public var reason: String

    /// O − B.
    public var innovation: Double? { background.map { observation.value - $0 } }
    /// O − A.
    public var analysisResidual: Double? { analysis.map { observation.value - $0 } }
}

/// The steps every analysis shares before its update: each observation placed in the states
/// (operator), given its error (table), range-checked, and its background equivalent computed.
public struct ObservationPreparation: Sendable {
    public var operator_: ObservationOperator
    public var errors: ObservationErrorTable
    public var qualityControl: QualityControl

    public init(operator operator_: ObservationOperator = ObservationOperator(), errors: ObservationErrorTable = .standard,
                qualityControl: QualityControl = QualityControl()) {
        self.operator_ = operator_
        self.errors = errors
        self.qualityControl = qualityControl
    }

    /// Every observation with its location, error and flag (not yet its background).
    public func prepare(_ observations: [Observation], states: [GriddedState], window: ClosedRange<CFDate>) -> [AssimilatedObservation] {
        observations.map { observation in
            var record = AssimilatedObservation(observation: observation, location: nil, sigma: errors.sigma(for: observation),
                                                background: nil, backgroundSigma: nil, analysis: nil, flag: .used, reason: "")
            if let rejected = qualityControl.rangeCheck(observation) {
                record.flag = rejected.flag
                record.reason = rejected.reason
                return record
            }
            switch operator_.locate(observation, in: states, window: window) {
            case .success(let location): record.location = location
            case .failure(let flagged):
                record.flag = flagged.flag
                record.reason = flagged.reason
                return record
            }
            guard let sigma = record.sigma, sigma > 0 else {
                record.flag = .noErrorEstimate
                record.reason = "no observation error for '\(observation.variable)' at site '\(observation.site)'"
                return record
            }
            // The source's own flag (ObsPack's obs_flag 0: not representative): located, so its
            // O − B is still reported, but not assimilated.
            if observation.qcFlag == 0 {
                record.flag = .flaggedAtSource
                record.reason = "the source flags it as not to be used (flag 0)"
            }
            return record
        }
    }

    /// The equivalent of a located observation in a sequence of states.
    public static func equivalent(_ location: ObservationLocation, variable: String, states: [GriddedState]) -> Double? {
        guard let earlier = states[location.earlierState].fields[variable], let later = states[location.laterState].fields[variable] else { return nil }
        return location.equivalent(earlier, later)
    }
}
