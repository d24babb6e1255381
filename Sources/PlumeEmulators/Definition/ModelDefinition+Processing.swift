extension ModelDefinition {
    /// Pre- and post-processing around the network (CarbonBench, Benson et al. 2024 §3), the
    /// same in training and inference.
    ///
    /// Inputs are normalised per variable and level with the training statistics; the
    /// network predicts the normalised one-step change of each prognostic variable
    /// (q(t+Δt) = q(t) + y·σΔ[l] + μΔ[l]), or with a physics prior its correction to the
    /// prior (q(t+Δt) = prior + y·σΔ[l]). For `transport`, the tracer input is centred (its
    /// normalised mean over cells and levels removed per sample), negative predictions are
    /// clamped, the mass fixer restores the previous global mass (inference), and the
    /// explicit surface flux adds the exact source to the lowest layer (training and inference).
    public struct Processing: Codable, Sendable, Equatable {
        /// The tracer (transport): mixing ratio in 10⁻⁶ kg/kg, `[time, level, lat, lon]`.
        public var tracer: String = "co2massmix"
        /// Air mass per cell in Pg, `[time, level, lat, lon]` (transport; a forcing).
        public var airMass: String = "airmass"
        /// Cell areas in m², `[lat, lon]` (transport; a static input or read from the data).
        public var cellArea: String = "cell_area"
        /// Surface fluxes of the tracer in kg m⁻² s⁻¹, mean over [t, t + Δt], `[time, lat, lon]`.
        public var fluxes: [String] = ["co2flux_land", "co2flux_ocean", "co2flux_anthro"]
        /// Subtract the per-sample mean of the normalised tracer input (transport).
        public var centreTracer: Bool = true
        /// Mass fixer after each step at inference: `scale`, `shift` or `none`.
        public var massFixer: String = "scale"
        /// Apply the explicit surface-flux scheme after each step (transport).
        public var surfaceFlux: Bool = true
        /// A physical model the network corrects (transport): `none`, or
        /// `reference_transport` — the tracer advanced over the step by the reference 3-D
        /// transport on the emulator's grid, driven by the data file's layer winds
        /// (`ReferenceTransportPrior`); it is an extra input, and the network predicts the
        /// normalised correction to it: q(t+Δt) = prior + y·σΔ[l].
        public var physicsPrior: String = "none"
        /// The prior's transport step, hours: a whole divisor of `time_step_hours`. Longer steps
        /// make the prior cheaper and coarser (the truth of CarbonBench-mini steps 1 h at 2.8125°).
        public var physicsPriorStepHours: Double = 1

        /// The values of `physics_prior`.
        public static let physicsPriors = ["none", "reference_transport"]

        /// Whether the network corrects a physics prior.
        public var usesPhysicsPrior: Bool { physicsPrior != "none" }

        public init() {}

        enum CodingKeys: String, CodingKey {
            case tracer
            case airMass = "air_mass"
            case cellArea = "cell_area"
            case fluxes
            case centreTracer = "centre_tracer"
            case massFixer = "mass_fixer"
            case surfaceFlux = "surface_flux"
            case physicsPrior = "physics_prior"
            case physicsPriorStepHours = "physics_prior_step_hours"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Processing()
            tracer = try c.decodeIfPresent(String.self, forKey: .tracer) ?? d.tracer
            airMass = try c.decodeIfPresent(String.self, forKey: .airMass) ?? d.airMass
            cellArea = try c.decodeIfPresent(String.self, forKey: .cellArea) ?? d.cellArea
            fluxes = try c.decodeIfPresent([String].self, forKey: .fluxes) ?? d.fluxes
            centreTracer = try c.decodeIfPresent(Bool.self, forKey: .centreTracer) ?? d.centreTracer
            massFixer = try c.decodeIfPresent(String.self, forKey: .massFixer) ?? d.massFixer
            surfaceFlux = try c.decodeIfPresent(Bool.self, forKey: .surfaceFlux) ?? d.surfaceFlux
            physicsPrior = try c.decodeIfPresent(String.self, forKey: .physicsPrior) ?? d.physicsPrior
            physicsPriorStepHours = try c.decodeIfPresent(Double.self, forKey: .physicsPriorStepHours) ?? d.physicsPriorStepHours
        }
    }
}
