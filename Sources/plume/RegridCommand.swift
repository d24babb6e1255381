import ArgumentParser
import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
import PlumeRegrid

struct RegridCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regrid",
        abstract: "Remap every field of a GRIB or netCDF file to another grid (CF netCDF-4 out).",
        discussion: """
            GRID is a name from Grids/ (e.g. latlon5.625, latlon1, gaussian-n80, octahedral-o80), \
            a .yaml grid definition, or a GRIB/netCDF file whose coordinates define the grid. \
            Conservative remapping is exact for grids of lat-lon rows (lat-lon, Gaussian, reduced \
            Gaussian) and preserves the global integral; missing values (NaN) are skipped with \
            ESMF's fracarea normalisation. --weights applies a SCRIP or ESMF weight file (from CDO \
            or ESMF); --save-weights writes the weights as SCRIP for CDO's `remap`.
            """)

    @Argument(help: "Input file (GRIB 1/2 or netCDF) on a lat-lon, Gaussian or reduced Gaussian grid.")
    var input: String

    @Argument(help: "Output netCDF-4 file.")
    var output: String

    @Option(name: .customLong("to"), help: "Destination grid.")
    var grid: String

    @Option(help: "conservative, bilinear or nearest.")
    var method: String = "conservative"

    @Option(help: "Apply these weights (SCRIP or ESMF netCDF) instead of generating them.")
    var weights: String?

    @Option(name: .customLong("save-weights"), help: "Write the weights to this file (SCRIP netCDF).")
    var saveWeights: String?

    @Option(help: "zlib compression level of the output, 0 (none) to 9.")
    var deflate: Int32 = 1

    func validate() throws {
        guard RemapMethod(rawValue: method) != nil else {
            throw ValidationError("--method must be conservative, bilinear or nearest, got '\(method)'")
        }
        guard input != output else { throw ValidationError("input and output are the same file") }
        guard (0...9).contains(deflate) else { throw ValidationError("--deflate must be 0…9, got \(deflate)") }
    }

    func run() throws {
        let destination = try GridCatalog.resolve(grid)
        var regridder = FileRegridder(destination: destination, method: RemapMethod(rawValue: method) ?? .conservative,
                                      weightsPath: weights, saveWeightsPath: saveWeights,
                                      historyLine: PlumeVersion.commandLine)
        regridder.deflateLevel = deflate
        let interactive = isatty(STDERR_FILENO) != 0
        regridder.progress = { variable, done, total in
            guard total > 1 else { return }
            if interactive {
                FileHandle.standardError.write(Data("\r\(variable): \(done)/\(total)".utf8))
                if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
            } else if total >= 20, done == total || done % (total / 10) == 0 {
                FileHandle.standardError.write(Data("\(variable): \(done)/\(total)\n".utf8))
            }
        }
        let start = Date()
        let summary = try regridder.run(input: input, output: output)
        let seconds = Date().timeIntervalSince(start)
        print("regridded \(summary.regridded.joined(separator: ", ")) from \(summary.sourceGrid) to \(destination.name) "
              + "(\(method), \(summary.weightLinks) weights) in \(String(format: "%.2f", seconds)) s")
        if let saveWeights { print("weights: \(saveWeights)") }
        print("wrote \(output)")
    }
}
