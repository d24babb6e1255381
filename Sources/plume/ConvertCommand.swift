import ArgumentParser
import Foundation
import PlumeSupport
import PlumeIO

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a GRIB (or netCDF) file to CF-1.8 netCDF-4, or to GRIB 2 when OUT ends in .grib/.grib2.",
        discussion: """
            GRIB messages become one variable per parameter with dimensions among \
            (number, time, step, level, latitude, longitude), as cfgrib does. Towards GRIB 2, \
            every variable on a regular lat-lon or Gaussian grid is written as 16-bit simple \
            packed messages (NaN as bitmap). The output is written under a temporary name and \
            renamed when complete.
            """)

    @Argument(help: "Input file (GRIB 1/2 or netCDF).")
    var input: String

    @Argument(help: "Output netCDF-4 file.")
    var output: String

    @Option(help: "zlib compression level, 0 (none) to 9.")
    var deflate: Int32 = 4

    @Flag(help: "Convert the intact messages of a GRIB file with damaged ones, instead of failing.")
    var skipDamaged = false

    func validate() throws {
        guard (0...9).contains(deflate) else { throw ValidationError("--deflate must be 0…9, got \(deflate)") }
        guard input != output else { throw ValidationError("input and output are the same file") }
    }

    func run() throws {
        let loaded = try DatasetLoader.load(input)
        if !loaded.problems.isEmpty {
            for p in loaded.problems { printError("plume: \(p)") }
            if !skipDamaged {
                printError("plume: \(input) has \(loaded.problems.count) damaged message(s); nothing written (use --skip-damaged to convert the intact ones)")
                throw ExitCode(2)
            }
        }
        var dataset = loaded.dataset
        if output.hasSuffix(".grib") || output.hasSuffix(".grib2") || output.hasSuffix(".grb2") {
            try GRIBWriter.write(dataset: dataset, to: output)
            print("wrote \(output) (GRIB 2)")
            return
        }
        dataset.attributes.set("source", .text(input))
        let writer = NetCDFWriter(deflateLevel: deflate, source: "Plume", historyLine: PlumeVersion.commandLine)
        try writer.write(dataset, to: output)
        print("wrote \(output) (\(dataset.variables.count) variables)")
    }
}
