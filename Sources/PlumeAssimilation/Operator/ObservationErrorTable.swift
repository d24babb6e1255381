/// Observation errors (one standard deviation, in the variable's SI units) by variable and
/// site: the error an observation gets when its file gives none, or always when the table
/// is told to override. The most specific entry wins: a site prefix over none, a longer
/// prefix over a shorter one.
public struct ObservationErrorTable: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var variable: String
        /// Sites whose identifier starts with this (e.g. a WMO block `"10"`, an ObsPack
        /// site category `"co2_mlo"`); nil for every site.
        public var sitePrefix: String?
        public var sigma: Double
        public init(variable: String, sitePrefix: String? = nil, sigma: Double) {
            self.variable = variable
            self.sitePrefix = sitePrefix
            self.sigma = sigma
        }
    }

    public var entries: [Entry]
    /// When true the table's error replaces the file's.
    public var overridesFiles: Bool

    public init(entries: [Entry], overridesFiles: Bool = false) {
        self.entries = entries
        self.overridesFiles = overridesFiles
    }

    /// Typical errors of surface and radiosonde reports and of CO2 records (representation
    /// error included), used when nothing else is given: `t` 1.5 K, `td` 2 K, `u`/`v` 2.5 m/s,
    /// `msl`/`p` 150 Pa, `z` 120 m²/s², `h` 10 m, `co2` 1.5 µmol/mol.
    public static let standard = ObservationErrorTable(entries: [
        Entry(variable: "t", sigma: 1.5), Entry(variable: "td", sigma: 2),
        Entry(variable: "u", sigma: 2.5), Entry(variable: "v", sigma: 2.5),
        Entry(variable: "msl", sigma: 150), Entry(variable: "p", sigma: 150),
        Entry(variable: "z", sigma: 120), Entry(variable: "h", sigma: 10),
        Entry(variable: "co2", sigma: 1.5e-6),
    ])

    /// The error for an observation: the file's unless the table overrides it; nil when
    /// neither gives one.
    public func sigma(for observation: Observation) -> Double? {
        if let given = observation.sigma, !overridesFiles { return given }
        var best: Entry?
        for entry in entries where entry.variable == observation.variable {
            if let prefix = entry.sitePrefix, !observation.site.hasPrefix(prefix) { continue }
            if let current = best, (current.sitePrefix?.count ?? -1) >= (entry.sitePrefix?.count ?? -1) { continue }
            best = entry
        }
        return best?.sigma ?? observation.sigma
    }
}
