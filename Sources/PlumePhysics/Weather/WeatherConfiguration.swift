import Foundation
import PlumeConservation

/// The forced-dissipative "weather" configuration of `ShallowWaterModel`: a one-layer
/// atmosphere that runs for model years in a statistically steady state with mid-latitude
/// jets and eddies (Held & Suarez-like forcing for a single layer).
///
/// Forcing and dissipation, each a term of the model's configuration:
/// - Newtonian relaxation of the geopotential Φ = g·h toward a zonally symmetric
///   equilibrium whose free surface is in gradient-wind balance with two mid-latitude jets
///   (`ZonalJetEquilibrium`), time scale `relaxationTime` (the "radiative" forcing that
///   restores the jets' meridional height gradient), and of the zonal-mean vorticity toward
///   the jets' (`vorticityRelaxationTime`, `ZonalVorticityRelaxation`);
/// - linear (Rayleigh) drag on vorticity and divergence, `dragTime` (boundary-layer friction);
/// - ∇^{2p} hyperdiffusion at the truncation degree (`hyperdiffusionOrder`,
///   `hyperdiffusionTime`), which removes the enstrophy cascade;
/// - seeded stochastic vorticity forcing, AR(1) in time, in a band of total wavenumbers and
///   localised to mid-latitudes (`WeatherStochasticForcing`): the "weather" noise that keeps
///   the eddies from settling into a single regular wave;
/// - optional idealised orography (`WeatherOrography`): two Northern-Hemisphere mountain
///   ranges that anchor stationary waves and make the hemispheres differ.
///
/// The jets are barotropically unstable (Rayleigh–Kuo: β − u_yy changes sign on their
/// flanks), so eddies grow, mix momentum and vorticity, and are damped by the drag and the
/// hyperdiffusion while the relaxation rebuilds the jets.
///
/// All times in seconds, lengths in metres, angles in degrees, unless stated otherwise.
public struct WeatherConfiguration: Sendable, Equatable {
    /// Triangular truncation T (lmax = mmax = T + 1). Alias-free products need a Gaussian
    /// grid with nlat ≥ (3T + 1)/2: T42 on N32 (64 × 128), T85 on N64 (128 × 256).
    public var truncation: Int
    /// Area-mean depth of the free surface H, m (gravity-wave speed √(gH) ≈ 313 m s⁻¹ at 10 km).
    public var meanDepth: Double
    /// Peak speed of each equilibrium jet, m s⁻¹.
    public var jetSpeed: Double
    /// Latitude of the jet cores (one per hemisphere, at ±`jetLatitude`), degrees.
    public var jetLatitude: Double
    /// e-folding half-width of the Gaussian jet profile in latitude, degrees.
    public var jetWidth: Double
    /// Relaxation time of Φ toward the equilibrium, s.
    public var relaxationTime: Double
    /// Relaxation time of the zonal-mean (m = 0) ζ toward the equilibrium jets' vorticity, s;
    /// `nil`: none. See `ZonalVorticityRelaxation`: relaxing Φ alone hardly forces jets
    /// narrower than the deformation radius, and the eddies are left undamped by it.
    public var vorticityRelaxationTime: Double?
    /// Linear drag time of ζ and δ, s.
    public var dragTime: Double
    /// Order p of the hyperdiffusion ∇^{2p} (4: ∇⁸).
    public var hyperdiffusionOrder: Int
    /// e-folding time of the hyperdiffusion at the truncation degree, s.
    public var hyperdiffusionTime: Double
    /// rms of the stochastic vorticity tendency where the latitude mask is 1, s⁻² (0: none).
    public var forcingAmplitude: Double
    /// Total wavenumbers l forced (orders 1 ≤ m ≤ l; zonal means are not forced directly).
    public var forcingDegrees: ClosedRange<Int>
    /// Decorrelation time τ of the AR(1) forcing pattern, s (r = exp(−Δt/τ) per step).
    public var forcingCorrelationTime: Double
    /// Centre of the forcing's latitude mask exp(−((|φ| − φ₀)/w)²), degrees.
    public var forcingLatitude: Double
    /// Width w of the forcing's latitude mask, degrees.
    public var forcingLatitudeWidth: Double
    /// Peak height of the idealised mountains, m (0: flat bottom). See `WeatherOrography`.
    public var mountainHeight: Double
    /// rms of the seeded initial vorticity perturbation (forcing band and mask), s⁻¹.
    public var initialPerturbation: Double
    /// Interval between output snapshots, s (6 h). The time step divides it exactly.
    public var outputIntervalSeconds: Double
    /// Time step, s; `nil`: `ShallowWaterConfiguration.suggestedTimeStep(truncation:)`
    /// shortened to divide `outputIntervalSeconds` (T42: 600 s, T85: 295.9 s).
    public var timeStep: Double?

    /// The default configuration at truncation T`truncation`: H = 10 km, two 60 m s⁻¹ jets at
    /// ±45° (width 10°), relaxation of Φ and of the zonal-mean ζ 15 days, drag 20 days, ∇⁸ with 0.25 day at the
    /// truncation degree, stochastic forcing 2.5·10⁻¹⁰ s⁻² in l = 8…20 with a 2-day memory at
    /// 45° ± 12°, 2 km mountains, 6-hourly output.
    public init(truncation: Int = 42) {
        self.truncation = truncation
        meanDepth = 10_000
        jetSpeed = 60
        jetLatitude = 45
        jetWidth = 10
        relaxationTime = 15 * PhysicalConstants.day
        vorticityRelaxationTime = 15 * PhysicalConstants.day
        dragTime = 20 * PhysicalConstants.day
        hyperdiffusionOrder = 4
        hyperdiffusionTime = 0.25 * PhysicalConstants.day
        forcingAmplitude = 2.5e-10
        forcingDegrees = 8...20
        forcingCorrelationTime = 2 * PhysicalConstants.day
        forcingLatitude = 45
        forcingLatitudeWidth = 12
        mountainHeight = 2000
        initialPerturbation = 1e-6
        outputIntervalSeconds = 6 * 3600
        timeStep = nil
    }

