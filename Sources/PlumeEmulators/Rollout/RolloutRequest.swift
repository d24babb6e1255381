import PlumeIO

/// What a rollout is asked to do.
public struct RolloutRequest: Sendable, Codable, Equatable {
    /// Checkpoint (safetensors) of a trained emulator.
    public var checkpoint: String
    /// File holding the initial state (every prognostic variable at `start`).
    public var initialFile: String
    /// Files holding the forcing at every step (default: the initial file).
    public var forcingFiles: [String]
    /// Start date as given (ISO 8601, `2000-03-01` or `2000-03-01T06:00`).
    public var start: String
    /// Emulator steps.
    public var steps: Int
    /// Output netCDF file.
    public var output: String
    /// Steps written per segment on the way (the resume granularity).
    public var segmentSteps: Int

    public init(checkpoint: String, initialFile: String, forcingFiles: [String] = [], start: String, steps: Int,
                output: String, segmentSteps: Int = 4) {
        self.checkpoint = checkpoint
        self.initialFile = initialFile
        self.forcingFiles = forcingFiles.isEmpty ? [initialFile] : forcingFiles
        self.start = start
        self.steps = steps
        self.output = output
        self.segmentSteps = segmentSteps
    }

    /// The start as a date.
    func startDate() throws(EmulatorError) -> CFDate {
        do {
            return try CFTimeUnits(units: "hours since \(start)").reference
        } catch {
            throw .invalidRequest("--start '\(start)': expected an ISO 8601 date such as 2000-03-01 or 2000-03-01T06:00 (\(error))")
        }
    }
}

/// A date to the second, for matching records across files.
struct RecordKey: Hashable {
    var year, month, day, hour, minute, second: Int

    init(_ date: CFDate) {
        year = date.year
        month = date.month
        day = date.day
        hour = date.hour
        minute = date.minute
        second = Int(date.second.rounded())
    }
}
