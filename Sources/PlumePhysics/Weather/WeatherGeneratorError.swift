import Foundation

/// Failures of `WeatherGenerator`: a bad setting (named, with its value), an unusable grid,
/// or a run that blew up (with the model day).
public enum WeatherGeneratorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting (`name`, as in the API; the CLI maps it to its flag) has an invalid value.
    case invalidSetting(name: String, value: String, reason: String)
    /// The model grid cannot carry the spectral model (not a regular Gaussian grid starting
    /// at 0°, or too coarse for the truncation).
    case unsupportedModelGrid(name: String, reason: String)
    /// The output grid cannot be reached with the chosen remapping method.
    case unsupportedOutputGrid(name: String, reason: String)
    /// Non-finite values or winds above `WeatherGenerator.maximumWind` at model day `day`
    /// (counted from the start of the spin-up).
    case blowUp(day: Double, maximumWind: Double)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let value, let reason): "\(name) '\(value)': \(reason)"
        case .unsupportedModelGrid(let name, let reason): "model grid '\(name)': \(reason)"
        case .unsupportedOutputGrid(let name, let reason): "output grid '\(name)': \(reason)"
        case .blowUp(let day, let wind):
            "the model blew up at day \(String(format: "%.2f", day)) (maximum wind \(wind) m s⁻¹)"
        }
    }
}
