/// A climatology for anomaly scores, accumulated from training fields.
///
/// - `.timeMean`: the mean of all fields given (acceptable when the training data span much
///   less than a year, as CarbonBench-mini's and `plume generate weather`'s short runs do);
/// - `.dayOfYear(halfWindowDays:)`: for each day of year 1…366 the mean of the fields whose day
///   of year is within ±`halfWindowDays` (circular over 366 days; 0 gives the raw, unsmoothed
///   day-of-year mean; WeatherBench 2 smooths with a 61-day window, i.e. 30). Hour of day is
///   not resolved.
public struct Climatology: Sendable {
    public enum Method: Sendable, Equatable {
        case timeMean
        case dayOfYear(halfWindowDays: Int)
    }

    public let method: Method
    public let fieldCount: Int
    private var sums: [[Double]]
    private var counts: [Int]

    /// An empty climatology of fields of `fieldCount` values.
    public init(method: Method, fieldCount: Int) {
        self.method = method
        self.fieldCount = fieldCount
        let slots = method == .timeMean ? 1 : 366
        sums = [[Double]](repeating: [], count: slots)
        counts = [Int](repeating: 0, count: slots)
    }

    /// Adds one training field valid on `dayOfYear` (1…366; ignored by `.timeMean`).
    public mutating func add(_ field: [Double], dayOfYear: Int) throws(VerifyError) {
        guard field.count == fieldCount else { throw .shapeMismatch(name: "climatology field", expected: fieldCount, actual: field.count) }
        let slot: Int
        switch method {
        case .timeMean: slot = 0
        case .dayOfYear:
            guard (1...366).contains(dayOfYear) else { throw .undefined(metric: "climatology", reason: "day of year \(dayOfYear) is outside 1…366") }
            slot = dayOfYear - 1
        }
        if sums[slot].isEmpty { sums[slot] = [Double](repeating: 0, count: fieldCount) }
        for i in 0..<fieldCount { sums[slot][i] += field[i] }
        counts[slot] += 1
    }

    /// The climatological field on `dayOfYear`.
    /// - Throws: `VerifyError.undefined` when no training field falls in the window.
    public func field(dayOfYear: Int) throws(VerifyError) -> [Double] {
        var slots: [Int]
        switch method {
        case .timeMean: slots = [0]
        case .dayOfYear(let half):
            let centre = dayOfYear - 1
            slots = Array(Set((-half...half).map { (((centre + $0) % 366) + 366) % 366 }))
        }
        slots = slots.filter { counts[$0] > 0 }
        let n = slots.reduce(0) { $0 + counts[$1] }
        guard n > 0 else {
            throw .undefined(metric: "climatology", reason: "no training field within the window of day of year \(dayOfYear)")
        }
        var out = [Double](repeating: 0, count: fieldCount)
        for s in slots { for i in 0..<fieldCount { out[i] += sums[s][i] } }
        return out.map { $0 / Double(n) }
    }
}
