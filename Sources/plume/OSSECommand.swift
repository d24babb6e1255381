import ArgumentParser

/// `plume osse …`: observing-system simulation experiments (twins): a known truth, synthetic
/// observations of it with known errors, and Plume's assimilation cycling the emulator.
struct OSSECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "osse",
        abstract: "Twin experiments: assimilate synthetic observations of a known truth and score the analyses.",
        subcommands: [WeatherOSSECommand.self, CO2OSSECommand.self])
}
