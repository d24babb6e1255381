import Foundation
import PlumeIO

/// The observation operator H: the model's equivalent of each observation, interpolated
/// from gridded states.
///
/// - Horizontally: bilinear in longitude and latitude between the four surrounding cell
///   centres (or the nearest centre). On a global grid, longitudes wrap and points poleward
///   of the outermost row take that row's values; on a regional grid, points outside the
///   outermost centres are `outsideDomain`.
/// - Vertically: a single-level state has no vertical interpolation. With level pressures,
///   linear in log-pressure between the levels around the observation; with level
///   heights, linear in altitude in each of the horizontal stencil's columns. Above the top
///   level is `outsideDomain`; below the lowest level the lowest level is used when the
///   observation lies less than `belowSurfaceToleranceM` below it (pressures converted with
///   an 8 km scale height), and it is `belowSurface` otherwise.
/// - In time: linear between the two states around the observation's time; before the
///   first or after the last state (within the window) the nearest state; outside the
///   window `outsideWindow`.
public struct ObservationOperator: Sendable {
    public enum Horizontal: String, Sendable, CaseIterable {
        case bilinear, nearest
    }

    public var horizontal: Horizontal
    /// How far (m) below the lowest model level or the model surface an observation may lie
    /// and still be used (taking the lowest level's value).
    public var belowSurfaceToleranceM: Double
    /// The calendar of the states' and observations' times.
    public var calendar: CFCalendar

    public init(horizontal: Horizontal = .bilinear, belowSurfaceToleranceM: Double = 200, calendar: CFCalendar = .standard) {
        self.horizontal = horizontal
        self.belowSurfaceToleranceM = belowSurfaceToleranceM
        self.calendar = calendar
    }

    /// The scale height (m) that converts pressure differences to heights for the tolerance.
    static let scaleHeightM = 8000.0

