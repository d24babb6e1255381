import CEccodes
import Foundation
import PlumeIO
import Testing

/// GRIB 2 messages that hold several fields (sections 3–7 or 4–7 repeated, as NCEP writes
/// u and v) are read field by field, and fields that share shortName, level type and level
/// never overwrite each other when assembled. The files are built here with ecCodes' own
/// multi-field writer (`codes_grib_multi_handle_*`) and read back, as the reference, with
/// ecCodes' multi-field reader (`codes_grib_multi_support_on` + `codes_handle_new_from_file`).
@Suite struct GRIBMultiFieldTests {
    /// One field to write: keys to set on ecCodes' GRIB 2 sample (16 × 31 regular grid).
    struct FieldSpec {
        var strings: [(String, String)] = []
        var longs: [(String, Int)] = []
        var offset: Double
    }

    struct ECCodesError: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else { throw ECCodesError(description: "\(what): \(String(cString: codes_get_error_message(status)))") }
    }

    /// A handle on ecCodes' GRIB 2 sample with `spec`'s keys and distinct values
    /// (`offset + 0.25 k`, exactly representable at the sample's packing).
    static func field(_ spec: FieldSpec) throws -> OpaquePointer {
        guard let h = codes_grib_handle_new_from_samples(nil, "GRIB2") else { throw ECCodesError(description: "no GRIB2 sample") }
        for (key, value) in spec.longs { try check(codes_set_long(h, key, value), key) }
        for (key, value) in spec.strings {
            var length = value.utf8.count
            try check(codes_set_string(h, key, value, &length), key)
        }
        var n = 0
        try check(codes_get_size(h, "values", &n), "size")
        var values = (0..<n).map { spec.offset + 0.25 * Double($0) }
        try check(codes_set_long(h, "bitsPerValue", 24), "bitsPerValue")
        try check(codes_set_double_array(h, "values", &values, n), "values")
        return h
    }

    /// Writes one multi-field message of `specs`, sections from `startSection` repeated.
    static func writeMultiField(_ specs: [FieldSpec], startSection: Int32, to path: String, append: Bool = false) throws {
        guard let mh = codes_grib_multi_handle_new(nil) else { throw ECCodesError(description: "multi handle") }
        defer { codes_grib_multi_handle_delete(mh) }
        for spec in specs {
            let h = try field(spec)
            defer { codes_handle_delete(h) }
            try check(codes_grib_multi_handle_append(h, startSection, mh), "append")
        }
        guard let f = fopen(path, append ? "ab" : "wb") else { throw ECCodesError(description: "cannot open \(path)") }
        defer { fclose(f) }
        try check(codes_grib_multi_handle_write(mh, f), "write")
    }

    /// Appends one single-field message of `spec`.
    static func writeSingle(_ spec: FieldSpec, to path: String) throws {
        let h = try field(spec)
        defer { codes_handle_delete(h) }
        var message: UnsafeRawPointer?
        var size = 0
        try check(codes_get_message(h, &message, &size), "message")
        guard let f = fopen(path, "ab"), let message else { throw ECCodesError(description: "cannot open \(path)") }
        defer { fclose(f) }
        fwrite(message, 1, size, f)
    }

    /// Every field of `path` as ecCodes decodes it with multi-field support on: the values
    /// in data order (the sample scans west to east, north to south: Plume's grid order).
    static func ecCodesFields(_ path: String) throws -> [[Double]] {
        let context = codes_context_get_default()
        codes_grib_multi_support_on(context)
        defer { codes_grib_multi_support_off(context) }
        guard let f = fopen(path, "rb") else { throw ECCodesError(description: "cannot open \(path)") }
        defer { fclose(f) }
        codes_grib_multi_support_reset_file(context, f)
        var fields: [[Double]] = []
        var status: Int32 = 0
        while let h = codes_handle_new_from_file(context, f, PRODUCT_GRIB, &status) {
            defer { codes_handle_delete(h) }
            var n = 0
            try check(codes_get_size(h, "values", &n), "size")
            var values = [Double](repeating: 0, count: n)
            try check(codes_get_double_array(h, "values", &values, &n), "values")
            fields.append(values)
        }
        try check(status, "reading \(path)")
        return fields
    }

    /// How many data variables of `dataset` hold each reference field exactly (as float32)
    /// in one of their 496-point slices, and the number of non-NaN values in all of them.
    static func locate(_ fields: [[Double]], in dataset: Dataset) -> (found: [Int], nonNaN: Int) {
        var slices: [[Float]] = []
        var nonNaN = 0
        for v in dataset.dataVariables {
            guard let values = v.data?.doubles else { continue }
            let floats = values.map(Float.init)
            nonNaN += floats.filter { !$0.isNaN }.count
            for start in stride(from: 0, to: floats.count, by: 496) { slices.append(Array(floats[start..<min(floats.count, start + 496)])) }
        }
        let found = fields.map { field in slices.filter { $0 == field.map(Float.init) }.count }
        return (found, nonNaN)
    }

    static let u = FieldSpec(strings: [("shortName", "u")], offset: 100)
    static let v = FieldSpec(strings: [("shortName", "v")], offset: -50)

    @Test(arguments: [Int32(4), Int32(3)])
    func uAndVInOneMessage(startSection: Int32) throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("uv.grib2")
        try Self.writeMultiField([Self.u, Self.v], startSection: startSection, to: path)
        // The tools (multi-field support on by default) see two fields in one message.
        let listed = try Shell.run("grib_get", ["-p", "shortName", path]).stdout.split(separator: "\n")
        #expect(listed == ["u", "v"])
        let reference = try Self.ecCodesFields(path)
        #expect(reference.count == 2 && reference.allSatisfy { $0.count == 496 })

        let file = try GRIBFile(path: path)
        #expect(file.problems.isEmpty)
        #expect(file.messages.map(\.shortName) == ["u", "v"])
        #expect(file.messages.map(\.index) == [1, 1] && file.messages.map(\.field) == [1, 2])
        #expect(file.messages.allSatisfy { $0.fieldsInMessage == 2 && $0.offset == 0 })
        for (k, expected) in reference.enumerated() {
            #expect(try file.decode(k).values == expected.map(Float.init), "field \(k + 1)")
        }
        let dataset = try DatasetLoader.load(path).dataset
        #expect(try #require(dataset.variable("u")?.data?.doubles).map(Float.init) == reference[0].map(Float.init))
        #expect(try #require(dataset.variable("v")?.data?.doubles).map(Float.init) == reference[1].map(Float.init))
        let summary = try FileSummary.make(path)
        #expect(summary.format.hasSuffix("1 messages holding 2 fields"), "\(summary.format)")

        // `plume convert` to netCDF keeps both.
        let plume = SampleData.packageRoot + "/.build/debug/plume"
        try #require(FileManager.default.isExecutableFile(atPath: plume), "build the plume executable first (swift build)")
        let out = temp.file("uv.nc")
        let convert = try Shell.run(plume, ["convert", path, out], allowFailure: true)
        #expect(convert.status == 0, "\(convert.stderr)")
        let nc = try NetCDFFile(path: out)
        #expect(try nc.readFloat("u") == reference[0].map(Float.init))
        #expect(try nc.readFloat("v") == reference[1].map(Float.init))
    }

    /// Fields that agree in shortName, level type and level — NCEP-like soil layers whose
    /// `level` key is 0 (0–0.1 m, 0.1–0.4 m, 0–2 m), surfaces ecCodes names `unknown`, a
    /// repeated field, accumulations over 0–6 h and 3–6 h — each arrive, none overwritten.
    @Test func fieldsThatShareLevelKeysAreAllKept() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("collisions.grib2")
        func layer(_ top: (Int, Int), _ bottom: (Int, Int), _ offset: Double) -> FieldSpec {
            // Surface types first: setting one resets the scaled values.
            FieldSpec(longs: [("typeOfFirstFixedSurface", 106), ("typeOfSecondFixedSurface", 106),
                              ("scaleFactorOfFirstFixedSurface", top.1), ("scaledValueOfFirstFixedSurface", top.0),
                              ("scaleFactorOfSecondFixedSurface", bottom.1), ("scaledValueOfSecondFixedSurface", bottom.0)],
                      offset: offset)
        }
        func unknownSurface(_ type: Int, _ offset: Double) -> FieldSpec {
            FieldSpec(longs: [("typeOfFirstFixedSurface", type), ("scaleFactorOfFirstFixedSurface", 0), ("scaledValueOfFirstFixedSurface", 5)], offset: offset)
        }
        let specs = [layer((0, 0), (1, 1), 200), layer((1, 1), (4, 1), 210), layer((0, 0), (2, 0), 220),
                     unknownSurface(190, 300), unknownSurface(191, 310), layer((0, 0), (1, 1), 230)]
        try Self.writeMultiField(specs, startSection: 4, to: path)
        func accumulation(_ range: String, _ offset: Double) -> FieldSpec {
            FieldSpec(strings: [("stepRange", range)], longs: [("productDefinitionTemplateNumber", 8), ("typeOfStatisticalProcessing", 1)], offset: offset)
        }
        try Self.writeSingle(accumulation("0-6", 400), to: path)
        try Self.writeSingle(accumulation("3-6", 410), to: path)
        // What ecCodes says the file holds: every field shares shortName t and level 0 or 5.
        // (`level` as ecCodes' integer key.)
        let keys = try Shell.run("grib_get", ["-p", "shortName,typeOfLevel,level,stepRange", path]).stdout
        #expect(keys.split(separator: "\n") == [
            "t depthBelowLandLayer 0 0", "t depthBelowLandLayer 0 0", "t depthBelowLandLayer 0 0", "t unknown 5 0", "t unknown 5 0",
            "t depthBelowLandLayer 0 0", "t surface 0 0-6", "t surface 0 3-6",
        ])
        let reference = try Self.ecCodesFields(path)
        #expect(reference.count == 8)

        let file = try GRIBFile(path: path)
        #expect(file.problems.isEmpty && file.messages.count == 8)
        #expect(file.messages.map(\.bottomLevel) == [0.1, 0.4, 2, nil, nil, 0.1, nil, nil])
        #expect(file.messages.map(\.level) == [0, 0.1, 0, 5, 5, 0, 0, 0])
        let dataset = try DatasetLoader.load(path).dataset
        let (found, nonNaN) = Self.locate(reference, in: dataset)
        #expect(found == [1, 1, 1, 1, 1, 1, 1, 1], "each field exactly once: \(found)")
        #expect(nonNaN == 8 * 496, "no value lost or repeated")
        // The layers: 0–0.1 and 0.1–0.4 on one level axis; 0–2 (same top as 0–0.1) and the
        // repeat of 0–0.1 in further variables that say which layer they hold.
        let names = dataset.dataVariables.map(\.name)
        #expect(names == ["t", "t_2", "t_unknown", "t_unknown_2", "t_3", "t_surface", "t_surface_2"])
        #expect(dataset.variable("t_unknown")?.attributes["GRIB_typeOfFirstFixedSurface"]?.doubles == [190])
        #expect(dataset.variable("t_unknown_2")?.attributes["GRIB_typeOfFirstFixedSurface"]?.doubles == [191])
        #expect(dataset.variable("t_3")?.attributes["GRIB_bottomLevel"]?.doubles == [0.1])
        let soil = try #require(dataset.variable("t"))
        #expect(soil.attributes["GRIB_bottomLevel"]?.doubles == [0.1, 0.4])
        let wide = try #require(dataset.variable("t_2"))
        #expect(wide.attributes["GRIB_bottomLevel"]?.doubles == [2])
        let accumulated = try #require(dataset.dataVariables.first { $0.attributes["GRIB_stepType"]?.text == "accum" && $0.attributes["GRIB_stepRange"]?.text == "3-6" })
        #expect(accumulated.data?.doubles.map(Float.init) == reference[7].map(Float.init))
    }
}
