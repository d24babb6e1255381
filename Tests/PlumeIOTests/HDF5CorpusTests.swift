import CHDF5
import Foundation
import PlumeIO
import Testing

/// Plain HDF5 files as other tools write them (h5py, PyTables), made at test time by
/// Scripts/make-hdf5-corpus.py: every file is either read with the values the script
/// wrote or what cannot be read is refused with a reason naming the file and the object,
/// and nothing reaches netCDF-C (which crashes on some of them, e.g. `ncdump strings.h5`).
@Suite struct HDF5CorpusTests {
    /// The corpus, written once per test process into .build/plume-hdf5-corpus (replaced
    /// on each run, so that no temporary folders pile up).
    static let corpus: Result<String, Shell.Failed> = {
        let root = SampleData.packageRoot
        do {
            let python = try Shell.run(root + "/Scripts/python-env.sh", []).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let folder = root + "/.build/plume-hdf5-corpus"
            try? FileManager.default.removeItem(atPath: folder)
            try Shell.run(python, [root + "/Scripts/make-hdf5-corpus.py", folder])
            return .success(folder)
        } catch let failure as Shell.Failed {
            return .failure(failure)
        } catch {
            return .failure(Shell.Failed(command: "Scripts/make-hdf5-corpus.py", status: -1, stderr: "\(error)"))
        }
    }()

    static let files = ["numeric.h5", "strings.h5", "attributes.h5", "compound_enum.h5", "references.h5", "links.h5",
                        "pytables.h5", "unknown_filter.h5", "dimension_scales.h5", "pytables_blosc.h5"]

    static func path(_ name: String) throws -> String { try corpus.get() + "/" + name }

    static func load(_ name: String) throws -> (DatasetLoader.Loaded, String) {
        let p = try path(name)
        return (try DatasetLoader.load(p), p)
    }

    /// The problem whose description mentions every one of `words`.
    static func problem(_ loaded: DatasetLoader.Loaded, _ words: String...) -> String? {
        loaded.problems.map(\.description).first { text in words.allSatisfy { text.contains($0) } }
    }

    static func group(_ d: Dataset, _ names: String...) -> Dataset? {
        var current = d
        for n in names {
            guard let g = current.groups.first(where: { $0.name == n }) else { return nil }
            current = g.dataset
        }
        return current
    }

