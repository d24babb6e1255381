import Foundation
import PlumeSupport
import PlumeGrids
import PlumeIO
@testable import PlumeRegrid
import Testing

/// SCRIP and ESMF weight files against CDO: Plume applies CDO's weights exactly as CDO does,
/// CDO applies Plume's SCRIP weights exactly as Plume does, files round-trip, and bad files
/// fail with errors naming the file and the variable.
///
/// These tests need the `cdo` command (Debian package `cdo`); without it they fail.
@Suite("CDO interop: SCRIP/ESMF weight files")
struct CDOInteropTests {
    // MARK: - (a) CDO's weights applied by Plume

    @Test("CDO weights read by Plume reproduce `cdo remap` to 1e-12",
          arguments: [("gencon", RemapMethod.conservative), ("genbil", .bilinear), ("gennn", .nearest), ("gendis", .nearest)])
    func cdoWeightsAppliedByPlume(_ operatorName: String, _ method: RemapMethod) throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(72, 36), destination = try CDOFixture.grid(48, 24)
        let field = CDOFixture.y22(on: source)
        try CDOFixture.writeField(field, grid: source, to: "\(dir)/src.nc")
        // Classic netCDF, as CDO writes weights by default.
        try CDOFixture.cdo(["-f", "nc", "\(operatorName),r48x24", "src.nc", "w.nc"], in: dir)
        try CDOFixture.cdo(["-b", "F64", "remap,r48x24,w.nc", "src.nc", "out.nc"], in: dir)

        let contents = try RemapWeightsFile.readContents("\(dir)/w.nc")
        let w = contents.weights
        #expect(contents.format == .scrip)
        #expect(w.method == method, "\(operatorName): map_method \"\(contents.mapMethod)\"")
        #expect(w.sourceCount == source.cellCount && w.destinationCount == destination.cellCount)
        #expect(w.sourceShape == [36, 72] && w.destinationShape == [24, 48])
        // CDO's rXxY grids are Plume's global grids: same cell order and centres.
        try contents.source.check(against: source, role: "source")
        try contents.destination.check(against: destination, role: "destination")
        if method == .conservative {
            for i in 0..<w.destinationCount {
                let sum = w.weights[w.rowStart[i]..<w.rowStart[i + 1]].reduce(0, +)
                #expect(abs(sum - 1) < 1e-10, "row \(i) sums to \(sum)")
            }
            let areas = destination.cellAreas()
            #expect(zip(w.destinationArea, areas).allSatisfy { abs($0 - $1) <= 1e-12 * $1 })
        }

