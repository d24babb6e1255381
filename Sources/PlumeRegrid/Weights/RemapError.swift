/// Failures of remapping: weight files that cannot be read or hold inconsistent data,
/// and weights or fields that do not fit the grids they are used with.
///
/// Each case names what failed (the file, the variable) and says what was expected;
/// `description` is the one-line message shown to users.
public enum RemapError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A weight file, or weights in memory (`file` then says so), hold data that cannot be
    /// used: a missing or misshapen variable, an index out of range, a non-finite value.
    case invalidWeights(file: String, variable: String, reason: String)
    /// Reading or writing a file failed (it does not exist, is truncated, is not netCDF).
    case io(file: String, reason: String)
    /// Weights, grids or fields do not fit together (cell counts, shapes, coordinates).
    case gridMismatch(reason: String)

    public var description: String {
        switch self {
        case .invalidWeights(let file, let variable, let reason): "\(file): '\(variable)': \(reason)"
        case .io(let file, let reason): "\(file): \(reason)"
        case .gridMismatch(let reason): "grids do not match: \(reason)"
        }
    }
}
