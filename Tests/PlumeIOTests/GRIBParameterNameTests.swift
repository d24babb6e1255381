import Foundation
@testable import PlumeIO
import Testing

/// Parameter names (paramId, shortName, name, units, cfName) come from ecCodes' concept
/// tables once per distinct set of the keys those tables test, remembered for the process
/// (`GRIBParameterCache`), and so do GRIB 1 step and level keys (`GRIBEdition1StepAndLevel`):
/// every message of every sample file must still get the keys `grib_get` gives it,
/// whichever file was read before.
@Suite struct GRIBParameterNameTests {
    struct Names: Equatable, CustomStringConvertible {
        var paramId: Int, shortName: String, units: String, cfName: String?, name: String
        var typeOfLevel: String, stepType: String, stepRange: String
        var description: String {
            "\(paramId) \(shortName) [\(units)] \(cfName ?? "-") \"\(name)\" \(typeOfLevel) \(stepType) \(stepRange)"
        }
    }

    /// Every sample GRIB file whose messages are all intact.
    static func sampleFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: SampleData.folder)
            .filter { $0.hasSuffix(".grib") && $0 != "era5-levels-corrupted.grib" }
            .sorted()
    }

    /// What `grib_get` says of each message (one key per call: values may hold spaces).
    static func gribGet(_ path: String) throws -> [Names] {
        var columns: [[String]] = []
        for key in ["paramId", "shortName", "units", "cfName", "name", "typeOfLevel", "stepType", "stepRange"] {
            columns.append(try Shell.run("grib_get", ["-p", key, path]).stdout
                .split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
        let count = columns.map(\.count).min() ?? 0
        return (0..<count).map { i in
            let cf = columns[3][i]
            return Names(paramId: Int(columns[0][i]) ?? 0, shortName: columns[1][i], units: columns[2][i],
                         cfName: cf == "unknown" || cf.isEmpty ? nil : cf, name: columns[4][i],
                         typeOfLevel: columns[5][i], stepType: columns[6][i], stepRange: columns[7][i])
        }
    }

    static func plumeNames(_ path: String) throws -> [Names] {
        try GRIBFile(path: path).messages.map {
            Names(paramId: $0.paramId, shortName: $0.shortName, units: $0.units, cfName: $0.cfName, name: $0.name,
                  typeOfLevel: $0.typeOfLevel, stepType: $0.stepType, stepRange: $0.stepRange)
        }
    }

    @Test func namesMatchGribGetWhateverWasReadBefore() throws {
        let files = try Self.sampleFiles()
        #expect(files.count >= 20)
        var expected: [String: [Names]] = [:]
        for f in files { expected[f] = try Self.gribGet(try SampleData.path(f)) }
        GRIBFile.forgetProcessCaches()
        // Forward, then backward with the names of the forward pass remembered.
        for pass in [files, files.reversed()] {
            for f in pass {
                let ours = try Self.plumeNames(try SampleData.path(f))
                let theirs = expected[f] ?? []
                #expect(ours.count == theirs.count, "\(f): \(ours.count) messages, grib_get \(theirs.count)")
                for (k, (a, b)) in zip(ours, theirs).enumerated() where a != b {
                    Issue.record("\(f) message \(k + 1): Plume \(a), grib_get \(b)")
                }
            }
        }
    }

    /// Keys that distinguish parameters only in some product definition templates are asked
    /// of those templates: a 6-hour maximum is not named as the 3-hour one read before it.
    @Test func statisticalLengthSeparatesParameters() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = try SampleData.path("regular_ll_msl.grib")
        var paths: [String] = []
        for hours in [3, 6] {
            let out = folder.file("mx2t\(hours).grib")
            try Shell.run("grib_set", ["-s", "centre=98,productDefinitionTemplateNumber=8,discipline=0,parameterCategory=0,"
                + "parameterNumber=0,typeOfFirstFixedSurface=103,scaleFactorOfFirstFixedSurface=0,"
                + "scaledValueOfFirstFixedSurface=2,typeOfStatisticalProcessing=2,indicatorOfUnitForTimeRange=1,"
                + "lengthOfTimeRange=\(hours)", base, out])
            paths.append(out)
        }
        for path in paths + paths.reversed() {
            let ours = try Self.plumeNames(path)
            let theirs = try Self.gribGet(path)
            #expect(ours == theirs, "\(path): Plume \(ours), grib_get \(theirs)")
        }
        let names = try paths.map { try Self.plumeNames($0).first?.shortName ?? "" }
        #expect(names[0] != names[1], "3- and 6-hour maxima both named \(names[0])")
    }

    /// GRIB 1 messages that differ only in the octets behind their step and level keys
    /// (time range indicator, P1, P2, unit, level type and value), read one after another.
    @Test func edition1StepAndLevelVariants() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let base = try SampleData.path("reduced_gg.grib")
        let variants = [
            "timeRangeIndicator=0,P1=6", "timeRangeIndicator=0,P1=12", "timeRangeIndicator=4,P1=0,P2=6",
            "timeRangeIndicator=4,P1=0,P2=12", "timeRangeIndicator=2,P1=6,P2=12", "timeRangeIndicator=10,P1=1,P2=4",
            "timeRangeIndicator=4,unitOfTimeRange=0,P1=0,P2=120", "indicatorOfTypeOfLevel=100,level=500",
            "indicatorOfTypeOfLevel=100,level=850", "indicatorOfTypeOfLevel=109,level=60",
            "indicatorOfTypeOfLevel=112,topLevel=0,bottomLevel=7",
        ]
        var paths: [String] = []
        for (k, v) in variants.enumerated() {
            let out = folder.file("variant\(k).grib")
            try Shell.run("grib_set", ["-s", v, base, out])
            paths.append(out)
        }
        for path in paths + paths.reversed() {
            let ours = try Self.plumeNames(path)
            let theirs = try Self.gribGet(path)
            #expect(ours == theirs, "\(path): Plume \(ours), grib_get \(theirs)")
        }
    }
}