    /// Locates `observation` in `states` (sorted by time, all on one grid), or gives the flag
    /// that says why it cannot be used.
    public func locate(_ observation: Observation, in states: [GriddedState], window: ClosedRange<CFDate>) -> Result<ObservationLocation, FlagReason> {
        guard let first = states.first else { return .failure(FlagReason(.outsideWindow, "no model state")) }
        guard window.contains(observation.time) else {
            return .failure(FlagReason(.outsideWindow, "\(observation.time) is outside the window \(window.lowerBound)…\(window.upperBound)"))
        }
        if first.fields[observation.variable] == nil {
            return .failure(FlagReason(.unknownVariable, "the state has no '\(observation.variable)'"))
        }
        // Time.
        let clock = CFTimeUnits(secondsPerUnit: 1, reference: window.lowerBound, calendar: calendar)
        let t = clock.value(of: observation.time)
        var earlier = 0, later = 0, laterWeight = 0.0
        if states.count > 1 {
            let times = states.map { clock.value(of: $0.time) }
            if t <= times[0] {
                earlier = 0; later = 0
            } else if t >= times[times.count - 1] {
                earlier = times.count - 1; later = earlier
            } else if let k = times.firstIndex(where: { $0 > t }) {
                earlier = k - 1; later = k
                laterWeight = (t - times[k - 1]) / (times[k] - times[k - 1])
            }
        }
        // Horizontal stencil.
        let horizontalPoints: [(index: Int, weight: Double)]
        switch horizontalStencil(latitude: observation.latitude, longitude: observation.longitude, state: first) {
        case .success(let stencil): horizontalPoints = stencil
        case .failure(let reason): return .failure(reason)
        }
        let position = GreatCircle.unitVector(latitude: observation.latitude, longitude: observation.longitude)
        // Surface check, wherever the surface height is known.
        if case .altitudeM(let altitude)? = observation.vertical, let surface = first.surfaceHeightM {
            let ground = horizontalPoints.reduce(0.0) { $0 + $1.weight * surface[$1.index] }
            if altitude < ground - belowSurfaceToleranceM {
                return .failure(FlagReason(.belowSurface, String(format: "%.0f m is %.0f m below the model surface (%.0f m)", altitude, ground - altitude, ground)))
            }
        }
        guard first.levelCount > 1 else {
            return .success(ObservationLocation(points: horizontalPoints.map(\.index), weights: horizontalPoints.map(\.weight),
                                                earlierState: earlier, laterState: later, laterWeight: laterWeight, level: 0, position: position))
        }
        let layer = first.horizontalCount
        var points: [Int] = [], weights: [Double] = []
        var level = 0.0
        switch observation.vertical {
        case nil:
            return .failure(FlagReason(.noVerticalCoordinate, "a multi-level state needs the observation's pressure or altitude"))
        case .pressurePa(let pressure)?:
            guard let pressures = first.levelPressuresPa else {
                return .failure(FlagReason(.noVerticalCoordinate, "the state has no level pressures for an observation at \(pressure) Pa"))
            }
            switch Self.bracket(log(pressure), among: pressures.map { log($0) }, increasingDownward: true,
                                toleranceBelow: belowSurfaceToleranceM / Self.scaleHeightM) {
            case .within(let k0, let k1, let w1):
                level = Double(k0) * (1 - w1) + Double(k1) * w1
                for (index, weight) in horizontalPoints {
                    points.append(k0 * layer + index); weights.append(weight * (1 - w1))
                    if w1 > 0 { points.append(k1 * layer + index); weights.append(weight * w1) }
                }
            case .aboveTop: return .failure(FlagReason(.outsideDomain, "\(pressure) Pa is above the model top"))
            case .belowBottom: return .failure(FlagReason(.belowSurface, "\(pressure) Pa is below the lowest model level"))
            }
        case .altitudeM(let altitude)?:
            guard let heights = first.levelHeightsM else {
                return .failure(FlagReason(.noVerticalCoordinate, "the state has no level heights for an observation at \(altitude) m"))
            }
            // Below the lowest level, judged on the interpolated column (each stencil column
            // then uses its own lowest level): columns on a slope disagree on where the bottom is.
            var lowest = 0.0
            for (index, weight) in horizontalPoints {
                var bottom = Double.infinity
                for k in 0..<first.levelCount { bottom = min(bottom, heights[k * layer + index]) }
                lowest += weight * bottom
            }
            if altitude < lowest - belowSurfaceToleranceM {
                return .failure(FlagReason(.belowSurface, String(format: "%.0f m is %.0f m below the lowest model level", altitude, lowest - altitude)))
            }
            for (index, weight) in horizontalPoints {
                let column = (0..<first.levelCount).map { heights[$0 * layer + index] }
                switch Self.bracket(altitude, among: column, increasingDownward: false, toleranceBelow: .infinity) {
                case .within(let k0, let k1, let w1):
                    level += weight * (Double(k0) * (1 - w1) + Double(k1) * w1)
                    points.append(k0 * layer + index); weights.append(weight * (1 - w1))
                    if w1 > 0 { points.append(k1 * layer + index); weights.append(weight * w1) }
                case .aboveTop: return .failure(FlagReason(.outsideDomain, "\(altitude) m is above the model top"))
                case .belowBottom: return .failure(FlagReason(.belowSurface, "\(altitude) m is below the lowest model level"))
                }
            }
        }
        return .success(ObservationLocation(points: points, weights: weights, earlierState: earlier, laterState: later,
                                            laterWeight: laterWeight, level: level, position: position))
    }

