import PlumeGrids
import PlumeIO

/// The quantities read from meteorology files.
enum MeteorologyQuantity: String, Sendable, CaseIterable {
    case eastwardWind = "u"
    case northwardWind = "v"
    case surfacePressure = "sp"
    /// ln(surface pressure / Pa) (ECMWF `lnsp`).
    case logSurfacePressure = "lnsp"

    /// Whether the quantity is a surface field (one level).
    var isSurface: Bool { self == .surfacePressure || self == .logSurfacePressure }

    /// What a file must hold to provide it, for errors.
    var expectation: String {
        switch self {
        case .eastwardWind:
            "eastward wind: GRIB shortName u on isobaricInhPa/isobaricInPa/hybrid levels, or a netCDF variable u / u_component_of_wind / standard_name eastward_wind"
        case .northwardWind:
            "northward wind: GRIB shortName v on isobaricInhPa/isobaricInPa/hybrid levels, or a netCDF variable v / v_component_of_wind / standard_name northward_wind"
        case .surfacePressure, .logSurfacePressure:
            "surface pressure: GRIB shortName sp or lnsp, or a netCDF variable sp / surface_pressure / lnsp / standard_name surface_air_pressure"
        }
    }
}

/// Where one 2-D field lies in its file.
enum MeteorologyFieldLocation: Sendable, Equatable {
    /// `GRIBFile.messages[position]`, whose shortName is the variable's name.
    case gribMessage(position: Int)
    /// A hyperslab of a netCDF variable holding one field; `transposed` when the variable
    /// stores longitude before latitude (the values are then `[lon, lat]`).
    case netCDF(slab: Hyperslab, transposed: Bool)
}

/// One level of one quantity at one time.
struct MeteorologyLevelField: Sendable {
    /// The level's pressure p = a + b·p_s, Pa (pressure levels: a = p, b = 0; model levels:
    /// the mean of the two half-level pressures).
    var a: Double
    var b: Double
    /// The level as the file names it, for errors ("850 hPa", "model level 51").
    var label: String
    var location: MeteorologyFieldLocation

    /// The pressure at a standard surface pressure, to order the levels (top first).
    var referencePressure: Double { a + b * 100_000 }
}

/// One quantity of one file: its grid, units and fields by valid time.
struct MeteorologyVariable: Sendable {
    var quantity: MeteorologyQuantity
    var path: String
    /// The netCDF variable name or GRIB shortName.
    var name: String
    /// The source grid (values in its cell order).
    var grid: any BandedGrid
    /// Factor to SI (hPa → Pa: 100); for lnsp applied after exp.
    var scale: Double
    var calendar: CFCalendar
    /// Fields by valid time (`MeteorologyClock` keys), each list ordered top level first.
    var fields: [Int64: [MeteorologyLevelField]]
    /// Names of surface-pressure variables this one's vertical coordinate refers to (CF
    /// formula_terms `ps`), so that they are looked for too.
    var referencedSurfacePressure: String? = nil

    /// `file: variable` for errors.
    var context: String { "\(path): \(name)" }
}

/// Builders of errors that name the file and the variable.
enum MeteorologyFailure {
    static func file(_ path: String, _ reason: String) -> IngestError {
        .invalidValue(name: path, reason: reason)
    }

    static func variable(_ path: String, _ variable: String, _ reason: String) -> IngestError {
        .invalidValue(name: "\(path): \(variable)", reason: reason)
    }
}
