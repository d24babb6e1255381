import Foundation
import PlumeIO

extension BUFRReport {
    /// One pass over a report's elements in descriptor order, turning values into
    /// observations: surface values at once (placed by the latest sensor height), sounding
    /// values gathered by level and placed when the level ends (a level's displacements
    /// may follow its first values).
    struct Walk {
        let report: BUFRReport
        let kind: BUFRReportKind
        let source: String
        var out: [Observation] = []
        /// Missing values by key; values not placed, by reason.
        var missing: [String: Int] = [:]
        var unplaced: [String: Int] = [:]
        /// The latest sensor height above ground (m) of a surface report.
        var sensor: Double?
        /// The latest standard pressure level (Pa) of a surface report (geopotential of
        /// high stations).
        var standardLevel: Double?
        /// A wind direction or speed waiting for the other (reports give either first).
        var wind: WindPart?
        /// The current sounding level, its values so far, and a time displacement (s) read
        /// before the next level's pressure.
        var level: Level?
        var levelValues: [(variable: String, value: Double)] = []
        var pendingTime: Double?

        /// One half of a wind: direction (degrees) or speed (m/s); for surface reports,
        /// the height it was measured at.
        struct WindPart {
            var isSpeed: Bool
            var value: Double?
            var key: String
            var vertical: Observation.Vertical?
        }

        struct Level {
            var pressure: Double?
            var seconds: Double?
            var dLatitude: Double?
            var dLongitude: Double?
        }

        init(report: BUFRReport, kind: BUFRReportKind, source: String) {
            self.report = report
            self.kind = kind
            self.source = source
        }

        mutating func add(_ variable: String, _ value: Double, _ vertical: Observation.Vertical?,
                          time: CFDate? = nil, latitude: Double? = nil, longitude: Double? = nil) {
            out.append(Observation(time: time ?? report.time, latitude: latitude ?? report.latitude, longitude: longitude ?? report.longitude,
                                   vertical: vertical, variable: variable, value: value, sigma: nil, site: report.site, source: source))
        }

        func above(_ metres: Double) -> Observation.Vertical? {
            report.elevation.map { .altitudeM($0 + metres) }
        }

        /// Ends the report: a pending level or half wind.
        mutating func finish() {
            switch kind {
            case .surface: endWind()
            case .sounding: closeLevel()
            }
        }

        // MARK: Surface reports

        mutating func surface(_ e: BUFRElement) {
            let value = e.number
            switch e.name {
            case "heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform": sensor = value
            case "pressure": standardLevel = value
            case "windDirection", "windSpeed":
                windPart(WindPart(isSpeed: e.name == "windSpeed", value: value, key: e.name, vertical: above(sensor ?? 10)))
            case "windDirectionAt10M", "windSpeedAt10M":
                windPart(WindPart(isSpeed: e.name == "windSpeedAt10M", value: value, key: e.name, vertical: above(10)))
            default: break
            }
            guard let value else { return }
            switch e.name {
            case "airTemperature": add("t", value, above(sensor ?? 2))
            case "airTemperatureAt2M": add("t", value, above(2))
            case "dewpointTemperature": add("td", value, above(sensor ?? 2))
            case "dewpointTemperatureAt2M": add("td", value, above(2))
            case "relativeHumidity": add("rh", value / 100, above(sensor ?? 2))
            case "pressureReducedToMeanSeaLevel": add("msl", value, nil)
            case "nonCoordinatePressure": add("p", value, report.barometer.map { .altitudeM($0) })
            case "nonCoordinateGeopotential", "nonCoordinateGeopotentialHeight":
                let z = e.name == "nonCoordinateGeopotential" ? value : value * BUFRReport.gravity
                if let p = standardLevel, p > 0 {
                    add("z", z, .pressurePa(p))
                } else {
                    unplaced["\(e.name) without a pressure level", default: 0] += 1
                }
            default: break
            }
        }

        // MARK: Soundings

