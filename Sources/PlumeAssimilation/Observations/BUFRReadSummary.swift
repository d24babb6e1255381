/// What reading one BUFR file gave, so that nothing is invisible: the reports read and
/// skipped, the observations by variable, and the values that were not turned into
/// observations (missing in the report, or with nothing to place them).
public struct BUFRReadSummary: Sendable, Equatable {
    public var file: String
    /// BUFR messages in the file.
    public var messages = 0
    /// Reports (subsets): the file's records. `reportsRead + reportsSkipped == reports`.
    public var reports = 0
    public var reportsRead = 0
    public var reportsSkipped = 0
    /// Reports read that gave no observation (e.g. SYNOP supplementary sections carrying
    /// only extremes, sunshine or weather codes).
    public var reportsWithoutValues = 0
    /// Observations added to the table, by variable (`t`, `td`, `u`, `v`, `z`, `p`, `msl`, `rh`).
    public var observationsByVariable: [String: Int] = [:]
    /// Elements present in a report but given as missing, by ecCodes key (`airTemperature`,
    /// `windSpeed`…): absent values, not errors.
    public var missingValues: [String: Int] = [:]
    /// Values present that could not be made observations, by reason ("wind speed without
    /// a direction", "airTemperature before any pressure level"…).
    public var unplaced: [String: Int] = [:]

    public init(file: String) {
        self.file = file
    }

    /// Observations added, all variables.
    public var observations: Int { observationsByVariable.values.reduce(0, +) }
}