    @Test(arguments: files) func noFileCarriesNetCDFMarkersAndEachLoads(_ name: String) throws {
        let p = try Self.path(name)
        #expect(try HDF5NetCDFMarkers.firstMarker(p) == nil)
        let loaded = try DatasetLoader.load(p)
        #expect(loaded.dataset.format == "HDF5")
        // Every problem names the file.
        for problem in loaded.problems { #expect(problem.description.hasPrefix(p + ": ")) }
        let summary = try FileSummary.make(p)
        #expect(summary.format == "HDF5")
        #expect(summary.problems.count == loaded.problems.count)
        // netCDF-C is never handed a plain HDF5 file, whoever asks.
        #expect(throws: PlumeIOError.unrecognisedFormat(file: p, expected: "a netCDF file",
                                                        found: "plain HDF5 without netCDF-4 markers (read it as HDF5)")) {
            _ = try NetCDFFile(path: p)
        }
    }

    @Test func numericTypesKeepTheirTypeAndValues() throws {
        let (loaded, p) = try Self.load("numeric.h5")
        let d = loaded.dataset
        let expected: [(String, DataType, VariableData)] = [
            ("i1", .int8, .int32([0, 1, 2, 3, 4, 5])), ("u1", .uint8, .int32([0, 1, 2, 3, 4, 5])),
            ("i2", .int16, .int32([0, 1, 2, 3, 4, 5])), ("u2", .uint16, .int32([0, 1, 2, 3, 4, 5])),
            ("i4", .int32, .int32([0, 1, 2, 3, 4, 5])), ("u4", .uint32, .int64([0, 1, 2, 3, 4, 5])),
            ("i8", .int64, .int64([0, 1, 2, 3, 4, 5])), ("u8", .uint64, .int64([0, 1, 2, 3, 4, 5])),
            ("f2", .float32, .float32([0, 1.5, 3, 4.5, 6, 7.5])), ("f4", .float32, .float32([0, 1.5, 3, 4.5, 6, 7.5])),
            ("f8", .float64, .float64([0, 1.5, 3, 4.5, 6, 7.5])),
        ]
        for (name, type, data) in expected {
            let v = try #require(d.variable(name), "\(name) missing")
            #expect(v.dataType == type, "\(name)")
            #expect(v.shape == [2, 3], "\(name)")
            #expect(v.data == data, "\(name)")
        }
        #expect(d.variable("i1_extremes")?.data == .int32([-128, 127]))
        #expect(d.variable("i8_extremes")?.data == .int64([Int64.min, Int64.max]))
        #expect(d.variable("u4_extremes")?.data == .int64([0, 4_294_967_295]))
        #expect(d.variable("big_endian")?.data == .float64([1.25, -2.5, 1e30]))
        #expect(d.variable("big_endian_int")?.data == .int32([1, -2, 300_000]))
        let scalar = try #require(d.variable("scalar"))
        #expect(scalar.shape == [] && scalar.dimensions == [] && scalar.data == .float64([273.15]))
        #expect(d.variable("empty")?.shape == [0, 3])
        #expect(d.variable("empty")?.data?.count == 0)
        // 2⁶⁴−1 does not fit Int64: refused, not wrapped.
        #expect(d.variable("u8_extremes") == nil)
        #expect(Self.problem(loaded, p, "'/u8_extremes'", "18446744073709551615", "Int64.max") != nil)
        // Nested groups, chunked + gzip + shuffle, fletcher32.
        #expect(Self.group(d, "g1", "g2")?.variable("deep")?.data == .int32([0, 1, 2, 3]))
        #expect(Self.group(d, "g1", "g2")?.variable("deep")?.dataType == .int16)
        let gz = try #require(d.variable("gzip_shuffle"))
        #expect(gz.shape == [10, 100])
        #expect(gz.data == .float32((0..<1000).map { Float($0) / 4 }))
        #expect(d.variable("fletcher")?.data == .int32(Array(0..<50)))
        // Dimensions shared by length within a group.
        #expect(d.variable("i1")?.dimensions == d.variable("f8")?.dimensions)
        #expect(Set(d.dimensions.map(\.length)).count == d.dimensions.count)
        #expect(loaded.problems.count == 1)
    }

    @Test func stringsFixedAndVariableLengthASCIIAndUTF8() throws {
        let (loaded, _) = try Self.load("strings.h5")
        #expect(loaded.strings["/fixed_ascii"] == ["alpha", "be", "gamma"])
        #expect(loaded.strings["/fixed_utf8"] == ["Zürich", "Ωmega"])
        #expect(loaded.strings["/vlen_ascii"] == ["one", "two", "three"])
        #expect(loaded.strings["/vlen_utf8"] == ["München", "東京", ""])
        #expect(loaded.strings["/scalar_vlen"] == ["lonely"])
        #expect(loaded.dataset.variable("numbers")?.data == .int32([10, 20]))
        #expect(loaded.problems.isEmpty)
        let file = try HDF5File(path: try Self.path("strings.h5"))
        #expect(try file.entry("fixed_utf8").dataType == .string)
        #expect(try file.entry("fixed_utf8").shape == [2])
    }

    @Test func attributesOfEveryType() throws {
        let (loaded, p) = try Self.load("attributes.h5")
        let root = loaded.dataset.attributes
        let data = try #require(loaded.dataset.variable("data")).attributes
        for (attributes, owner) in [(root, "group '/'"), (data, "dataset '/data'")] {
            for t in ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"] {
                #expect(attributes["a_" + t] == .integers([1, 2, 3]), "a_\(t) of \(owner)")
            }
            #expect(attributes["a_u8_huge"] == .text("18446744073709551615"))
            #expect(Self.problem(loaded, p, owner, "'a_u8_huge'", "decimal text") != nil)
            #expect(attributes["a_f2"] == .floats([0.5, -1.5]))
            #expect(attributes["a_f4"] == .floats([3.25]))
            #expect(attributes["a_f8"] == .doubles([1e-300, 2.5]))
            #expect(attributes["a_str"] == .text("plain text"))
            #expect(attributes["a_str_fixed"] == .text("fixed"))
            #expect(attributes["a_str_array"] == .text("x\nyy\nzzz"))
            #expect(attributes["a_utf8"] == .text("Grüße"))
            #expect(attributes["a_compound.n"] == .integers([7]))
            #expect(attributes["a_compound.x"] == .doubles([2.5]))
            #expect(attributes["a_enum"] == .text("HIGH\nLOW"))
            #expect(attributes["a_bool"] == .text("TRUE"))
            #expect(attributes["a_empty"] == .doubles([]))
            #expect(attributes["a_empty_str"] == .text(""))
            #expect(attributes["a_vlen_int"] == nil)
            #expect(Self.problem(loaded, p, owner, "'a_vlen_int'", "variable-length sequence") != nil)
        }
        #expect(loaded.problems.count == 4)
    }

    @Test func compoundMembersEnumerationsAndUnrepresentableTypes() throws {
        let (loaded, p) = try Self.load("compound_enum.h5")
        let d = loaded.dataset
        #expect(d.variable("obs.station")?.data == .int32([10, 20, 30]))
        #expect(d.variable("obs.station")?.dataType == .int32)
        #expect(d.variable("obs.temperature")?.data == .float64([280.5, 290.25, 300.0]))
        #expect(d.variable("obs.flag")?.dataType == .uint8)
        #expect(d.variable("obs.flag")?.data == .int32([1, 0, 1]))
        #expect(loaded.strings["/obs.name"] == ["oslo", "rome", "cairo"])
        #expect(d.variable("nested.a")?.data == .int32([1]))
        #expect(d.variable("nested.inner.b")?.data == .float32([2]))
        #expect(d.variable("nested.inner.c")?.data == .float32([3]))
        // An HDF5 array type adds its dimensions.
        let vectors = try #require(d.variable("vectors"))
        #expect(vectors.shape == [2, 3] && vectors.data == .float32([1, 2, 3, 4, 5, 6]))
        #expect(Self.problem(loaded, p, "'/string_arrays'", "arrays of HDF5 string values") != nil)
        let sky = try #require(d.variable("sky"))
        #expect(sky.dataType == .int8 && sky.data == .int32([0, 2, 1, 1]))
        #expect(sky.attributes["flag_values"] == .integers([0, 1, 2]))
        #expect(sky.attributes["flag_meanings"] == .text("CLEAR CLOUDY RAIN"))
        let mask = try #require(d.variable("mask"))
        #expect(mask.data == .int32([1, 0, 1]))
        #expect(mask.attributes["flag_meanings"] == .text("FALSE TRUE"))
        #expect(d.variable("bits")?.data == .int32([1, 2]))
        #expect(Self.problem(loaded, p, "'/opaque'", "opaque") != nil)
        #expect(Self.problem(loaded, p, "'/bitfield'", "bitfield") != nil)
        #expect(Self.problem(loaded, p, "'/ragged'", "variable-length sequence") != nil)
        #expect(Self.problem(loaded, p, "'/named_type'", "committed datatype") != nil)
        #expect(loaded.problems.count == 5)
    }

    @Test func objectReferencesAsPathsRegionReferencesReported() throws {
        let (loaded, p) = try Self.load("references.h5")
        let target = try #require(loaded.dataset.variable("target"))
        #expect(target.data == .float64((0..<10).map(Double.init)))
        #expect(target.attributes["units"] == .text("K"))
        #expect(target.attributes["self"] == .text("/target"))
        #expect(loaded.strings["/object_refs"] == ["/target", "/grp", ""])
        #expect(Self.problem(loaded, p, "'/region_refs'", "region references") != nil)
        #expect(loaded.dataset.groups.map(\.name) == ["grp"])
        #expect(loaded.problems.count == 1)
    }

    @Test func softLinksFollowedExternalAndDanglingReported() throws {
        let (loaded, p) = try Self.load("links.h5")
        let d = loaded.dataset
        #expect(Self.group(d, "data")?.variable("values")?.data == .float64([1.5, 2.5, 3.5]))
        #expect(d.variable("soft_to_values")?.data == .float64([1.5, 2.5, 3.5]))
        #expect(d.variable("alias")?.data == .float64([1.5, 2.5, 3.5]))
        #expect(d.groups.map(\.name) == ["data"])
        #expect(Self.problem(loaded, p, "'/dangling_soft'", "dangling soft link to '/nowhere'") != nil)
        #expect(Self.problem(loaded, p, "'/external'", "external link to 'numeric.h5:/f8'; not followed") != nil)
        #expect(Self.problem(loaded, p, "'/dangling_external'", "missing.h5:/x", "does not exist") != nil)
        #expect(Self.problem(loaded, p, "'/soft_to_group'", "same group as '/data'") != nil)
        #expect(Self.problem(loaded, p, "'/data/up'", "same group as '/'") != nil)
        #expect(loaded.problems.count == 5)
    }

    @Test func pyTablesTableWithIndexes() throws {
        let (loaded, _) = try Self.load("pytables.h5")
        let d = loaded.dataset
        #expect(d.variable("obs.id")?.data == .int32(Array(0..<100)))
        #expect(d.variable("obs.x")?.data == .float64((0..<100).map { Double($0) * 0.5 }))
        #expect(loaded.strings["/obs.name"] == (0..<100).map { "n\($0)" })
        #expect(d.variable("obs.nested.a")?.data == .int32((0..<100).map { Int32($0 % 7) }))
        #expect(d.variable("obs.nested.a")?.dataType == .int16)
        let b = try #require(d.variable("obs.nested.b"))
        #expect(b.shape == [100, 2])
        #expect(b.data == .float32((0..<100).flatMap { [Float($0), -Float($0)] }))
        #expect(loaded.problems.isEmpty)
        #expect(d.variable("arr")?.data == .int64(Array(0..<10)))
        #expect(d.variable("carr")?.data == .float32([0, 1, 2, 3, 4, 5]))
        #expect(d.variable("carr")?.shape == [2, 3])
        #expect(d.attributes["PYTABLES_FORMAT_VERSION"]?.text != nil)
        // The index of column id: its last-row sorted values are the ids in order.
        let index = try #require(Self.group(d, "_i_obs", "id"))
        let sorted = try #require(index.variable("sortedLR")?.data?.doubles)
        #expect(Array(sorted.prefix(100)) == (0..<100).map(Double.init))
        #expect(Self.group(d, "_i_obs", "x")?.variable("indices")?.dataType == .uint64)
    }

    @Test func unknownFilterRefusedPerDatasetNamingTheFilter() throws {
        let (loaded, p) = try Self.load("unknown_filter.h5")
        #expect(loaded.dataset.variable("fine")?.data == .int32([1, 2, 3]))
        #expect(loaded.dataset.variable("needs_filter") == nil)
        let text = try #require(Self.problem(loaded, p, "dataset '/needs_filter'", "filter 32123"))
        #expect(text.hasPrefix(p + ": "))
        #expect(loaded.problems.count == 1)
    }

    /// A real-world missing filter: PyTables' Blosc. Refused naming it, unless this HDF5
    /// has a Blosc plugin, in which case the values must be right.
    @Test func pyTablesBloscTable() throws {
        let (loaded, p) = try Self.load("pytables_blosc.h5")
        #expect(loaded.dataset.variable("plain")?.data == .float64([1.5, 2.5]))
        if let ids = loaded.dataset.variable("obs.id") {
            #expect(ids.data == .int32(Array(0..<50)))
            #expect(loaded.dataset.variable("obs.x")?.data == .float64((0..<50).map { Double($0) * 0.25 }))
        } else {
            #expect(Self.problem(loaded, p, "dataset '/obs'", "filter 32001 ('blosc')") != nil)
            #expect(loaded.problems.count == 1)
        }
    }

    @Test func plumeInspectShowsWhatWasSkipped() throws {
        let plume = SampleData.packageRoot + "/.build/debug/plume"
        try #require(FileManager.default.isExecutableFile(atPath: plume), "build the plume executable first")
        let p = try Self.path("unknown_filter.h5")
        let run = try Shell.run(plume, ["inspect", p], allowFailure: true)
        #expect(run.status == 2)  // what was skipped makes inspect exit 2, as for damaged GRIB
        #expect(run.stdout.contains("/fine"))
        #expect(run.stderr.contains("filter 32123") && run.stderr.contains("/needs_filter"))
    }

    /// netCDF-4 files still go through netCDF-C exactly as before.
    @Test func netCDF4FilesKeepGoingThroughNetCDF() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let classic = try SampleData.path("era5-levels-members.nc")
        let nc4 = temp.file("era5-nc4.nc")
        try Shell.run("nccopy", ["-k", "nc4", classic, nc4])
        #expect(try FileFormat.detect(nc4) == .hdf5)
        #expect(try HDF5NetCDFMarkers.firstMarker(nc4) == "root attribute _NCProperties")
        let viaHDF5 = try DatasetLoader.load(nc4)
        let viaClassic = try DatasetLoader.load(classic)
        #expect(viaHDF5.dataset.format == "netCDF-4")
        #expect(Self.sameVariables(viaHDF5.dataset, viaClassic.dataset))
        #expect(viaHDF5.dataset.dimensions.map(\.name) == viaClassic.dataset.dimensions.map(\.name))

        // Plume's own netCDF-4 output.
        let written = temp.file("written.nc")
        try NetCDFWriter().write(viaClassic.dataset, to: written)
        #expect(try HDF5NetCDFMarkers.isNetCDF4(written))
        #expect(try DatasetLoader.load(written).dataset.format == "netCDF-4")

        // Without _NCProperties (stripped, or netCDF-C before 4.4.1) the other markers
        // still send it to netCDF-C.
        let stripped = temp.file("stripped.nc")
        try FileManager.default.copyItem(atPath: nc4, toPath: stripped)
        let fid = H5Fopen(stripped, plume_h5f_acc_rdwr(), plume_h5p_default())
        try #require(fid >= 0)
        #expect(H5Adelete(fid, "_NCProperties") >= 0)
        H5Fclose(fid)
        let marker = try #require(try HDF5NetCDFMarkers.firstMarker(stripped))
        #expect(marker.contains("_Netcdf4Dimid") || marker.contains("_Netcdf4Coordinates"))
        #expect(Self.sameVariables(try DatasetLoader.load(stripped).dataset, viaClassic.dataset))
    }

    /// Same variable names, dimensions, types, attribute names and values (NaN equal to NaN).
    static func sameVariables(_ a: Dataset, _ b: Dataset) -> Bool {
        func same(_ x: [Double], _ y: [Double]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        return a.variables.count == b.variables.count && zip(a.variables, b.variables).allSatisfy { v, w in
            v.name == w.name && v.dimensions == w.dimensions && v.shape == w.shape && v.dataType == w.dataType
                && v.attributes.map(\.name) == w.attributes.map(\.name)
                && zip(v.attributes, w.attributes).allSatisfy { $0.value.text == $1.value.text && same($0.value.doubles, $1.value.doubles) }
                && v.data?.dataType == w.data?.dataType && same(v.data?.doubles ?? [], w.data?.doubles ?? [])
        }
    }

    /// Rule 3: a dimension scale named as netCDF-C names a dimension without a variable.
    @Test func netCDFDimensionScaleNameIsAMarker() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("dimension.h5")
        let file = H5Fcreate(path, plume_h5f_acc_trunc(), plume_h5p_default(), plume_h5p_default())
        var n: hsize_t = 4
        let space = H5Screate_simple(1, &n, nil)
        let x = H5Dcreate2(file, "x", plume_h5t_native_float(), space, plume_h5p_default(), plume_h5p_default(), plume_h5p_default())
        let scalar = H5Screate(H5S_SCALAR)
        for (name, value) in [("CLASS", "DIMENSION_SCALE"), ("NAME", "This is a netCDF dimension but not a netCDF variable         4")] {
            let type = H5Tcopy(plume_h5t_c_s1())
            H5Tset_size(type, value.utf8.count + 1)
            let a = H5Acreate2(x, name, type, scalar, plume_h5p_default(), plume_h5p_default())
            H5Awrite(a, type, value)
            H5Aclose(a)
            H5Tclose(type)
        }
        H5Sclose(scalar); H5Dclose(x); H5Sclose(space); H5Fclose(file)
        #expect(try HDF5NetCDFMarkers.firstMarker(path) == "netCDF dimension scale '/x'")
    }
}

