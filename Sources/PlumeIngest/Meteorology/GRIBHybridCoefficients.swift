import Foundation
import PlumeIO

/// The hybrid-level coefficients of a GRIB message: ecCodes' `pv` array, the half-level A
/// in Pa, then B (`GRIBFile.verticalCoordinateParameters`).
enum GRIBHybridCoefficients {
    /// Half-level coefficients, top first: `a[i]`, Pa, and `b[i]` for i = 0…N (N levels).
    struct HalfLevels: Sendable, Equatable {
        var a: [Double]
        var b: [Double]
    }

    /// Reads and checks the coefficients of message `position` of `file`.
    static func read(file: GRIBFile, position: Int, path: String) throws(IngestError) -> HalfLevels {
        let message = file.messages[position]
        let context = "\(path): \(message.shortName) (message \(message.index))"
        let values: [Double]
        do {
            values = try file.verticalCoordinateParameters(position)
        } catch {
            throw .invalidValue(name: context, reason: "cannot read the pv coefficients: \(error)")
        }
        guard values.count >= 4, values.count % 2 == 0 else {
            throw .invalidValue(name: context, reason: "hybrid levels without usable pv coefficients: \(values.count) values "
                + "(expected 2·(N + 1) ≥ 4: the half-level A in Pa, then B)")
        }
        let half = values.count / 2
        let result = HalfLevels(a: Array(values[0..<half]), b: Array(values[half...]))
        for (i, value) in result.a.enumerated() where !(value.isFinite && value >= 0) {
            throw .invalidValue(name: context, reason: "pv A[\(i)] = \(value) (expected a finite pressure ≥ 0 Pa)")
        }
        for (i, value) in result.b.enumerated() where !(value >= 0 && value <= 1) {
            throw .invalidValue(name: context, reason: "pv B[\(i)] = \(value) (expected a value in [0, 1])")
        }
        return result
    }
}