        mutating func sounding(_ e: BUFRElement) {
            let value = e.number
            switch e.name {
            case "timePeriod":
                pendingTime = value
                return
            case "pressure":
                closeLevel()
                level = Level(pressure: value, seconds: pendingTime)
                pendingTime = nil
                return
            case "latitudeDisplacement": level?.dLatitude = value; return
            case "longitudeDisplacement": level?.dLongitude = value; return
            default: break
            }
            guard level != nil else {
                if value != nil { unplaced["\(e.name) before any pressure level", default: 0] += 1 }
                return
            }
            switch e.name {
            case "windDirection", "windSpeed":
                windPart(WindPart(isSpeed: e.name == "windSpeed", value: value, key: e.name, vertical: nil))
            default:
                guard let value else { return }
                switch e.name {
                case "airTemperature": levelValues.append(("t", value))
                case "dewpointTemperature": levelValues.append(("td", value))
                case "relativeHumidity": levelValues.append(("rh", value / 100))
                case "nonCoordinateGeopotential", "geopotential": levelValues.append(("z", value))
                case "nonCoordinateGeopotentialHeight", "geopotentialHeight": levelValues.append(("z", value * BUFRReport.gravity))
                default: break
                }
            }
        }

        /// Places the current level's values: its pressure, the station's position and
        /// launch time moved by the level's displacements. Values of a level without
        /// pressure, or displaced beyond a pole, are counted, not placed.
        mutating func closeLevel() {
            endWind()
            defer { levelValues = [] }
            guard let level, !levelValues.isEmpty else { return }
            guard let pressure = level.pressure, pressure > 0 else {
                for (variable, _) in levelValues { unplaced["\(variable) at a level without a pressure", default: 0] += 1 }
                return
            }
            var latitude = report.latitude + (level.dLatitude ?? 0)
            var longitude = report.longitude + (level.dLongitude ?? 0)
            if longitude < -180 { longitude += 360 }
            if longitude > 360 { longitude -= 360 }
            guard abs(latitude) <= 90 + 1e-9 else {
                for (variable, _) in levelValues { unplaced["\(variable) displaced beyond a pole", default: 0] += 1 }
                return
            }
            latitude = min(max(latitude, -90), 90)
            var time = report.time
            if let seconds = level.seconds {
                time = CFTimeUnits(secondsPerUnit: 1, reference: report.time, calendar: .standard).date(seconds)
            }
            for (variable, value) in levelValues {
                add(variable, value, .pressurePa(pressure), time: time, latitude: latitude, longitude: longitude)
            }
        }

        // MARK: Wind

        /// Pairs a direction with the speed next to it (either may come first):
        /// u = −s·sin(dir), v = −s·cos(dir), where the speed was measured.
        mutating func windPart(_ part: WindPart) {
            guard let pending = wind, pending.isSpeed != part.isSpeed else {
                endWind()
                wind = part
                return
            }
            wind = nil
            let (direction, speed) = part.isSpeed ? (pending, part) : (part, pending)
            switch (direction.value, speed.value) {
            case (let d?, let s?):
                guard (0...360).contains(d), s >= 0 else {
                    unplaced["wind outside direction 0…360°, speed ≥ 0", default: 0] += 1
                    return
                }
                let radians = d * .pi / 180
                // + 0 turns the −0 of a calm into 0.
                let u = -s * sin(radians) + 0, v = -s * cos(radians) + 0
                switch kind {
                case .surface:
                    add("u", u, speed.vertical)
                    add("v", v, speed.vertical)
                case .sounding:
                    levelValues.append(("u", u))
                    levelValues.append(("v", v))
                }
            case (_?, nil): unplaced["\(direction.key) without a wind speed", default: 0] += 1
            case (nil, _?): unplaced["\(speed.key) without a wind direction", default: 0] += 1
            case (nil, nil): break
            }
        }

        /// A direction or speed whose other half never came.
        mutating func endWind() {
            if let pending = wind, pending.value != nil {
                unplaced["\(pending.key) without a wind \(pending.isSpeed ? "direction" : "speed")", default: 0] += 1
            }
            wind = nil
        }
    }
}
