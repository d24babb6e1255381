import ArgumentParser
import CPlumeKernels
import PlumeBench
import PlumeSupport

@main
struct Plume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plume",
        abstract: "Weather and atmospheric-transport emulator pipeline.",
        version: PlumeVersion.current,
        subcommands: [InspectCommand.self, ConvertCommand.self, RegridCommand.self, PlotCommand.self, GenerateCommand.self,
                      TransportCommand.self, TrainCommand.self, RolloutCommand.self, EvaluateCommand.self, BenchCommand.self])

    /// Sets the process's malloc policy (`plume_tune_malloc`), then parses and runs.
    static func main() {
        plume_tune_malloc()
        main(nil)
    }
}