        let plume = CDOFixture.apply(w, field)
        let cdo = try NetCDFFile(path: "\(dir)/out.nc").read("y")
        try CDOFixture.expectClose(plume, cdo, "\(operatorName)")
    }

    @Test("CDO weights rewritten by Plume as SCRIP give CDO's own result",
          arguments: ["gencon", "genbil", "gennn"])
    func cdoWeightsRewrittenByPlume(_ operatorName: String) throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(72, 36), destination = try CDOFixture.grid(48, 24)
        try CDOFixture.writeField(CDOFixture.y22(on: source), grid: source, to: "\(dir)/src.nc")
        try CDOFixture.cdo(["\(operatorName),r48x24", "src.nc", "w.nc"], in: dir)
        try CDOFixture.cdo(["-b", "F64", "remap,r48x24,w.nc", "src.nc", "cdo.nc"], in: dir)

        let w = try RemapWeightsFile.read("\(dir)/w.nc")
        try RemapWeightsFile.write(w, source: source, destination: destination, to: "\(dir)/plume_w.nc", format: .scrip)
        try CDOFixture.cdo(["-b", "F64", "remap,r48x24,plume_w.nc", "src.nc", "plume.nc"], in: dir)
        let expected = try NetCDFFile(path: "\(dir)/cdo.nc").read("y")
        let got = try NetCDFFile(path: "\(dir)/plume.nc").read("y")
        try CDOFixture.expectClose(got, expected, "\(operatorName) via Plume's file")
        #expect(try RemapWeightsFile.read("\(dir)/plume_w.nc") == w)
    }

    @Test("CDO weight files in every netCDF format read alike")
    func netCDFFormats() throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(72, 36)
        try CDOFixture.writeField(CDOFixture.y22(on: source), grid: source, to: "\(dir)/src.nc")
        var read: [RemapWeights] = []
        for format in ["nc", "nc2", "nc5", "nc4"] {
            try CDOFixture.cdo(["-f", format, "gencon,r36x18", "src.nc", "w_\(format).nc"], in: dir)
            read.append(try RemapWeightsFile.read("\(dir)/w_\(format).nc"))
        }
        #expect(read.allSatisfy { $0 == read[0] })
        #expect(read[0].linkCount > 0)
    }

    // MARK: - (b) Plume's weights applied by CDO

    @Test("Plume's SCRIP file: `cdo remap` equals Plume's application to 1e-12")
    func plumeWeightsAppliedByCDO() throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(72, 36), destination = try CDOFixture.grid(36, 18)
        let field = CDOFixture.y22(on: source)
        try CDOFixture.writeField(field, grid: source, to: "\(dir)/src.nc")
        let w = CDOFixture.bandConservative(from: source, to: destination)
        try RemapWeightsFile.write(w, source: source, destination: destination, to: "\(dir)/plume_w.nc", format: .scrip)
        try CDOFixture.cdo(["-b", "F64", "remap,r36x18,plume_w.nc", "src.nc", "out.nc"], in: dir)

        let plume = CDOFixture.apply(w, field)
        let cdo = try NetCDFFile(path: "\(dir)/out.nc").read("y")
        try CDOFixture.expectClose(cdo, plume, "Plume's weights in CDO")
        // The exact band weights conserve the global integral.
        let integral = { (f: [Double], a: [Double]) in zip(f, a).reduce(0) { $0 + $1.0 * $1.1 } }
        let before = integral(field, source.cellAreas()), after = integral(cdo, destination.cellAreas())
        #expect(abs(after / before - 1) < 1e-13)

        // The file is laid out as CDO writes it.
        let file = try NetCDFFile(path: "\(dir)/plume_w.nc")
        #expect(file.dataset.attributes["conventions"]?.text == "SCRIP")
        #expect(file.dataset.attributes["map_method"]?.text == "Conservative remapping")
        #expect(file.dataset.attributes["normalization"]?.text == "fracarea")
        for name in ["src_address", "dst_address", "src_grid_dims", "dst_grid_dims", "src_grid_imask"] {
            #expect(try file.variable(name).dataType == .int32, "\(name)")
        }
        #expect(try file.variable("remap_matrix").shape == [w.linkCount, 1])
        #expect(try file.variable("remap_matrix").dataType == .float64)
        #expect(try file.variable("src_grid_center_lat").units == "radians")
        #expect(try file.read("src_grid_dims") == [72, 36])
        #expect(try file.variable("src_grid_corner_lon").shape == [source.cellCount, 4])
        #expect(try RemapWeightsFile.read("\(dir)/plume_w.nc") == w)
    }

    // MARK: - ESMF and round trips

    @Test("SCRIP and ESMF files round-trip", arguments: RemapWeightsFile.Format.allCases)
    func roundTrip(_ format: RemapWeightsFile.Format) throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(72, 36), destination = try CDOFixture.grid(36, 18)
        var w = CDOFixture.bandConservative(from: source, to: destination)
        w.destinationFraction[3] = 0.5  // "destarea" normalisation, kept as written
        let path = "\(dir)/w_\(format.rawValue).nc"
        try RemapWeightsFile.write(w, source: source, destination: destination, to: path, format: format)
        #expect(try RemapWeightsFile.format(of: path) == format)
        let contents = try RemapWeightsFile.readContents(path)
        #expect(contents.weights == w)
        #expect(contents.normalization == "destarea")
        try contents.source.check(against: source, role: "source")
        try contents.destination.check(against: destination, role: "destination")
        let corners = try #require(contents.source.corners)
        let expected = source.corners()
        for (a, b) in zip(corners.joined(), expected.joined()) {
            #expect(abs(a.latitude - b.latitude) < 1e-12 && abs(a.longitude - b.longitude) < 1e-12)
        }
        let file = try NetCDFFile(path: path)
        if format == .esmf {
            for name in ["S", "row", "col", "frac_a", "frac_b", "area_a", "area_b", "xc_a", "yc_a", "xv_a", "yv_a",
                         "xc_b", "yc_b", "xv_b", "yv_b", "mask_a", "mask_b", "src_grid_dims", "dst_grid_dims"] {
                #expect(file.dataset.variable(name) != nil, "ESMF file lacks \(name)")
            }
            #expect(try file.variable("xc_a").units == "degrees")
            #expect(try file.read("xc_b").prefix(2) == [0, 10])
            #expect(try file.variable("yv_b").shape == [destination.cellCount, 4])
        }
        // A grid with other centres is refused.
        let shifted = try RegularLatLonGrid(name: "shifted", firstLatitude: -85, latitudeStep: 10, latitudeCount: 18,
                                            firstLongitude: 5, longitudeStep: 10, longitudeCount: 36)
        #expect(throws: RemapError.self) { try contents.destination.check(against: shifted, role: "destination") }
    }

    @Test("weights without links round-trip")
    func emptyWeights() throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(8, 4), destination = try CDOFixture.grid(4, 2)
        let w = RemapWeights(method: .bilinear, source: source, destination: destination, links: [])
        for format in RemapWeightsFile.Format.allCases {
            let path = "\(dir)/empty_\(format.rawValue).nc"
            try RemapWeightsFile.write(w, source: source, destination: destination, to: path, format: format)
            #expect(try RemapWeightsFile.read(path) == w)
        }
    }

    // MARK: - Bad input

    @Test("bad files fail naming the file and the variable")
    func badFiles() throws {
        let dir = try CDOFixture.directory()
        defer { CDOFixture.remove(dir) }
        let source = try CDOFixture.grid(72, 36), destination = try CDOFixture.grid(36, 18)
        let w = CDOFixture.bandConservative(from: source, to: destination)
        let good = "\(dir)/good.nc", goodESMF = "\(dir)/good_esmf.nc"
        try RemapWeightsFile.write(w, source: source, destination: destination, to: good, format: .scrip)
        try RemapWeightsFile.write(w, source: source, destination: destination, to: goodESMF, format: .esmf)

        func expectFailure(_ path: String, variable: String?, mentioning words: [String] = [],
                           sourceLocation: SourceLocation = #_sourceLocation) {
            let error = #expect(throws: RemapError.self, sourceLocation: sourceLocation) { try RemapWeightsFile.read(path) }
            guard let error else { return }
            let text = error.description
            #expect(text.contains(path), "\(text)", sourceLocation: sourceLocation)
            if let variable {
                if case .invalidWeights(let file, let v, _) = error {
                    #expect(file == path && v == variable, "\(text)", sourceLocation: sourceLocation)
                } else {
                    Issue.record("expected invalidWeights naming '\(variable)', got \(text)", sourceLocation: sourceLocation)
                }
                #expect(text.contains("'\(variable)'"), "\(text)", sourceLocation: sourceLocation)
            }
            for word in words { #expect(text.contains(word), "\(text)", sourceLocation: sourceLocation) }
        }

        // Missing variables.
        let noAddress = "\(dir)/no_dst_address.nc"
        try CDOFixture.rewrite(good, to: noAddress) { $0.variables.removeAll { $0.name == "dst_address" } }
        expectFailure(noAddress, variable: "dst_address", mentioning: ["missing"])
        let noS = "\(dir)/no_frac_area_S.nc"
        try CDOFixture.rewrite(goodESMF, to: noS) { $0.variables.removeAll { $0.name == "S" } }
        expectFailure(noS, variable: "remap_matrix", mentioning: ["not a weight file"])
        let noCentres = "\(dir)/no_yc_b.nc"
        try CDOFixture.rewrite(goodESMF, to: noCentres) { $0.variables.removeAll { $0.name == "yc_b" } }
        expectFailure(noCentres, variable: "yc_b", mentioning: ["missing"])

        // Indices out of range.
        let badAddress = "\(dir)/bad_src_address.nc"
        try CDOFixture.rewrite(good, to: badAddress) { d in
            CDOFixture.edit(&d, "src_address") { $0[5] = Double(source.cellCount + 1) }
        }
        expectFailure(badAddress, variable: "src_address", mentioning: ["outside 1…\(source.cellCount)", "\(source.cellCount + 1)"])
        let zeroRow = "\(dir)/zero_row.nc"
        try CDOFixture.rewrite(goodESMF, to: zeroRow) { d in CDOFixture.edit(&d, "row") { $0[0] = 0 } }
        expectFailure(zeroRow, variable: "row", mentioning: ["outside 1…\(destination.cellCount)"])

        // Inconsistent sizes and values.
        let badDims = "\(dir)/bad_dims.nc"
        try CDOFixture.rewrite(good, to: badDims) { d in CDOFixture.edit(&d, "src_grid_dims") { $0[0] = 71 } }
        expectFailure(badDims, variable: "src_grid_dims", mentioning: ["2592"])
        let nanWeight = "\(dir)/nan_weight.nc"
        try CDOFixture.rewrite(good, to: nanWeight) { d in CDOFixture.edit(&d, "remap_matrix") { $0[7] = .nan } }
        expectFailure(nanWeight, variable: "remap_matrix", mentioning: ["nan"])
        let badUnits = "\(dir)/bad_units.nc"
        try CDOFixture.rewrite(good, to: badUnits) { d in
            if let i = d.variables.firstIndex(where: { $0.name == "dst_grid_center_lat" }) {
                d.variables[i].attributes.set("units", .text("furlongs"))
            }
        }
        expectFailure(badUnits, variable: "dst_grid_center_lat", mentioning: ["furlongs"])
        let degrees = "\(dir)/degrees_as_radians.nc"
        try CDOFixture.rewrite(good, to: degrees) { d in CDOFixture.edit(&d, "src_grid_center_lat") { $0[0] = 2 } }
        expectFailure(degrees, variable: "src_grid_center_lat", mentioning: ["outside [−90°, 90°]"])
        let bicubic = "\(dir)/bicubic.nc"
        try CDOFixture.rewrite(good, to: bicubic) { $0.attributes.set("map_method", .text("Bicubic remapping")) }
        expectFailure(bicubic, variable: "map_method", mentioning: ["Bicubic"])
        let noMethod = "\(dir)/no_method.nc"
        try CDOFixture.rewrite(good, to: noMethod) { $0.attributes.removeAll { $0.name == "map_method" } }
        expectFailure(noMethod, variable: "map_method", mentioning: ["missing"])

        // Damaged or absent files.
        let truncated = "\(dir)/truncated.nc"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        expectFailure(truncated, variable: nil, mentioning: ["truncated or damaged"])
        // CDO writes classic netCDF, which the library reads past its end as zeros.
        try CDOFixture.writeField(CDOFixture.y22(on: source), grid: source, to: "\(dir)/src.nc")
        for format in ["nc", "nc2", "nc5"] {
            try CDOFixture.cdo(["-f", format, "gencon,r36x18", "src.nc", "cdo_w_\(format).nc"], in: dir)
            let cdoBytes = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/cdo_w_\(format).nc"))
            #expect(try RemapWeightsFile.read("\(dir)/cdo_w_\(format).nc").linkCount > 0)
            // The error names the first variable (in file order) the cut reaches.
            for (cut, variable) in [(4, "remap_matrix"), (cdoBytes.count / 2, "dst_grid_area")] {
                let path = "\(dir)/cdo_w_\(format)_cut\(cut).nc"
                try cdoBytes.prefix(cdoBytes.count - cut).write(to: URL(fileURLWithPath: path))
                expectFailure(path, variable: variable, mentioning: ["truncated"])
            }
        }
        let garbage = "\(dir)/garbage.nc"
        try Data("not a netCDF file".utf8).write(to: URL(fileURLWithPath: garbage))
        expectFailure(garbage, variable: nil)
        expectFailure("\(dir)/absent.nc", variable: nil)
        let field = "\(dir)/field.nc"
        try CDOFixture.writeField(CDOFixture.y22(on: source), grid: source, to: field)
        expectFailure(field, variable: "remap_matrix", mentioning: ["not a weight file"])

        // Writing weights with grids of other sizes.
        let mismatch = #expect(throws: RemapError.self) {
            try RemapWeightsFile.write(w, source: destination, destination: destination, to: "\(dir)/x.nc", format: .scrip)
        }
        if case .gridMismatch? = mismatch {} else { Issue.record("expected gridMismatch, got \(String(describing: mismatch))") }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.nc"))
    }
}