    /// The levels around `x` in a column of level coordinates `column` (in any level order)
    /// and the weight of the second: `x` is log-pressure (`increasingDownward`) or altitude.
    static func bracket(_ x: Double, among column: [Double], increasingDownward: Bool, toleranceBelow: Double) -> LevelBracket {
        // Order the levels from the bottom up.
        let order = column.indices.sorted { increasingDownward ? column[$0] > column[$1] : column[$0] < column[$1] }
        let up: (Double) -> Double = { increasingDownward ? -$0 : $0 }   // a coordinate that grows upward
        let bottom = up(column[order[0]]), top = up(column[order[order.count - 1]])
        let z = up(x)
        if z > top { return .aboveTop }
        if z <= bottom {
            return z >= bottom - toleranceBelow ? .within(order[0], order[0], 0) : .belowBottom
        }
        for n in 1..<order.count {
            let lower = up(column[order[n - 1]]), upper = up(column[order[n]])
            if z <= upper {
                let w = upper == lower ? 0 : (z - lower) / (upper - lower)
                return .within(order[n - 1], order[n], w)
            }
        }
        return .within(order[order.count - 1], order[order.count - 1], 0)
    }

    /// The horizontal points `[lat, lon]` indices and weights around a position.
    func horizontalStencil(latitude: Double, longitude: Double, state: GriddedState) -> Result<[(index: Int, weight: Double)], FlagReason> {
        let grid = state.grid
        let nLat = grid.latitudeCount, nLon = grid.longitudeCount
        guard latitude.isFinite, longitude.isFinite, abs(latitude) <= 90 else {
            return .failure(FlagReason(.outsideDomain, "position \(latitude)°N \(longitude)°E is not on the sphere"))
        }
        let globalInLongitude = abs(abs(grid.longitudeStep) * Double(nLon) - 360) < 1e-6
        let south = grid.rows.map(\.south).min() ?? 0, north = grid.rows.map(\.north).max() ?? 0
        let globalInLatitude = south <= -90 + 1e-9 && north >= 90 - 1e-9
        // Fractional row.
        var y = nLat == 1 ? 0 : (latitude - grid.firstLatitude) / grid.latitudeStep
        if y < 0 || y > Double(nLat - 1) {
            let beyond = y < 0 ? -y : y - Double(nLat - 1)
            guard globalInLatitude || beyond <= 0.5 else {
                return .failure(FlagReason(.outsideDomain, "latitude \(latitude)° is outside the grid"))
            }
            y = min(max(y, 0), Double(nLat - 1))
        }
        // Fractional column.
        var x = (longitude - grid.firstLongitude) / grid.longitudeStep
        if globalInLongitude {
            x = x.truncatingRemainder(dividingBy: Double(nLon))
            if x < 0 { x += Double(nLon) }
        } else if x < -0.5 || x > Double(nLon) - 0.5 {
            return .failure(FlagReason(.outsideDomain, "longitude \(longitude)° is outside the grid"))
        } else {
            x = min(max(x, 0), Double(nLon - 1))
        }
        switch horizontal {
        case .nearest:
            var j = Int(x.rounded()) % nLon
            if j < 0 { j += nLon }
            return .success([(Int(y.rounded()) * nLon + j, 1)])
        case .bilinear:
            let i0 = min(Int(y.rounded(.down)), max(nLat - 2, 0)), i1 = min(i0 + 1, nLat - 1)
            let wy = nLat == 1 ? 0 : y - Double(i0)
            let j0 = min(Int(x.rounded(.down)), nLon - 1)
            let j1 = globalInLongitude ? (j0 + 1) % nLon : min(j0 + 1, nLon - 1)
            let wx = x - Double(j0)
            var stencil: [(index: Int, weight: Double)] = []
            for (i, wi) in [(i0, 1 - wy), (i1, wy)] where wi > 0 {
                for (j, wj) in [(j0, 1 - wx), (j1, wx)] where wj > 0 {
                    stencil.append((i * nLon + j, wi * wj))
                }
            }
            return .success(stencil)
        }
    }
}

/// Where a vertical coordinate falls in a column of levels.
enum LevelBracket {
    /// Between two levels, with the weight of the second.
    case within(Int, Int, Double)
    case aboveTop
    case belowBottom
}

/// A flag with the reason it was given, for the report of each observation.
public struct FlagReason: Error, Sendable, Equatable {
    public var flag: ObservationFlag
    public var reason: String
    public init(_ flag: ObservationFlag, _ reason: String) {
        self.flag = flag
        self.reason = reason
    }
}
