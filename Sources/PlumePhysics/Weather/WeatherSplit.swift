import Foundation

/// How the recorded period is cut into consecutive training, validation and test periods,
/// each written to its own file (`weather-train.nc`, `weather-val.nc`, `weather-test.nc`).
///
/// The cut is made at output snapshots (6-hourly by default): snapshot counts are the
/// fractions of the total, rounded by largest remainder, with at least one snapshot for
/// every positive fraction. A zero fraction writes no file.
public struct WeatherSplit: Sendable, Equatable {
    /// Names of the periods, in time order, as used in the file names.
    public static let names = ["train", "val", "test"]

    /// Fractions of the recorded snapshots for train, validation and test (≥ 0, sum 1).
    public let fractions: [Double]

    /// - Throws: `WeatherGeneratorError.invalidSetting(name: "split", …)` unless the three
    ///   fractions are finite, non-negative, and sum to 1 (within 10⁻⁶).
    public init(train: Double, validation: Double, test: Double) throws(WeatherGeneratorError) {
        let f = [train, validation, test]
        let text = f.map { String($0) }.joined(separator: ",")
        guard f.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw .invalidSetting(name: "split", value: text, reason: "fractions must be ≥ 0")
        }
        guard abs(f.reduce(0, +) - 1) <= 1e-6 else {
            throw .invalidSetting(name: "split", value: text, reason: "fractions must sum to 1")
        }
        fractions = f
    }

    /// Parses "a,b,c" (e.g. "0.8,0.1,0.1").
    public init(parsing text: String) throws(WeatherGeneratorError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(Double.init)
        guard parts.count == 3, values.count == 3 else {
            throw .invalidSetting(name: "split", value: text, reason: "expected three comma-separated fractions train,val,test such as 0.8,0.1,0.1")
        }
        try self.init(train: values[0], validation: values[1], test: values[2])
    }

    /// 0.8, 0.1, 0.1.
    public static let `default` = WeatherSplit(uncheckedFractions: [0.8, 0.1, 0.1])

    private init(uncheckedFractions: [Double]) { fractions = uncheckedFractions }

    /// Snapshots of each period for `total` recorded snapshots.
    /// - Throws: `.invalidSetting(name: "days", …)` when there are fewer snapshots than
    ///   periods with a positive fraction.
    public func counts(total: Int) throws(WeatherGeneratorError) -> [Int] {
        let positive = fractions.filter { $0 > 0 }.count
        guard total >= positive else {
            throw .invalidSetting(name: "days", value: "\(total) snapshots",
                                  reason: "too short to give each of the \(positive) periods of the split one snapshot")
        }
        let exact = fractions.map { $0 * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        var left = total - counts.reduce(0, +)
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        for i in order where left > 0 && fractions[i] > 0 {
            counts[i] += 1
            left -= 1
        }
        // Every positive fraction gets at least one snapshot, taken from the largest period.
        for i in counts.indices where fractions[i] > 0 && counts[i] == 0 {
            if let donor = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[donor] > 1 {
                counts[donor] -= 1
                counts[i] = 1
            }
        }
        return counts
    }

    /// The file name of period `index` (0: train, 1: val, 2: test) with `prefix`, e.g.
    /// "weather-train.nc".
    public static func fileName(prefix: String, index: Int, extension ext: String = "nc") -> String {
        "\(prefix)-\(names[index]).\(ext)"
    }
}
