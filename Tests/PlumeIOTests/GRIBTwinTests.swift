import Foundation
import PlumeIO
import Testing

/// Acceptance 2: `era5-levels-members.grib` decoded by Plume equals its netCDF twin
/// (written by cfgrib/xarray, CF-packed with scale_factor 0.1) read by Plume, and
/// `plume convert` reproduces the twin's values and coordinates.
@Suite struct GRIBTwinTests {
    @Test func gribEqualsItsNetCDFTwin() throws {
        let grib = try GRIBFile(path: try SampleData.path("era5-levels-members.grib")).dataset()
        let twin = try NetCDFFile(path: try SampleData.path("era5-levels-members.nc"))
        try Self.compare(grib, twin)
    }

    @Test func convertReproducesTheTwin() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let out = temp.file("converted.nc")
        let loaded = try DatasetLoader.load(try SampleData.path("era5-levels-members.grib"))
        try NetCDFWriter().write(loaded.dataset, to: out)
        let written = try NetCDFFile(path: out)
        let twin = try NetCDFFile(path: try SampleData.path("era5-levels-members.nc"))
        // Same dimensions, in the same order, with the same lengths.
        #expect(written.dataset.dimensions.map(\.name) == twin.dataset.dimensions.map(\.name))
        #expect(written.dataset.dimensions.map(\.length) == twin.dataset.dimensions.map(\.length))
        let reread = try DatasetLoader.load(out).dataset
        try Self.compare(reread, twin)
        // CF metadata the twin carries.
        #expect(written.dataset.attributes["Conventions"]?.text == "CF-1.8")
        #expect(try written.variable("t").units == "K")
        #expect(try written.variable("z").attributes["standard_name"]?.text == "geopotential")
        #expect(try written.variable("time").attributes["calendar"]?.text == "proleptic_gregorian")
    }

    static func compare(_ plume: Dataset, _ twin: NetCDFFile) throws {
        for name in ["number", "time", "step", "isobaricInhPa", "latitude", "longitude", "valid_time"] {
            let ours = try #require(plume.variable(name)?.data?.doubles, "coordinate \(name)")
            let theirs = try twin.read(name)
            #expect(ours == theirs, "coordinate \(name)")
        }
        for name in ["z", "t"] {
            let v = try #require(plume.variable(name))
            let tv = try twin.variable(name)
            #expect(v.dimensions == tv.dimensions)
            #expect(v.shape == tv.shape)
            let ours = try #require(v.data?.doubles)
            let theirs = try twin.read(name)
            #expect(ours.count == 10 * 4 * 2 * 61 * 120)
            var mismatches = 0
            for i in ours.indices where !equalToFloat32(ours[i], theirs[i]) { mismatches += 1 }
            #expect(mismatches == 0, "\(name): \(mismatches) of \(ours.count) values differ beyond float32 rounding")
        }
    }
}
