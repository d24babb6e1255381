import PlumeIO

/// One observation, whatever its source: where and when, what was measured, its value and
/// error, and where it came from.
public struct Observation: Sendable, Equatable {
    /// The vertical position: a height above sea level (m) or a pressure (Pa).
    public enum Vertical: Sendable, Equatable {
        case altitudeM(Double)
        case pressurePa(Double)
    }

    public var time: CFDate
    /// Degrees north.
    public var latitude: Double
    /// Degrees east.
    public var longitude: Double
    public var vertical: Vertical?
    /// The variable, by Plume's names: `co2` (mol/mol), `t` air temperature and `td` dew
    /// point (K), `u`, `v` (m/s), `z` geopotential (m²/s²), `p` pressure and `msl` mean sea
    /// level pressure (Pa), `rh` relative humidity (fraction, 0…1).
    public var variable: String
    /// In the variable's SI units (mol/mol for CO2, K, m/s, m²/s², Pa, 1 for `rh`).
    public var value: Double
    /// Observation error (one standard deviation), same units; nil when the source gives none.
    public var sigma: Double?
    /// Station or site identifier.
    public var site: String
    /// Where it was read: `FILE:RECORD`.
    public var source: String
    /// The source's own quality flag, kept as given: for ObsPack `obs_flag`, 1 = a
    /// representative measurement (use it), 0 = not representative (kept, marked). Nil when
    /// the source has no flag; readers never drop an observation for its flag.
    public var qcFlag: Int?

    public init(time: CFDate, latitude: Double, longitude: Double, vertical: Vertical?, variable: String, value: Double,
                sigma: Double?, site: String, source: String, qcFlag: Int? = nil) {
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.vertical = vertical
        self.variable = variable
        self.value = value
        self.sigma = sigma
        self.site = site
        self.source = source
        self.qcFlag = qcFlag
    }
}

/// A record that was not read, and why.
public struct SkippedRecord: Sendable, Equatable {
    /// `FILE:RECORD`.
    public var source: String
    public var reason: String
}

/// Observations read from one or more files, and every record skipped with its reason: the
/// records read plus the records skipped are the records in the files.
public struct ObservationTable: Sendable, Equatable {
    public var observations: [Observation] = []
    public var skipped: [SkippedRecord] = []
    /// Records in the files read (data rows, reports or samples).
    public var recordsInFiles = 0

    public init() {}
}

/// How malformed records are handled.
public enum ReadingMode: Sendable {
    /// The first malformed record is an error naming the file and the record.
    case strict
    /// Malformed records are skipped, each with its reason, in `ObservationTable.skipped`.
    case lenient
}

/// What is wrong with an observation file.
public enum ObservationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(source: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): \(reason)"
        case .malformed(let source, let reason): "\(source): \(reason)"
        }
    }
}