extension HDF5CorpusTests {
    @Test func h5pyDimensionScalesNameTheDimensions() throws {
        let (loaded, _) = try Self.load("dimension_scales.h5")
        let d = loaded.dataset
        let lat = try #require(d.variable("lat"))
        #expect(lat.data == .float64([10, 20]))
        #expect(lat.dimensions == ["lat"])
        #expect(lat.attributes["NAME"] == .text("latitude"))
        #expect(lat.attributes["CLASS"] == .text("DIMENSION_SCALE"))
        #expect(lat.attributes["REFERENCE_LIST"] == nil)
        let field = try #require(d.variable("field"))
        #expect(field.data == .int32([1, 2, 3, 4, 5, 6]))
        #expect(field.dimensions == ["lat", "lon"])
        #expect(field.attributes["DIMENSION_LIST"] == nil)
        #expect(d.dimensions.map(\.name) == ["lat", "phony_dim_0", "lon"] || d.dimensions.map(\.name) == ["lat", "lon", "phony_dim_0"])
        #expect(d.dimension("lon")?.length == 3)
        #expect(d.variable("unattached")?.dimensions == ["phony_dim_0"])
        #expect(Self.group(d, "geo")?.variable("lon")?.dimensions == ["lon"])
        #expect(Self.group(d, "geo")?.variable("lon")?.data == .float64([0, 120, 240]))
        #expect(d.dataVariables.map(\.name).contains("field"))
        #expect(d.coordinateVariables.map(\.name) == ["lat"])
        #expect(loaded.problems.isEmpty)
    }
}
