/// The kinds of BUFR report `BUFRObservations` reads, told by the message's data category
/// (BUFR Table A), and the ecCodes keys each needs.
enum BUFRReportKind: Sendable {
    /// Surface reports: data category 0 (land: SYNOP) and 1 (sea: SHIP, buoys).
    case surface
    /// Vertical soundings other than satellite: data category 2 (TEMP, PILOT).
    case sounding

    init?(dataCategory: Int?) {
        switch dataCategory {
        case 0, 1: self = .surface
        case 2: self = .sounding
        default: return nil
        }
    }

    /// BUFR Table A's name of a data category, for messages that are not read.
    static func categoryName(_ category: Int?) -> String {
        switch category {
        case nil: "no data category"
        case 3: "data category 3 (vertical soundings, satellite)"
        case 4: "data category 4 (single level upper-air, aircraft)"
        case 5: "data category 5 (single level upper-air, satellite)"
        case 6: "data category 6 (radar)"
        case 7: "data category 7 (synoptic features)"
        case 12: "data category 12 (surface data, satellite)"
        case 31: "data category 31 (oceanographic)"
        case let c?: "data category \(c)"
        }
    }

    /// Keys identifying, placing and timing a report.
    static let stationKeys: Set<String> = [
        "blockNumber", "stationNumber", "wigosIdentifierSeries", "wigosIssuerOfIdentifier", "wigosIssueNumber",
        "year", "month", "day", "hour", "minute", "second", "latitude", "longitude",
        "heightOfStationGroundAboveMeanSeaLevel", "heightOfStation", "heightOfBarometerAboveMeanSeaLevel",
    ]

    /// String (CCITT IA5) keys naming a station when it has no WMO number.
    static let textKeys: Set<String> = [
        "wigosLocalIdentifierCharacter", "stationOrSiteName", "shipOrMobileLandStationIdentifier",
        "aircraftRegistrationNumberOrOtherIdentification",
    ]

    /// Keys whose unit depends on the descriptor (e.g. wind speed in m/s, km/h or knots):
    /// their values are converted by `BUFRUnits` from each element's descriptor.
    static let descriptorDependent: Set<String> = ["windSpeed", "dewpointTemperature", "timePeriod"]

    /// Every numeric key read for reports of this kind.
    var numericKeys: Set<String> {
        switch self {
        case .surface: Self.surfaceKeys
        case .sounding: Self.soundingKeys
        }
    }

    private static let surfaceKeys = stationKeys.union([
        "heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform",
        "airTemperature", "airTemperatureAt2M", "dewpointTemperature", "dewpointTemperatureAt2M",
        "relativeHumidity", "pressureReducedToMeanSeaLevel", "nonCoordinatePressure",
        "windDirection", "windSpeed", "windDirectionAt10M", "windSpeedAt10M",
        "pressure", "nonCoordinateGeopotentialHeight", "nonCoordinateGeopotential",
    ])

    private static let soundingKeys = stationKeys.union([
        "pressure", "timePeriod", "latitudeDisplacement", "longitudeDisplacement",
        "nonCoordinateGeopotential", "nonCoordinateGeopotentialHeight", "geopotential", "geopotentialHeight",
        "airTemperature", "dewpointTemperature", "relativeHumidity", "windDirection", "windSpeed",
    ])
}
