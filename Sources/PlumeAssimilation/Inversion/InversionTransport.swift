/// The transport that carries a flux inversion's ensemble (the reference transport model or
/// a CO2 emulator with its mass fixer and surface-flux scheme): every member's CO2 from a
/// common start, each with its own weekly regional flux factors.
///
/// Fields are CO2 mass mixing ratios in 10⁻⁶ kg kg⁻¹ (CarbonBench's `co2massmix`),
/// `[level, lat, lon]` with level 0 the lowest layer. A member's flux in week w of a run
/// (weeks of 7 days counted from the run's start) is the prior land flux × its factor for
/// the land part of each region, the prior ocean flux × its ocean factor, plus the
/// anthropogenic flux, unscaled (`FluxRegions.scaled`).
public protocol InversionTransport {
    /// Length of one step (s): the interval at which `run` reports the lowest layer.
    var stepSeconds: Double { get }

    /// Runs `factors.count` members from `initial` for `steps` steps from model time `start`
    /// (s since 1 January 00 UTC of the data's first year).
    /// - Parameters:
    ///   - factors: [member][week of the run][factor] (`FluxRegions.count` factors per week).
    ///   - observe: called after every step with its index (0 = after the first step) and
    ///     each member's lowest layer, [member][lat · lon].
    /// - Returns: each member's field at the end, [member][level · lat · lon].
    mutating func run(initial: [Double], start: Double, steps: Int, factors: [[[Double]]],
                      observe: (_ step: Int, _ lowestLayer: [[Double]]) throws -> Void) throws -> [[Double]]
}