/// Helpers of the CDO interop tests: running `cdo`, fields, a local sparse apply and exact
/// band-overlap conservative weights (independent of the project's own generators).
enum CDOFixture {
    /// The `cdo` executable on PATH, or nil.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/cdo"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Runs `cdo -s ARGS` in `dir`; throws with CDO's output when it fails or is missing.
    static func cdo(_ arguments: [String], in dir: String) throws {
        let cdo = try #require(executable, "the `cdo` command is not on PATH: install the Debian package `cdo`")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cdo)
        process.arguments = ["-s"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: ((try? pipe.fileHandleForReading.readToEndRetryingInterrupts()) ?? Data()), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "cdo \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(output)")
    }

    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plume-cdo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func remove(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

    /// CDO's `rNXxNY` grid: cell-centred, latitudes from −90 + Δ/2 northwards, longitudes from 0.
    static func grid(_ nx: Int, _ ny: Int) throws -> RegularLatLonGrid {
        try RegularLatLonGrid.global(name: "r\(nx)x\(ny)", latitudeCount: ny, longitudeCount: nx)
    }

    /// Y2_2 = 2 + cos²φ · cos 2λ at the cell centres.
    static func y22(on grid: any Grid) -> [Double] {
        grid.centres().map { p in
            let phi = p.latitude * .pi / 180, lambda = p.longitude * .pi / 180
            return 2 + cos(phi) * cos(phi) * cos(2 * lambda)
        }
    }

    /// Writes `values` as variable `y(lat, lon)` in double precision with CF coordinates.
    static func writeField(_ values: [Double], grid: RegularLatLonGrid, to path: String) throws {
        let ny = grid.latitudeCount, nx = grid.longitudeCount
        let dataset = Dataset(
            dimensions: [Dimension(name: "lat", length: ny), Dimension(name: "lon", length: nx)],
            variables: [
                Variable(name: "lat", dimensions: ["lat"], shape: [ny],
                         attributes: [Attribute("standard_name", .text("latitude")), Attribute("units", .text("degrees_north")),
                                      Attribute("axis", .text("Y"))], data: .float64(grid.latitudes)),
                Variable(name: "lon", dimensions: ["lon"], shape: [nx],
                         attributes: [Attribute("standard_name", .text("longitude")), Attribute("units", .text("degrees_east")),
                                      Attribute("axis", .text("X"))], data: .float64(grid.longitudes)),
                Variable(name: "y", dimensions: ["lat", "lon"], shape: [ny, nx], data: .float64(values)),
            ])
        try NetCDFWriter().write(dataset, to: path)
    }

    /// destination[i] = Σ S · source[j] over row i.
    static func apply(_ w: RemapWeights, _ source: [Double]) -> [Double] {
        (0..<w.destinationCount).map { i in
            var sum = 0.0
            for k in w.rowStart[i]..<w.rowStart[i + 1] { sum += w.weights[k] * source[Int(w.sourceIndex[k])] }
            return sum
        }
    }

    /// Expects equality to 1e-12 of the largest magnitude.
    static func expectClose(_ a: [Double], _ b: [Double], _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(a.count == b.count, "\(what): \(a.count) values against \(b.count)", sourceLocation: sourceLocation)
        let scale = max(b.map(abs).max() ?? 0, 1e-300)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-12 * scale, "\(what): largest difference \(worst) (scale \(scale))", sourceLocation: sourceLocation)
    }

