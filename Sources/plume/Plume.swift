import ArgumentParser
import CPlumeKernels
import Foundation
import PlumeBench
import PlumePipeline
import PlumeSupport

@main
struct Plume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plume",
        abstract: "Weather and atmospheric-transport emulator pipeline.",
        version: PlumeVersion.current,
        subcommands: [InspectCommand.self, ConvertCommand.self, RegridCommand.self, PlotCommand.self, GenerateCommand.self,
                      TransportCommand.self, BarotropicCommand.self, TrainCommand.self, RolloutCommand.self, EvaluateCommand.self, RunCommand.self,
                      StatusCommand.self, ReportCommand.self, SubmitCommand.self, OSSECommand.self, BenchCommand.self])

    /// Sets the process's malloc policy (`plume_tune_malloc`), then parses and runs.
    static func main() {
        plume_tune_malloc()
        if plume_follow_pipeline_parent() != 0 { Foundation.exit(PipelineExit.interrupted) }
        main(nil)
    }
}
