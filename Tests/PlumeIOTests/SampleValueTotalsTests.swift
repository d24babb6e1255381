import CEccodes
import CNetCDF
import Foundation
import PlumeIO
import Testing

/// Every value of every sample file arrives: for each GRIB file the number and the sum of
/// the non-missing values in Plume's assembled dataset equal those of every field ecCodes
/// decodes with multi-field support on (`codes_handle_new_from_file`, the C library's own
/// file reader, not Plume's scanner); for each netCDF file those of every numeric variable
/// equal what netCDF-C's `nc_get_var_double` returns, decoded here by the variable's CF
/// attributes.
///
/// Plume keeps GRIB values as float32 unless float32 would lose what the message packs (a
/// packing step finer than float32's spacing at the packing's largest value, or 64-bit IEEE
/// data), so the reference rounds each decoded double to float32 first for the fields that
/// rule (restated below from the keys) leaves in float32; both sides then sum in double with compensated (Neumaier) summation,
/// whose error is about one double rounding of the total, independent of the order (Plume's
/// hypercube order differs from the file's). The sums must agree within 1e-12 of the sum of
/// magnitudes: far below the 6e-8 relative change one float32 value rounding differently
/// would make, so a lost, repeated or altered value cannot hide.
@Suite struct SampleValueTotalsTests {
    struct Totals: CustomStringConvertible {
        var count = 0
        var sum = 0.0
        var compensation = 0.0
        var magnitude = 0.0
        var fields = 0

        mutating func add(_ v: Double) {
            count += 1
            let t = sum + v
            compensation += abs(sum) >= abs(v) ? (sum - t) + v : (v - t) + sum
            sum = t
            magnitude += abs(v)
        }

        var total: Double { sum + compensation }
        var description: String { "\(count) values, sum \(total)" }

        func matches(_ other: Totals) -> Bool {
            count == other.count && abs(total - other.total) <= 1e-12 * max(magnitude, other.magnitude)
        }
    }

