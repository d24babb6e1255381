/// One 2-D field to be written as a GRIB 2 message by `GRIBWriter`: what it is
/// (parameter, level), when (reference time, step, ensemble member), where (grid) and its
/// values in Plume's grid order (`GRIBOutputGrid`), NaN where missing.
public struct GRIBOutputField: Sendable {
    /// How the parameter is named to ecCodes.
    public enum Parameter: Sendable, Hashable, CustomStringConvertible {
        /// An ecCodes `shortName` (`"u"`, `"v"`, `"gh"`, `"vo"`, `"t"`, `"z"`, `"msl"`, …).
        case shortName(String)
        /// An ecCodes `paramId` (131 for u, 129 for z, …).
        case paramId(Int)
        /// GRIB 2 discipline, parameterCategory and parameterNumber.
        case code(discipline: Int, category: Int, number: Int)

        public var description: String {
            switch self {
            case .shortName(let s): s
            case .paramId(let id): "paramId \(id)"
            case .code(let d, let c, let n): "parameter \(d).\(c).\(n)"
            }
        }
    }

    /// The vertical level: an ecCodes `typeOfLevel` and the level's value in that type's
    /// unit (hPa for `isobaricInhPa`, m for `heightAboveGround`, …; whole numbers).
    public struct Level: Sendable, Hashable, CustomStringConvertible {
        public var typeOfLevel: String
        public var value: Double

        public init(_ typeOfLevel: String, _ value: Double = 0) {
            self.typeOfLevel = typeOfLevel
            self.value = value
        }

        public static let surface = Level("surface")
        public static let meanSea = Level("meanSea")
        /// A pressure level in hPa.
        public static func isobaricInhPa(_ hPa: Double) -> Level { Level("isobaricInhPa", hPa) }

        public var description: String {
            value == value.rounded() && abs(value) < 1e15 ? "\(typeOfLevel) \(Int(value))" : "\(typeOfLevel) \(value)"
        }
    }

    public var parameter: Parameter
    /// The level; nil leaves it to the parameter (ecCodes sets `msl` on `meanSea`, `2t` at
    /// 2 m above ground) or, failing that, the ecCodes sample's surface.
    public var level: Level?
    /// Reference (analysis or forecast start) time, Gregorian calendar, UTC, whole seconds.
    public var referenceTime: CFDate
    /// Forecast step in hours (written in hours, or in minutes when not a whole number of hours).
    public var stepHours: Double
    /// Ensemble member number; nil for a deterministic field.
    public var ensembleNumber: Int?
    /// Number of members in the ensemble (`numberOfForecastsInEnsemble`), when known.
    public var ensembleSize: Int?
    public var grid: GRIBOutputGrid
    /// Values in grid order (`grid.shape`, row-major), NaN where missing.
    public var values: [Double]
    /// Packing for this field; nil uses the writer's.
    public var packing: GRIBPacking?
    /// Further ecCodes keys set after the sample is loaded and before the product keys
    /// (e.g. `centre`, `dataType`, `generatingProcessIdentifier`), in order.
    public var additionalKeys: [GRIBKeySetting]

    public init(
        parameter: Parameter, level: Level?, referenceTime: CFDate, stepHours: Double = 0,
        ensembleNumber: Int? = nil, ensembleSize: Int? = nil, grid: GRIBOutputGrid, values: [Double],
        packing: GRIBPacking? = nil, additionalKeys: [GRIBKeySetting] = []
    ) {
        self.parameter = parameter
        self.level = level
        self.referenceTime = referenceTime
        self.stepHours = stepHours
        self.ensembleNumber = ensembleNumber
        self.ensembleSize = ensembleSize
        self.grid = grid
        self.values = values
        self.packing = packing
        self.additionalKeys = additionalKeys
    }

    /// A field with `Float` values (converted to `Double` exactly).
    public init(
        parameter: Parameter, level: Level?, referenceTime: CFDate, stepHours: Double = 0,
        ensembleNumber: Int? = nil, ensembleSize: Int? = nil, grid: GRIBOutputGrid, values: [Float],
        packing: GRIBPacking? = nil, additionalKeys: [GRIBKeySetting] = []
    ) {
        self.init(parameter: parameter, level: level, referenceTime: referenceTime, stepHours: stepHours,
                  ensembleNumber: ensembleNumber, ensembleSize: ensembleSize, grid: grid, values: values.map(Double.init),
                  packing: packing, additionalKeys: additionalKeys)
    }

    /// A one-line description for error messages, e.g. `u isobaricInhPa 500 2017-01-01T00:00:00 +6 h member 3`.
    public var summary: String {
        var s = parameter.description
        if let level { s += " \(level)" }
        s += " \(referenceTime)"
        if stepHours != 0 { s += " +\(stepHours == stepHours.rounded() && abs(stepHours) < 1e15 ? "\(Int(stepHours))" : "\(stepHours)") h" }
        if let ensembleNumber { s += " member \(ensembleNumber)" }
        return s
    }
}

/// An ecCodes key and the value to set it to.
public struct GRIBKeySetting: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case long(Int)
        case double(Double)
        case string(String)
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }
}
