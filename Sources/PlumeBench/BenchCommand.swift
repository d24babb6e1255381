import ArgumentParser

/// `plume bench …`: the side-by-side benchmarks (results and command lines in BENCHMARKS.md).
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks, run side by side.",
        subcommands: [IOBenchCommand.self, TorchBenchCommand.self, RegridBenchCommand.self, ShallowWaterBenchCommand.self, AdvectionBenchCommand.self, TransportBenchCommand.self, EmulatorBenchCommand.self, DeviceParityCommand.self, AssimilationBenchCommand.self])

    public init() {}
}
