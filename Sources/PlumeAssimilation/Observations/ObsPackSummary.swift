/// What reading one ObsPack file gave, beyond the observations: the site, the units the
/// values were converted from, and how many records went where.
public struct ObsPackSummary: Sendable, Equatable {
    public var file: String
    /// The site code (global `site_code`, else from the file name).
    public var site: String
    /// The `units` of `value` as the file gives them (`mol mol-1`, `ppm`…).
    public var valueUnits: String
    /// The factor values and uncertainties were multiplied by to be mol/mol: 1, or 1e-6
    /// for ppm and µmol/mol.
    public var valueScale: Double
    /// Records in the file (the `obs` dimension): read + skipped.
    public var records = 0
    public var read = 0
    /// Records skipped as malformed (lenient mode).
    public var malformed = 0
    /// Records outside the time window (skipped in every mode).
    public var outsideWindow = 0
    /// Records read with `obs_flag` 0 (kept, marked not representative).
    public var notRepresentative = 0

    public init(file: String, site: String, valueUnits: String, valueScale: Double) {
        self.file = file
        self.site = site
        self.valueUnits = valueUnits
        self.valueScale = valueScale
    }
}