    static let gribFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SampleData.folder)) ?? []
        return names.filter { $0.hasSuffix(".grib") }.sorted()
    }()

    static let netCDFFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SampleData.folder)) ?? []
        return names.filter { $0.hasSuffix(".nc") }.sorted()
    }()

    /// The float64 rule from a message's keys: spacing of float32 at the largest packable
    /// value against half the packing step; IEEE precision 2; an inexact constant of 0 bits.
    static func needsDouble(_ h: OpaquePointer) -> Bool {
        var length = 64
        var text = [CChar](repeating: 0, count: 64)
        _ = codes_get_string(h, "packingType", &text, &length)
        let packing = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var bits = 0, e = 0, d = 0, precision = 0
        var r = 0.0
        if packing.hasPrefix("grid_ieee") { _ = codes_get_long(h, "precision", &precision); return precision >= 2 }
        guard codes_get_long(h, "bitsPerValue", &bits) == 0, codes_get_long(h, "binaryScaleFactor", &e) == 0,
              codes_get_long(h, "decimalScaleFactor", &d) == 0, codes_get_double(h, "referenceValue", &r) == 0 else { return false }
        let scale = pow(10.0, Double(-d))
        if bits == 0 { return Double(Float(r * scale)) != r * scale }
        let step = pow(2.0, Double(e)) * scale
        let largest = max(abs(r), abs(r + (pow(2.0, Double(bits)) - 1) * pow(2.0, Double(e)))) * scale
        return Double(Float(largest).ulp) > step / 2
    }

    /// ecCodes: every field of the file, values rounded to float32 where Plume keeps float32,
    /// bitmap points left out.
    static func ecCodesTotals(_ path: String) throws -> Totals {
        let context = codes_context_get_default()
        codes_grib_multi_support_on(context)
        defer { codes_grib_multi_support_off(context) }
        guard let f = fopen(path, "rb") else { throw GRIBMultiFieldTests.ECCodesError(description: "cannot open \(path)") }
        defer { fclose(f) }
        codes_grib_multi_support_reset_file(context, f)
        var totals = Totals()
        var status: Int32 = 0
        let sentinel = 1e300
        while let h = codes_handle_new_from_file(context, f, PRODUCT_GRIB, &status) {
            defer { codes_handle_delete(h) }
            var bitmap = 0
            _ = codes_get_long(h, "bitmapPresent", &bitmap)
            if bitmap == 1 { try GRIBMultiFieldTests.check(codes_set_double(h, "missingValue", sentinel), "missingValue") }
            var n = 0
            try GRIBMultiFieldTests.check(codes_get_size(h, "values", &n), "size")
            var values = [Double](repeating: 0, count: n)
            try GRIBMultiFieldTests.check(codes_get_double_array(h, "values", &values, &n), "values")
            let double = needsDouble(h)
            for v in values where !(bitmap == 1 && v == sentinel) { totals.add(double ? v : Double(Float(v))) }
            totals.fields += 1
        }
        return totals
    }

    static func plumeTotals(_ dataset: Dataset) -> Totals {
        var totals = Totals()
        for v in dataset.dataVariables {
            for x in v.data?.doubles ?? [] where !x.isNaN { totals.add(x) }
        }
        return totals
    }

    /// Sample files Plume refuses as a whole, with what it says: values it cannot place on
    /// a grid (spectral coefficients) or a grid whose keys contradict each other.
    static let refused = [
        "spherical_harmonics.grib": "message 1 (byte offset 0): ecCodes geo-iterator: Function not yet implemented",
        "regular_gg_wrong_increment.grib": "message 1 (byte offset 0): grid definition: first latitude 87.863799 with Nj = 64 is not a run of the N = 48 Gaussian latitudes",
    ]

    @Test(arguments: gribFiles)
    func gribValuesAllArrive(_ name: String) throws {
        let path = try SampleData.path(name)
        if let message = Self.refused[name] {
            #expect(performing: { _ = try DatasetLoader.load(path) }, throws: { "\($0)" == "\(path): \(message)" })
            return
        }
        var reference = try Self.ecCodesTotals(path)
        if name == "era5-levels-corrupted.grib" {
            // ecCodes' file reader stops at the damaged first message (0 fields); Plume skips
            // it and reads the second, at byte 22068. The reference: ecCodes on the bytes
            // from there.
            #expect(reference.fields == 0)
            let temp = try TemporaryFolder()
            defer { temp.remove() }
            let rest = temp.file("rest.grib")
            try Data(contentsOf: URL(fileURLWithPath: path)).dropFirst(22068).write(to: URL(fileURLWithPath: rest))
            reference = try Self.ecCodesTotals(rest)
            #expect(reference.fields == 1)
        }
        let loaded = try DatasetLoader.load(path)
        let ours = Self.plumeTotals(loaded.dataset)
        let file = try GRIBFile(path: path)
        print("sample totals: \(name): \(reference.fields) fields (ecCodes), \(file.messages.count) fields (Plume), \(ours.count) values, sum \(ours.total)")
        if name == "era5-levels-corrupted.grib" {
            // The damaged first message: ecCodes' file reader skips it as Plume does, and
            // Plume says so.
            #expect(loaded.problems.count == 1)
        } else {
            #expect(loaded.problems.isEmpty, "\(loaded.problems)")
        }
        #expect(file.messages.count == reference.fields)
        #expect(ours.matches(reference), "\(name): Plume \(ours), ecCodes \(reference)")
    }

    /// netCDF-C: each numeric variable read raw, `_FillValue`/`missing_value` left out,
    /// `scale_factor`/`add_offset` applied.
    static func netCDFTotals(_ path: String) throws -> Totals {
        var ncid: Int32 = 0
        guard nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR else { throw SampleData.SampleDataMissing(name: path) }
        defer { nc_close(ncid) }
        var nvars: Int32 = 0
        nc_inq_nvars(ncid, &nvars)
        var totals = Totals()
        for varid in 0..<nvars {
            var type: nc_type = 0
            var ndims: Int32 = 0
            nc_inq_vartype(ncid, varid, &type)
            guard [NC_BYTE, NC_SHORT, NC_INT, NC_FLOAT, NC_DOUBLE, NC_UBYTE, NC_USHORT, NC_UINT, NC_INT64, NC_UINT64].contains(type) else { continue }
            nc_inq_varndims(ncid, varid, &ndims)
            var dims = [Int32](repeating: 0, count: Int(ndims))
            nc_inq_vardimid(ncid, varid, &dims)
            var n = 1
            for d in dims {
                var length = 0
                nc_inq_dimlen(ncid, d, &length)
                n *= length
            }
            var values = [Double](repeating: 0, count: n)
            guard nc_get_var_double(ncid, varid, &values) == NC_NOERR else { continue }
            func attribute(_ name: String) -> Double? {
                var v = 0.0
                return nc_get_att_double(ncid, varid, name, &v) == NC_NOERR ? v : nil
            }
            let fill = attribute("_FillValue"), missing = attribute("missing_value")
            let scale = attribute("scale_factor") ?? 1, offset = attribute("add_offset") ?? 0
            let packed = attribute("scale_factor") != nil || attribute("add_offset") != nil
            for raw in values where raw != fill && raw != missing && !raw.isNaN {
                let v = packed ? raw * scale + offset : raw
                totals.add(type == NC_FLOAT ? Double(Float(v)) : v)
            }
            totals.fields += 1
        }
        return totals
    }

    @Test(arguments: netCDFFiles)
    func netCDFValuesAllArrive(_ name: String) throws {
        let path = try SampleData.path(name)
        let reference = try Self.netCDFTotals(path)
        let dataset = try DatasetLoader.load(path).dataset
        var ours = Totals()
        for v in dataset.variables {
            for x in v.data?.doubles ?? [] where !x.isNaN { ours.add(x) }
        }
        print("sample totals: \(name): \(reference.fields) variables, \(ours.count) values, sum \(ours.total)")
        #expect(ours.matches(reference), "\(name): Plume \(ours), netCDF-C \(reference)")
    }
}
