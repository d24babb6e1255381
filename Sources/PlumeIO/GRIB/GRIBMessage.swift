/// The keys of one GRIB message, read without decoding its values.
///
/// A GRIB 2 message can hold several fields (sections 2–7 repeated); each field is listed
/// on its own, with `field` its position in the message and the message's `index`,
/// `offset` and `length`.
public struct GRIBMessage: Sendable, Equatable {
    /// Position of the message in the file, counting from 1 as `grib_ls -M` does (damaged
    /// messages count too).
    public var index: Int
    /// Byte offset and length of the whole message in the file.
    public var offset: Int
    public var length: Int
    public var edition: Int

    public var shortName: String
    public var paramId: Int
    public var name: String
    public var units: String
    /// CF standard name ecCodes knows for the parameter, when it knows one.
    public var cfName: String?
    public var typeOfLevel: String
    public var level: Double
    /// Reference (analysis or forecast start) date `YYYYMMDD` and time `HHMM`.
    public var dataDate: Int
    public var dataTime: Int
    /// Forecast step (end of the range for accumulations) in hours.
    public var stepHours: Double
    public var stepRange: String
    public var stepType: String
    /// Ensemble member number; nil for deterministic fields.
    public var number: Int?
    public var dataType: String
    public var packingType: String
    public var grid: GRIBGridDefinition
    /// Position of this field in its message, from 1, and how many fields the message holds.
    public var field: Int = 1
    public var fieldsInMessage: Int = 1
    /// The codes of the level's surfaces as stored: GRIB 2 `typeOfFirstFixedSurface` and
    /// `typeOfSecondFixedSurface`, GRIB 1 `indicatorOfTypeOfLevel` (missing ones as their
    /// all-ones code). Fields whose `typeOfLevel` ecCodes cannot name still differ here.
    public var surfaceTypes: [Int] = []
    /// The bottom of a layer (GRIB 2 second fixed surface, GRIB 1 `bottomLevel` of layer
    /// level types) in the units of `level`; nil for levels that are not layers.
    public var bottomLevel: Double? = nil

    /// Reference time in seconds since 1970-01-01T00:00:00 UTC (proleptic Gregorian).
    public var referenceTime: Int64 {
        Self.unixSeconds(date: dataDate, time: dataTime)
    }

    /// Validity time (reference time + step) in seconds since 1970-01-01T00:00:00 UTC.
    /// Computed here rather than asked of ecCodes, whose validity-date computation can
    /// run for minutes on a damaged step field.
    public var validTime: Int64 {
        let seconds = stepHours * 3600
        return referenceTime + (seconds.isFinite && abs(seconds) < 1e15 ? Int64(seconds.rounded()) : 0)
    }

    static func unixSeconds(date: Int, time: Int) -> Int64 {
        // dataDate holds at most a 2-byte year; the bound keeps a damaged value from
        // overflowing day numbers.
        let y = max(-1_000_000, min(1_000_000, date / 10000)), m = (date / 100) % 100, d = date % 100
        let days = CFCalendar.gregorianJDN(y, max(1, min(12, m)), max(1, d)) - 2_440_588
        return Int64(days) * 86400 + Int64((time / 100) * 3600 + (time % 100) * 60)
    }
}

/// The grid of a GRIB message (section 3 / GDS), as ecCodes reports it.
public struct GRIBGridDefinition: Sendable, Hashable {
    /// ecCodes `gridType`: `regular_ll`, `regular_gg`, `reduced_gg`, `lambert`, …
    public var gridType: String
    public var numberOfPoints: Int
    /// Points along a parallel and along a meridian (nil where the grid has none, e.g. `Ni` of reduced grids).
    public var ni: Int?
    public var nj: Int?
    /// Gaussian number (latitudes between pole and equator) of Gaussian grids.
    public var gaussianN: Int?
    /// Points on each latitude row of a reduced grid, north to south as stored.
    public var pl: [Int]?
    public var latitudeOfFirstPoint: Double?
    public var longitudeOfFirstPoint: Double?
    public var latitudeOfLastPoint: Double?
    public var longitudeOfLastPoint: Double?
    public var iScansNegatively: Bool
    public var jScansPositively: Bool
    public var jPointsAreConsecutive: Bool
    public var alternativeRowScanning: Bool
    /// The projection of a `lambert` grid on a spherical earth; nil for other grids and
    /// for an oblate earth (whose points come from ecCodes' geo-iterator).
    public var lambert: GRIBLambertConformal? = nil
}
