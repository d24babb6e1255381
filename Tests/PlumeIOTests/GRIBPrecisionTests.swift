import Foundation
import PlumeIO
import Testing

/// GRIB values are held in float32 only when float32 loses nothing the message packs: the
/// same field repacked with 24 bits per value (a step finer than float32 resolves at its
/// largest value) arrives as float64, every value equal to ecCodes' double; with 12 bits it
/// stays float32.
@Suite struct GRIBPrecisionTests {
    /// `grib_get_data` values (ecCodes' doubles, printed exactly) of the one message in `path`.
    static func ecCodesValues(_ path: String) throws -> [Double] {
        let output = try Shell.run("grib_get_data", ["-F", "%.17g", path]).stdout
        return output.split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.flatMap { Double($0) }
        }
    }

    @Test(arguments: [(24, DataType.float64), (12, DataType.float32)])
    func repackedTemperature(bits: Int, expected: DataType) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let source = try SampleData.path("era5-levels-members.grib")
        let one = temp.file("one.grib"), repacked = temp.file("repacked.grib")
        try Shell.run("grib_copy", ["-w", "count=1", source, one])
        try Shell.run("grib_set", ["-r", "-s", "bitsPerValue=\(bits)", one, repacked])
        let reference = try Self.ecCodesValues(repacked)
        let variable = try #require(try DatasetLoader.load(repacked).dataset.dataVariables.first)
        #expect(variable.data?.dataType == expected)
        let values = try #require(variable.data?.doubles)
        try #require(values.count == reference.count && !values.isEmpty)
        // Both in the file's order (north to south, as ecCodes lists them).
        if expected == .float64 {
            #expect(values == reference, "24-bit values must arrive as ecCodes decodes them")
        } else {
            #expect(zip(values, reference).allSatisfy { $0 == Double(Float($1)) })
        }
    }

    /// A real 24-bit field (ECMWF temperature, 24 bits per value: a step of ~2e-6 K, where float32's
    /// spacing at 275 K is 3.1e-5 K): held in float64, equal to ecCodes' values, which float32
    /// could not hold.
    @Test func real24BitTemperature() throws {
        let path = try SampleData.path("hpa_and_pa.grib")
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let one = temp.file("t.grib")
        try Shell.run("grib_copy", ["-w", "count=1", path, one])
        let reference = try Self.ecCodesValues(one)
        let variable = try #require(try DatasetLoader.load(one).dataset.dataVariables.first)
        #expect(variable.data?.dataType == .float64)
        let values = try #require(variable.data?.doubles)
        #expect(values == reference)
        let changedByFloat32 = reference.filter { Double(Float($0)) != $0 }.count
        #expect(changedByFloat32 > reference.count / 2, "float32 would change \(changedByFloat32) of \(reference.count) values")
    }
}
