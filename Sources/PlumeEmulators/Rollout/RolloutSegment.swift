/// Consecutive output records held in memory until written as one segment.
struct RolloutSegment {
    /// Index of the first record in the whole rollout.
    let start: Int
    /// Values per variable, records concatenated (`[record, level, lat, lon]` row-major).
    private(set) var values: [String: [Float]] = [:]
    private(set) var times: [Double] = []

    init(start: Int) { self.start = start }

    var count: Int { times.count }

    mutating func append(_ record: [String: [Float]], time: Double) {
        for (name, v) in record { values[name, default: []] += v }
        times.append(time)
    }
}
