import Foundation
import PlumeIO
import Testing

/// Every failure names the file and the message or variable and says what was expected;
/// the command exits non-zero; nothing partial is left under the output name.
@Suite struct BadInputTests {
    @Test func corruptedGRIBReadsWhatIsIntactAndReportsTheBadMessage() throws {
        let path = try SampleData.path("era5-levels-corrupted.grib")
        let file = try GRIBFile(path: path)
        #expect(file.messages.count == 1)
        #expect(file.messages[0].index == 2 && file.messages[0].offset == 22068)
        #expect(file.problems.count == 1)
        let problem = try #require(file.problems.first)
        #expect(problem == .corruptMessage(file: path, index: 1, offset: 0,
                                           reason: "no end marker '7777' where the length field (1588 bytes) says the message ends"))
        let t = try file.decode(0)
        #expect(t.message.shortName == "t" && t.values.count == 7320 && !t.values.contains { $0.isNaN })
    }

    @Test func nonGRIBFileWithGRIBName() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("forecast.grib")
        try Data("a plain text file that only claims to be GRIB\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try DatasetLoader.load(path)
        } throws: { error in
            guard case PlumeIOError.unrecognisedFormat(let f, let expected, _) = error else { return false }
            return f == path && expected.contains("GRIB")
        }
    }

    @Test func truncatedNetCDF() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try SampleData.path("era5-levels-members.nc")))
        for fraction in [0.01, 0.3, 0.9] {
            let path = temp.file("cut-\(fraction).nc")
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            #expect(performing: {
                let file = try NetCDFFile(path: path)
                for name in file.variableNames { _ = try file.read(name) }
            }, throws: { error in
                "\(error)".hasPrefix(path)
            })
        }
    }

    @Test func unwritableOutputLeavesNothing() throws {
        let dataset = try DatasetLoader.load(try SampleData.path("regular_ll_msl.grib")).dataset
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        // A folder that does not exist, and a destination that is a folder.
        #expect(throws: PlumeIOError.writeFailed(file: temp.file("no/such/out.nc"), reason: "folder '\(temp.file("no/such"))' does not exist")) {
            try NetCDFWriter().write(dataset, to: temp.file("no/such/out.nc"))
        }
        try FileManager.default.createDirectory(atPath: temp.file("taken.nc"), withIntermediateDirectories: false)
        #expect(throws: PlumeIOError.self) { try NetCDFWriter().write(dataset, to: temp.file("taken.nc")) }
        // A dataset that fails half-way (a variable without values) leaves no file behind.
        var broken = dataset
        broken.variables.append(Variable(name: "empty", dimensions: ["latitude"], shape: [181], dataType: .float32))
        #expect(throws: PlumeIOError.self) { try NetCDFWriter().write(broken, to: temp.file("broken.nc")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["taken.nc"])
    }

    /// The command line: non-zero exit, the error names the file, no output left behind.
    @Test func commandLineFailures() throws {
        let plume = SampleData.packageRoot + "/.build/debug/plume"
        try #require(FileManager.default.isExecutableFile(atPath: plume), "build the plume executable first (swift build)")
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let corrupted = try SampleData.path("era5-levels-corrupted.grib")
        let out = temp.file("out.nc")
        let convert = try Shell.run(plume, ["convert", corrupted, out], allowFailure: true)
        #expect(convert.status != 0)
        #expect(convert.stderr.contains("era5-levels-corrupted.grib: message 1 (byte offset 0)"))
        #expect(!FileManager.default.fileExists(atPath: out))
        let skipped = try Shell.run(plume, ["convert", "--skip-damaged", corrupted, out], allowFailure: true)
        #expect(skipped.status == 0 && FileManager.default.fileExists(atPath: out))

        let inspect = try Shell.run(plume, ["inspect", corrupted], allowFailure: true)
        #expect(inspect.status != 0 && inspect.stdout.contains("t ") && inspect.stderr.contains("message 1"))

        let missing = try Shell.run(plume, ["inspect", temp.file("absent.nc")], allowFailure: true)
        #expect(missing.status != 0 && missing.stderr.contains("absent.nc: cannot open: no such file"))

        let unwritable = try Shell.run(plume, ["convert", try SampleData.path("reduced_gg.grib"), "/proc/plume-out.nc"], allowFailure: true)
        #expect(unwritable.status != 0 && unwritable.stderr.contains("/proc/plume-out.nc: cannot write"))
    }
}