    /// Exact first-order conservative weights between two banded grids: overlap in sin φ ×
    /// periodic overlap in λ, divided by the destination cell's area.
    static func bandConservative(from source: any BandedGrid, to destination: any BandedGrid) -> RemapWeights {
        var links: [(destination: Int, source: Int, weight: Double)] = []
        let destinationArea = destination.cellAreas()
        for d in destination.rows {
            for s in source.rows {
                let dSin = Sphere.sinDegrees(min(d.north, s.north)) - Sphere.sinDegrees(max(d.south, s.south))
                guard dSin > 0 else { continue }
                for j in 0..<d.count {
                    let dw = d.westEdge(of: j)
                    for c in 0..<s.count {
                        let sw = s.westEdge(of: c)
                        var overlap = 0.0
                        for shift in [-360.0, 0, 360] {
                            overlap += max(0, min(dw + d.width, sw + s.width + shift) - max(dw, sw + shift))
                        }
                        guard overlap > 0 else { continue }
                        let cell = d.firstCell + j
                        links.append((cell, s.firstCell + c, dSin * overlap * .pi / 180 / destinationArea[cell]))
                    }
                }
            }
        }
        return RemapWeights(method: .conservative, source: source, destination: destination, links: links)
    }

    /// Copies a netCDF file with all its values, lets `change` edit it, and writes it to `path`.
    static func rewrite(_ original: String, to path: String, _ change: (inout Dataset) -> Void) throws {
        let file = try NetCDFFile(path: original)
        var dataset = file.dataset
        for k in dataset.variables.indices {
            let v = dataset.variables[k]
            let values = try file.readRaw(v.name)
            switch v.dataType {
            case .float64, .float32: dataset.variables[k].data = .float64(values)
            default: dataset.variables[k].data = .int32(values.map { Int32($0) })
            }
        }
        change(&dataset)
        try NetCDFWriter().write(dataset, to: path)
    }

    /// Edits the values of variable `name` as doubles (kept in its stored type).
    static func edit(_ dataset: inout Dataset, _ name: String, _ change: (inout [Double]) -> Void) {
        guard let k = dataset.variables.firstIndex(where: { $0.name == name }), let data = dataset.variables[k].data else { return }
        var values = data.doubles
        change(&values)
        switch data {
        case .int32: dataset.variables[k].data = .int32(values.map { $0.isFinite ? Int32($0) : 0 })
        default: dataset.variables[k].data = .float64(values)
        }
    }
}
