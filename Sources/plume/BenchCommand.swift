import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks, run side by side.",
        subcommands: [IOBenchCommand.self, TorchBenchCommand.self, RegridBenchCommand.self, ShallowWaterBenchCommand.self, AdvectionBenchCommand.self, TransportBenchCommand.self])
}
