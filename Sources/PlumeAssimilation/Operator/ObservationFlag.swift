/// Why an observation is or is not used by an analysis. Every observation keeps its flag:
/// flagged observations are reported, never dropped.
public enum ObservationFlag: String, Sendable, Equatable, CaseIterable, Codable {
    /// Used in the analysis.
    case used
    /// Outside the model's horizontal domain, or above its top level.
    case outsideDomain = "outside-domain"
    /// Below the model's surface (or its lowest level) by more than the operator's tolerance.
    case belowSurface = "below-surface"
    /// Outside the assimilation window.
    case outsideWindow = "outside-window"
    /// At a height or pressure the state cannot place (it has no heights or level pressures).
    case noVerticalCoordinate = "no-vertical-coordinate"
    /// A variable the state does not hold.
    case unknownVariable = "unknown-variable"
    /// A value outside the variable's physical range (a gross error).
    case outOfRange = "out-of-range"
    /// |O − B| above k·√(σb² + σo²): CTDAS's rejection (k = 3), with σb the ensemble spread
    /// or the static background error at the observation.
    case backgroundCheck = "background-check"
    /// Marked as not to be used by its source (ObsPack `obs_flag` 0).
    case flaggedAtSource = "flagged-at-source"
    /// Neither the observation nor the error table gives an observation error.
    case noErrorEstimate = "no-error-estimate"
}