    /// The time step used, s: `timeStep`, or the suggested one made to divide `outputIntervalSeconds`.
    public var effectiveTimeStep: Double {
        if let timeStep { return timeStep }
        let suggested = ShallowWaterConfiguration.suggestedTimeStep(truncation: truncation)
        let steps = max(1, (outputIntervalSeconds / suggested - 1e-9).rounded(.up))
        return outputIntervalSeconds / steps
    }

    /// Model steps per output interval (`outputIntervalSeconds / effectiveTimeStep`, rounded).
    public var stepsPerOutput: Int { max(1, Int((outputIntervalSeconds / effectiveTimeStep).rounded())) }

    /// Checks every setting; the error names the setting and its value.
    public func validate() throws(WeatherGeneratorError) {
        func fail(_ name: String, _ value: Any, _ reason: String) -> WeatherGeneratorError {
            .invalidSetting(name: name, value: "\(value)", reason: reason)
        }
        guard truncation >= 2 else { throw fail("truncation", truncation, "must be at least 2") }
        for (name, value) in [("meanDepth", meanDepth), ("relaxationTime", relaxationTime), ("dragTime", dragTime),
                              ("hyperdiffusionTime", hyperdiffusionTime), ("jetWidth", jetWidth),
                              ("forcingCorrelationTime", forcingCorrelationTime),
                              ("forcingLatitudeWidth", forcingLatitudeWidth), ("outputIntervalSeconds", outputIntervalSeconds)] {
            guard value.isFinite, value > 0 else { throw fail(name, value, "must be positive") }
        }
        for (name, value) in [("jetSpeed", jetSpeed), ("forcingAmplitude", forcingAmplitude),
                              ("mountainHeight", mountainHeight), ("initialPerturbation", initialPerturbation)] {
            guard value.isFinite, value >= 0 else { throw fail(name, value, "must be ≥ 0") }
        }
        guard (0...90).contains(jetLatitude) else { throw fail("jetLatitude", jetLatitude, "must be in 0…90°") }
        guard (0...90).contains(forcingLatitude) else { throw fail("forcingLatitude", forcingLatitude, "must be in 0…90°") }
        guard hyperdiffusionOrder >= 0 else { throw fail("hyperdiffusionOrder", hyperdiffusionOrder, "must be ≥ 0") }
        guard forcingDegrees.lowerBound >= 1, forcingDegrees.upperBound <= truncation else {
            throw fail("forcingDegrees", forcingDegrees, "must lie within 1…\(truncation) (the truncation)")
        }
        guard mountainHeight < meanDepth / 2 else {
            throw fail("mountainHeight", mountainHeight, "must be below half the mean depth (\(meanDepth / 2) m)")
        }
        if let tau = vorticityRelaxationTime, !(tau.isFinite && tau > 0) {
            throw fail("vorticityRelaxationTime", tau, "must be positive")
        }
        if let timeStep {
            guard timeStep.isFinite, timeStep > 0 else { throw fail("timeStep", timeStep, "must be positive") }
            let ratio = outputIntervalSeconds / timeStep
            guard abs(ratio - ratio.rounded()) < 1e-9 * ratio else {
                throw fail("timeStep", timeStep, "must divide the output interval (\(outputIntervalSeconds) s)")
            }
        }
    }

    /// One line `key=value unit; …` of every setting, for the `configuration` attribute of
    /// the output files.
    public var summary: String {
        let day = PhysicalConstants.day
        func g(_ x: Double) -> String { String(format: "%g", x) }
        return [
            "forced-dissipative shallow water (spectral, vorticity-divergence, RK4)",
            "truncation=T\(truncation)", "time_step=\(g(effectiveTimeStep)) s", "mean_depth=\(g(meanDepth)) m",
            "jets=\(g(jetSpeed)) m s-1 at +-\(g(jetLatitude)) deg, width \(g(jetWidth)) deg (gradient-wind balanced h)",
            "relaxation_of_h=\(g(relaxationTime / day)) day",
            "relaxation_of_zonal_mean_vorticity=\(vorticityRelaxationTime.map { g($0 / day) + " day" } ?? "none")", "drag=\(g(dragTime / day)) day",
            "hyperdiffusion=del^\(2 * hyperdiffusionOrder), \(g(hyperdiffusionTime / day)) day at l=\(truncation)",
            "stochastic_vorticity_forcing=\(g(forcingAmplitude)) s-2 rms, l=\(forcingDegrees.lowerBound)-\(forcingDegrees.upperBound), "
                + "AR(1) \(g(forcingCorrelationTime / day)) day, at +-\(g(forcingLatitude)) deg width \(g(forcingLatitudeWidth)) deg",
            "orography=\(mountainHeight > 0 ? "two idealised mountains, \(g(mountainHeight)) m" : "none")",
            "gravity=\(g(PhysicalConstants.shallowWaterGravity)) m s-2", "radius=\(g(PhysicalConstants.earthRadius)) m",
            "rotation=\(g(PhysicalConstants.earthRotation)) s-1",
        ].joined(separator: "; ")
    }
}
