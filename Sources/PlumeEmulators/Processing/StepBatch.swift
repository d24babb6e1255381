import Torch

/// The inputs of one emulator step for a batch of samples: tensors `[batch, level, lat, lon]`
/// (2-D variables have one level), in the data's units.
public struct StepBatch {
    /// Prognostic variables at t.
    public var state: [String: Tensor]
    /// Forcing variables at t (surface fluxes: mean over [t, t + Δt]).
    public var forcing: [String: Tensor]
    /// Forcing variables at t + Δt.
    public var forcingNext: [String: Tensor]
    /// Day of the year at t of each sample (0 = 1 January 00:00), for the time-of-year input.
    public var dayOfYear: [Double]
    /// The physics prior at t + Δt of each prognostic variable (`processing.physics_prior`;
    /// empty without one): `ReferenceTransportPrior.advance` of `state`.
    public var prior: [String: Tensor] = [:]

    public init(state: [String: Tensor], forcing: [String: Tensor], forcingNext: [String: Tensor], dayOfYear: [Double]) {
        self.state = state
        self.forcing = forcing
        self.forcingNext = forcingNext
        self.dayOfYear = dayOfYear
    }

    /// Samples in the batch.
    public var batchSize: Int { dayOfYear.count }
}
