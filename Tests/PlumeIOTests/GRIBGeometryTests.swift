import Foundation
@testable import PlumeIO
import Testing

/// Acceptance 3: coordinates and values of every point match ecCodes' own
/// `grib_get_data` (Debian libeccodes-tools), an independent program.
@Suite struct GRIBGeometryTests {
    struct Point { var lat: Double; var lon: Double; var value: Double }

    static func gribGetData(_ path: String) throws -> [Point] {
        let output = try Shell.run("grib_get_data", ["-m", "nan", "-F", "%.10e", "-L", "%.10f %.10f", path]).stdout
        return output.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 3, let lat = Double(f[0]), let lon = Double(f[1]) else { return nil }
            return Point(lat: lat, lon: lon, value: f[2] == "nan" ? .nan : Double(f[2]) ?? .infinity)
        }
    }

    static func sameLongitude(_ a: Double, _ b: Double) -> Bool {
        let d = (a - b).truncatingRemainder(dividingBy: 360)
        return abs(d) < 1e-6 || abs(abs(d) - 360) < 1e-6
    }

    @Test(arguments: ["regular_gg_ml.grib", "regular_gg_pl.grib", "reduced_gg.grib", "regular_ll_msl.grib", "lambert_grid.grib",
                      "fields_with_missing_values.grib", "regular_gg_sfc.grib"])
    func everyPointMatchesGribGetData(_ name: String) throws {
        let path = try SampleData.path(name)
        let file = try GRIBFile(path: path)
        let reference = try Self.gribGetData(path)
        if name == "lambert_grid.grib" {
            // Computed by Plume (GRIBLambertConformal), not by ecCodes' geo-iterator.
            #expect(file.messages.allSatisfy { $0.grid.lambert != nil })
        }
        var offset = 0
        for position in file.messages.indices {
            let field = try file.decode(position)
            let n = field.values.count
            let ref = Array(reference[offset..<(offset + n)])
            offset += n
            #expect(field.geometry.gridIndexOfDataPoint == nil)
            var bad = 0
            for k in 0..<n {
                let p = ref[k]
                let valueOK = p.value.isNaN ? field.values[k].isNaN : abs(Double(field.values[k]) - p.value) <= 1e-6 * max(1, abs(p.value))
                if !valueOK || abs(field.geometry.latitudes[k] - p.lat) > 1e-6 || !Self.sameLongitude(field.geometry.longitudes[k], p.lon) {
                    bad += 1
                }
            }
            #expect(bad == 0, "\(name) message \(position + 1): \(bad) of \(n) points differ from grib_get_data")
        }
        #expect(offset == reference.count, "\(name): grib_get_data listed \(reference.count) points, Plume decoded \(offset)")
    }

    /// `alternate-scanning.grib` stores odd rows east to west. ecCodes 2.28 returns the
    /// values in stored order and `grib_get_data` prints them beside coordinates listed as
    /// if no row were reversed. Plume puts every value at its true position: the values
    /// of the message still match grib_get_data's one for one, the coordinate list
    /// matches in grid order, and the field matches cfgrib's published reference values.
    @Test func alternateRowScanning() throws {
        let path = try SampleData.path("alternate-scanning.grib")
        let field = try GRIBFile(path: path).decode(0)
        let reference = try Self.gribGetData(path)
        let order = try #require(field.geometry.gridIndexOfDataPoint)
        #expect(field.geometry.shape == [171, 291])
        #expect(reference.count == order.count)
        var bad = 0
        for k in reference.indices {
            let p = reference[k]
            if abs(Double(field.values[order[k]]) - p.value) > 1e-6 * abs(p.value) { bad += 1 }
            if abs(field.geometry.latitudes[k] - p.lat) > 1e-6 || !Self.sameLongitude(field.geometry.longitudes[k], p.lon) { bad += 1 }
        }
        #expect(bad == 0)
        // Row 1 (second row) is reversed: its first stored value lands at its east end.
        #expect(order[291] == 2 * 291 - 1)
        // cfgrib's test_30_dataset reference values (east end of row 84, west end of row 85).
        let east: [Float] = [301.78, 303.78, 305.03], west: [Float] = [292.03, 291.78, 291.78]
        for i in 0..<3 {
            #expect(abs(field.values[84 * 291 + 288 + i] - east[i]) < 0.01)
            #expect(abs(field.values[85 * 291 + i] - west[i]) < 0.01)
        }
        // Physically, neighbouring rows are alike once reordered: mean |Δ| between rows 0 and 1.
        var d = 0.0
        for i in 0..<291 { d += Double(abs(field.values[291 + i] - field.values[i])) }
        #expect(d / 291 < 0.6)
    }

    @Test func gaussianLatitudesMatchECCodes() throws {
        // regular_gg_ml.grib is N32; grib_get_data prints its latitudes to 1e-10.
        let path = try SampleData.path("regular_gg_ml.grib")
        let reference = try Self.gribGetData(path)
        let rows = gaussianLatitudes(32)
        #expect(rows.count == 64)
        for j in 0..<64 { #expect(abs(rows[j] - reference[j * 128].lat) < 1e-9) }
        // Symmetric and strictly decreasing; Gauss weights (1−x²)·P'ₙ² sum to 2 is implied by the exact roots.
        for j in 0..<32 { #expect(abs(rows[j] + rows[63 - j]) < 1e-12) }
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func messageKeysWithoutDecoding() throws {
        let file = try GRIBFile(path: try SampleData.path("era5-levels-members.grib"))
        #expect(file.messages.count == 160)
        let m = file.messages[0]
        #expect(m.index == 1)
        #expect(m.shortName == "z" && m.paramId == 129 && m.typeOfLevel == "isobaricInhPa" && m.level == 500)
        #expect(m.dataDate == 20170101 && m.dataTime == 0 && m.number == 0 && m.edition == 1)
        #expect(m.packingType == "grid_simple" && m.grid.gridType == "regular_ll" && m.grid.numberOfPoints == 7320)
        #expect(m.referenceTime == 1_483_228_800)
        let steps = try GRIBFile(path: try SampleData.path("step_60m.grib"))
        #expect(steps.messages.map(\.stepHours).prefix(3) == [0, 1, 2])
        #expect(steps.messages[1].validTime - steps.messages[1].referenceTime == 3600)
    }
}
