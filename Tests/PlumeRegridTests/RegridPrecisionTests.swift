import Foundation
import PlumeGrids
import PlumeIO
import PlumeRegrid
import Testing

/// `plume regrid` keeps each variable's type (widening, never narrowing): a float64 field
/// regridded conservatively keeps its global integral to 1e-12 in the written file.
@Suite("Regridding keeps precision")
struct RegridPrecisionTests {
    /// A float64 field with structure at every scale on latlon2.8125, an int32 field, and
    /// int32 fields packed with double and with float scale and offset, written as netCDF-4.
    func writeInput(to path: String) throws -> (grid: any BandedGrid, field: [Double]) {
        let grid = try #require(try GridCatalog.grid("latlon2.8125") as? any BandedGrid)
        let (dimensions, coordinates) = CFGridCoordinates.make(for: grid)
        let centres = grid.centres()
        var rng = SystemRandomNumberGenerator()
        let field = centres.map { p in
            280 + 30 * cos(p.latitude * .pi / 180) + 1e-7 * Double.random(in: -1...1, using: &rng) + sin(3 * p.longitude * .pi / 180)
        }
        let names = dimensions.map(\.name), shape = dimensions.map(\.length)
        let counts = field.map { Int32(($0 - 250) * 100) }
        let dataset = Dataset(format: "netCDF-4", dimensions: dimensions, variables: coordinates + [
            Variable(name: "t64", dimensions: names, shape: shape, attributes: [Attribute("units", .text("K"))], data: .float64(field)),
            Variable(name: "count32", dimensions: names, shape: shape, data: .int32(counts)),
            Variable(name: "packedDouble", dimensions: names, shape: shape,
                     attributes: [Attribute("scale_factor", .doubles([0.01])), Attribute("add_offset", .doubles([250]))],
                     data: .int32(counts)),
            Variable(name: "packedFloat", dimensions: names, shape: shape,
                     attributes: [Attribute("scale_factor", .floats([0.01])), Attribute("add_offset", .floats([250]))],
                     data: .int32(counts)),
        ])
        try NetCDFWriter().write(dataset, to: path)
        return (grid, field)
    }

    @Test func float64StaysFloat64AndConservesTo1e12() throws {
        let folder = NSTemporaryDirectory() + "plume-precision-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (source, field) = try writeInput(to: folder + "/in.nc")
        let destination = try #require(try GridCatalog.grid("latlon5.625") as? any BandedGrid)
        _ = try FileRegridder(destination: destination, method: .conservative).run(input: folder + "/in.nc", output: folder + "/out.nc")

        let out = try NetCDFFile(path: folder + "/out.nc")
        #expect(try out.variable("t64").dataType == .float64)
        #expect(try out.variable("count32").dataType == .float64, "int32 widens to float64 (exact)")
        #expect(try out.variable("packedDouble").dataType == .float64, "packed with double scale: the unpacked type is double")
        #expect(try out.variable("packedFloat").dataType == .float32, "packed with float scale: the unpacked type is float")

        let weights = ConservativeWeights.make(from: source, to: destination)
        let written = try out.read("t64")
        let before = zip(field, weights.sourceArea).reduce(0.0) { $0 + $1.0 * $1.1 }
        let after = zip(written, weights.destinationArea).reduce(0.0) { $0 + $1.0 * $1.1 }
        let relative = abs(after - before) / abs(before)
        #expect(relative <= 1e-12, "global integral: \(before) → \(after) (\(relative) relative)")
        // Not what a float32 file could hold: values carry more than 24 bits.
        let roundTrip = written.map { Double(Float($0)) }
        #expect(zip(written, roundTrip).contains { $0 != $1 })
    }
}
