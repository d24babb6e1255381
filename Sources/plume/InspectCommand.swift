import ArgumentParser
import Foundation
import PlumeIO

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the format, variables, grid, time range and statistics of a GRIB, netCDF or HDF5 file.")

    @Argument(help: "The file to inspect.")
    var file: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let summary = try FileSummary.make(file)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(summary)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(render(summary))
        }
        if !summary.problems.isEmpty {
            for p in summary.problems { printError("plume: damaged, skipped: \(p)") }
            throw ExitCode(2)
        }
    }

    private func render(_ s: FileSummary) -> String {
        var lines = ["\(s.file): \(s.format)"]
        if let grid = s.grid { lines.append("grid: \(grid)") }
        if let t = s.timeRange { lines.append("time: \(t[0]) … \(t[1])") }
        if !s.dimensions.isEmpty {
            lines.append("dimensions: " + s.dimensions.map { "\($0.name) = \($0.length)\($0.unlimited ? " (unlimited)" : "")" }.joined(separator: ", "))
        }
        lines.append("variables:")
        let width = s.variables.map(\.name.count).max() ?? 0
        for v in s.variables {
            let name = v.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let dims = v.dimensions.isEmpty ? (v.shape.isEmpty ? "scalar" : v.shape.map(String.init).joined(separator: "×"))
                : zip(v.dimensions, v.shape).map { "\($0)=\($1)" }.joined(separator: ", ")
            var line = "  \(name)  \(v.type) (\(dims))"
            if let u = v.units { line += " [\(u)]" }
            if let lo = v.min, let hi = v.max, let mean = v.mean {
                line += "  min \(format(lo)) max \(format(hi)) mean \(format(mean))"
            } else if v.type != "char" && v.type != "string" {
                line += "  all missing"
            }
            if v.missing > 0 { line += "  (\(v.missing) missing)" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.6g", x)
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
