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

    /// Every width from 1 to 32 bits, counts that are and are not multiples of eight, data
    /// that ends exactly where the packed bits do, with and without a reordering: the
    /// unpacked values are those of a plain bit-by-bit reading.
    @Test func everyWidthAgainstBitByBitReading() {
        var generator = RobustnessTests.SplitMix64(state: 20261130)
        for bits in 1...32 {
            for count in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1001] {
                let length = (count * bits + 7) / 8
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let packing = GRIBSimplePacking(dataOffset: 0, bitsPerValue: bits, count: count, referenceValue: -3.5,
                                                binaryScale: 0.25, decimalScale: 0.1)
                var expected = [Float](repeating: 0, count: count)
                for k in 0..<count {
                    var x: UInt64 = 0
                    for b in 0..<bits {
                        let bit = k * bits + b
                        x = x << 1 | UInt64((bytes[bit >> 3] >> (7 - UInt8(bit & 7))) & 1)
                    }
                    expected[k] = Float((Double(x) * 0.25 + -3.5) * 0.1)
                }
                let reversed = Array((0..<count).reversed())
                for order in [nil, reversed] {
                    var out = [Float](repeating: .nan, count: count)
                    let ok = bytes.withUnsafeBytes { b in out.withUnsafeMutableBufferPointer { packing.unpack(b, into: $0, order: order) } }
                    #expect(ok, "\(bits) bits, \(count) values: refused")
                    let want = order.map { o in (0..<count).map { expected[o[$0]] } } ?? expected
                    #expect(out.map(\.bitPattern) == want.map(\.bitPattern), "\(bits) bits, \(count) values, order \(order != nil)")
                }
                if length > 0 {
                    // One byte short: refused, nothing written.
                    var out = [Float](repeating: .nan, count: count)
                    let ok = bytes.dropLast().withUnsafeBytes { b in out.withUnsafeMutableBufferPointer { packing.unpack(b, into: $0, order: nil) } }
                    #expect(!ok && out.allSatisfy(\.isNaN), "\(bits) bits, \(count) values: short data accepted")
                }
            }
        }
    }

    @Test func powersAsECCodes() {
        #expect(GRIBSimplePacking.power(0, 10) == 1)
        #expect(GRIBSimplePacking.power(-3, 2) == 0.125)
        #expect(GRIBSimplePacking.power(4, 10) == 10_000)
        #expect(GRIBSimplePacking.power(-1, 10) == 1.0 / 10)
    }
}
