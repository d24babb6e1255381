import ArgumentParser

@main
struct Plume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plume",
        abstract: "Weather and atmospheric-transport emulator pipeline.",
        subcommands: [InspectCommand.self, ConvertCommand.self, RegridCommand.self, PlotCommand.self, GenerateCommand.self,
                      TransportCommand.self, BenchCommand.self])
}
