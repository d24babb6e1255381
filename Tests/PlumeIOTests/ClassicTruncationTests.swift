import CNetCDF
import Foundation
import PlumeIO
import Testing

/// netCDF-C reads the missing bytes of a classic (CDF-1/2/5) file cut short as zeros and
/// reports success; Plume compares every variable's extent from the header with the file's
/// size and refuses, naming the file, the first variable cut and the byte counts.
@Suite struct ClassicTruncationTests {
    /// Byte size of each variable's data (one record's for record variables) and whether
    /// it is a record variable, as netCDF-C describes the intact file.
    static func sizes(_ path: String) throws -> [String: (bytes: Int, isRecord: Bool)] {
        var ncid: Int32 = 0
        guard nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR else { throw SampleData.SampleDataMissing(name: path) }
        defer { nc_close(ncid) }
        var nvars: Int32 = 0, unlimited: Int32 = -1
        nc_inq_nvars(ncid, &nvars)
        nc_inq_unlimdim(ncid, &unlimited)
        var result: [String: (Int, Bool)] = [:]
        for varid in 0..<nvars {
            var name = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            var type: nc_type = 0
            var ndims: Int32 = 0
            nc_inq_var(ncid, varid, &name, &type, &ndims, nil, nil)
            var dims = [Int32](repeating: 0, count: Int(ndims))
            nc_inq_vardimid(ncid, varid, &dims)
            var size = 0
            nc_inq_type(ncid, type, nil, &size)
            var isRecord = false
            for d in dims {
                if d == unlimited { isRecord = true; continue }
                var length = 0
                nc_inq_dimlen(ncid, d, &length)
                size *= length
            }
            result[String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)] = (size, isRecord)
        }
        return result
    }

    /// Every value of every variable, to tell an intact read from one with invented values.
    static func allValues(_ path: String) throws -> [String: [Double]] {
        let file = try NetCDFFile(path: path)
        var values: [String: [Double]] = [:]
        for name in file.variableNames where file.dataset.variable(name)?.dataType.isNumeric ?? false {
            values[name] = try file.readRaw(name)
        }
        return values
    }

    @Test func cutClassicFilesAreRefused() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        for (kind, intact) in try NetCDFVariants.make(in: temp.path) where kind != "netCDF-4" {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: intact))
            let reference = try Self.allValues(intact)  // the intact file loads
            #expect(reference.count == 9)
            let sizes = try Self.sizes(intact)
            // The variables are laid out in definition order (no record variables here), so
            // the last one ends where the intact file ends.
            let last = try #require(try NetCDFFile(path: intact).dataset.variables.last?.name)
            // Cut inside the header: netCDF-C itself refuses the file.
            let header = temp.file("header.nc")
            try bytes.prefix(400).write(to: URL(fileURLWithPath: header))
            #expect(performing: { _ = try Self.allValues(header) }, throws: { "\($0)".hasPrefix(header + ": ") })
            for cut in [1, 7, 1000, bytes.count / 3, bytes.count / 2, bytes.count - 20000] {
                let path = temp.file("cut-\(cut).nc")
                try bytes.prefix(bytes.count - cut).write(to: URL(fileURLWithPath: path))
                let size = Int64(bytes.count - cut)
                let error = #expect(throws: PlumeIOError.self, "\(kind), \(cut) bytes cut") { _ = try Self.allValues(path) }
                guard case .truncated(let file, let variable, let end, let fileSize) = error else {
                    Issue.record("\(kind), \(cut) bytes cut: \(String(describing: error))")
                    continue
                }
                #expect(file == path && fileSize == size)
                #expect("\(error!)" == "\(path): the file is truncated: its header puts the end of variable '\(variable)' at byte \(end), but the file has only \(size) bytes (\(end - size) missing)")
                // The variable named is the first the cut reaches: its data spans the cut.
                let bytesOfVariable = Int64(try #require(sizes[variable]).bytes)
                #expect(end > size && end - bytesOfVariable <= size + 3, "\(kind): \(variable) [\(end - bytesOfVariable), \(end)) should span the cut at \(size)")
                if cut < 1000 {
                    #expect(variable == last && end == Int64(bytes.count), "\(kind), \(cut) bytes cut: \(variable) ends at \(end)")
                }
            }
        }
    }

    /// Record variables (several, so records are padded, and a single short one, whose
    /// records are not), and a file written as a stream (numrecs = STREAMING).
    @Test func recordVariables() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let cdl = """
            netcdf rec {
            dimensions: time = UNLIMITED ; x = 3 ;
            variables: float a(time, x) ; short b(time) ; double c(x) ;
            data: a = 1,2,3, 4,5,6, 7,8,9, 10,11,12 ; b = 1,2,3,4 ; c = 0.5, 1.5, 2.5 ;
            }
            """
        let single = """
            netcdf one {
            dimensions: time = UNLIMITED ;
            variables: short s(time) ;
            data: s = 1, 2, 3, 4, 5 ;
            }
            """
        // (name, CDL, format, bytes of data at the end of the file to cut into)
        for (name, text, kind, dataBytes) in [("rec", cdl, "classic", 40), ("rec5", cdl, "cdf5", 40), ("one", single, "classic", 10)] {
            let cdlPath = temp.file("\(name).cdl"), path = temp.file("\(name).nc")
            try text.write(toFile: cdlPath, atomically: false, encoding: .utf8)
            try Shell.run("ncgen", ["-k", kind, "-o", path, cdlPath])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let reference = try Self.allValues(path)
            #expect(reference["a"] ?? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
            #expect(reference["b"] ?? [1, 2, 3, 4] == [1, 2, 3, 4])
            #expect(reference["s"] ?? [1, 2, 3, 4, 5] == [1, 2, 3, 4, 5])
            // Every cut that removes data is refused; cutting only padding after the last
            // value reads the same values.
            var refused = 0
            for cut in 1...dataBytes {
                let cutPath = temp.file("\(name)-cut\(cut).nc")
                try bytes.prefix(bytes.count - cut).write(to: URL(fileURLWithPath: cutPath))
                do {
                    let values = try Self.allValues(cutPath)
                    #expect(values == reference, "\(name) cut by \(cut) bytes reads other values")
                } catch let error as PlumeIOError {
                    guard case .truncated = error else { Issue.record("\(name) cut by \(cut): \(error)"); continue }
                    refused += 1
                }
            }
            // The last record of the last record variable holds the file's last bytes
            // (a short padded to 4 bytes when there are several record variables).
            #expect(refused >= dataBytes - 2, "\(name): \(refused) of \(dataBytes) cuts refused")
        }
        // Streamed: numrecs STREAMING (all ones), the records implied by the file size.
        let path = temp.file("rec.nc")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for i in 4..<8 { bytes[i] = 0xFF }
        let streamed = temp.file("streamed.nc")
        try Data(bytes).write(to: URL(fileURLWithPath: streamed))
        let cut = temp.file("streamed-cut.nc")
        try Data(bytes.prefix(bytes.count - 6)).write(to: URL(fileURLWithPath: cut))
        #expect(throws: PlumeIOError.self) { _ = try NetCDFFile(path: cut) }
        // netCDF-C 4.9 reads fewer records from a streamed file than its size holds: refused
        // rather than read short.
        do {
            let file = try NetCDFFile(path: streamed)
            #expect(file.dataset.dimension("time")?.length == 4)
        } catch let error as PlumeIOError {
            #expect("\(error)".contains("streamed file (numrecs STREAMING) whose size holds 4 records"), "\(error)")
        }
    }

    /// Files Plume writes (netCDF-4), made classic by nccopy, cut: refused the same way.
    @Test func plumeWrittenFilesCutShort() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let dataset = try DatasetLoader.load(try SampleData.path("uv_on_different_levels.grib")).dataset
        let written = temp.file("written.nc")
        try NetCDFWriter().write(dataset, to: written)
        for kind in ["cdf5", "64-bit-offset"] {
            let path = temp.file("written-\(kind).nc")
            let copied = try Shell.run("nccopy", ["-k", kind, written, path], allowFailure: true)
            guard copied.status == 0 else { continue }  // 64-bit integers do not fit CDF-2
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            _ = try Self.allValues(path)
            let cutPath = temp.file("written-\(kind)-cut.nc")
            try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: cutPath))
            #expect(performing: { _ = try DatasetLoader.load(cutPath) }, throws: { error in
                guard case PlumeIOError.truncated(let file, _, _, let size) = error else { return false }
                return file == cutPath && size == Int64(bytes.count - 100)
            })
        }
    }
}
