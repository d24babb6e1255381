import Foundation

/// Where a `WeatherGenerator` run stands, passed to its progress callback after every
/// output interval (6 model hours by default), in the spin-up and in the recorded period.
public struct WeatherProgress: Sendable, Equatable {
    /// The part of the run.
    public enum Phase: String, Sendable, Equatable {
        /// Spin-up toward the statistically steady state (nothing written).
        case spinUp = "spin-up"
        /// The recorded period (snapshots written to the split files).
        case recording
    }

    public var phase: Phase
    /// Model days done since the start of the spin-up.
    public var modelDays: Double
    /// Model days of the whole run (spin-up + recorded).
    public var totalModelDays: Double
    /// Wall-clock seconds since the run started (model set-up excluded).
    public var wallSeconds: Double
    /// The file being written (its name within the output folder), `nil` in the spin-up.
    public var file: String?
    /// Snapshots written so far, all files together.
    public var snapshotsWritten: Int
    /// Maximum wind speed of the latest state, m s⁻¹.
    public var maximumWind: Double

    public init(phase: Phase, modelDays: Double, totalModelDays: Double, wallSeconds: Double, file: String?,
                snapshotsWritten: Int, maximumWind: Double) {
        self.phase = phase
        self.modelDays = modelDays
        self.totalModelDays = totalModelDays
        self.wallSeconds = wallSeconds
        self.file = file
        self.snapshotsWritten = snapshotsWritten
        self.maximumWind = maximumWind
    }

    /// modelDays / totalModelDays, in [0, 1].
    public var fractionCompleted: Double { totalModelDays > 0 ? min(1, modelDays / totalModelDays) : 1 }
    /// Model days per wall-clock second so far (0 before any time has passed).
    public var daysPerSecond: Double { wallSeconds > 0 ? modelDays / wallSeconds : 0 }
    /// Estimated wall-clock seconds left at the rate so far (`nil` before any progress).
    public var estimatedSecondsLeft: Double? {
        let rate = daysPerSecond
        return rate > 0 ? (totalModelDays - modelDays) / rate : nil
    }
}
