import Foundation
@testable import PlumeIO
import Testing

/// Plume unpacks `grid_simple` messages itself (`GRIBSimplePacking`); every value must be
/// the one ecCodes' `codes_get_double_array` gives, bit for bit after rounding to float.
@Suite struct GRIBSimplePackingTests {
    @Test(arguments: ["era5-levels-members.grib", "regular_ll_msl.grib", "reduced_gg.grib", "regular_gg_ml.grib",
                      "lambert_grid.grib", "alternate-scanning.grib", "forecast_monthly_ukmo.grib", "ncep-seasonal-monthly.grib",
                      "hpa_and_pa.grib", "single_gridpoint.grib", "scanning_mode_64.grib", "cams-egg4-monthly.grib",
                      "step_60m.grib", "fields_with_missing_values.grib", "ds.waveh.5.grib"])
    func valuesEqualECCodes(_ name: String) throws {
        let file = try GRIBFile(path: try SampleData.path(name))
        for position in file.messages.indices {
            let field = try file.decode(position)
            var reference = [Float](repeating: .nan, count: field.values.count)
            try file.decodeWithECCodes(position, into: &reference, order: field.geometry.gridIndexOfDataPoint)
            let same = zip(field.values, reference).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
            #expect(same, "\(name) message \(position + 1): values differ from ecCodes' decoding")
        }
    }

    @Test func powersAsECCodes() {
        #expect(GRIBSimplePacking.power(0, 10) == 1)
        #expect(GRIBSimplePacking.power(-3, 2) == 0.125)
        #expect(GRIBSimplePacking.power(4, 10) == 10_000)
        #expect(GRIBSimplePacking.power(-1, 10) == 1.0 / 10)
    }
}
