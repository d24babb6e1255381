import PlumeIO

/// The cycle points of a pipeline: one date, or every `step` from `start` to `stop`
/// (inclusive) in a calendar, as Cylc's `R/start/step` recurrences bounded by a final point.
public struct CycleSequence: Sendable, Equatable {
    public let start: CFDate
    public let stop: CFDate
    public let step: ISODuration?
    public let calendar: CFCalendar
    /// The points, in order.
    public let points: [CFDate]

    /// Most points a sequence may have (a guard against a step of PT1S over years).
    public static let maximumPoints = 1_000_000

    /// A single cycle.
    public init(single date: CFDate, calendar: CFCalendar = .standard) {
        start = date
        stop = date
        step = nil
        self.calendar = calendar
        points = [date]
    }

    /// Every `step` from `start` to `stop`, both included when `stop` falls on a point.
    /// - Throws: `PipelineError.invalidValue` when `stop` is before `start`, the step is zero,
    ///   or there would be more than `maximumPoints` points.
    public init(from start: CFDate, to stop: CFDate, step: ISODuration, calendar: CFCalendar = .standard) throws(PipelineError) {
        guard !(stop < start) else {
            throw .invalidValue(what: "cycles", reason: "the range ends at \(stop), before its start \(start) (expected start ≤ stop)")
        }
        guard !step.isZero, step.years >= 0, step.months >= 0, step.exactSeconds >= 0 else {
            throw .invalidValue(what: "cycles.step", reason: "\(step) does not move forward (expected a positive duration such as PT6H or P1D)")
        }
        var points: [CFDate] = []
        var index = 0
        var point = start
        while !(stop < point) {
            guard points.count < Self.maximumPoints else {
                throw .invalidValue(what: "cycles", reason: "more than \(Self.maximumPoints) cycle points from \(start) to \(stop) every \(step)")
            }
            points.append(point)
            index += 1
            // Each point from the start (not from the previous point), so month steps do not drift:
            // 31 Jan + P1M, + P2M, … gives 28 Feb, 31 Mar, not 28 Mar.
            point = ISODuration(years: step.years * index, months: step.months * index, days: step.days * index,
                                hours: step.hours * index, minutes: step.minutes * index, seconds: step.seconds * index)
                .advance(start, calendar: calendar)
        }
        self.start = start
        self.stop = stop
        self.step = step
        self.calendar = calendar
        self.points = points
    }
}
