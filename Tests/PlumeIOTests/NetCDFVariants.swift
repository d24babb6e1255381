import Foundation

/// Classic (CDF-1), 64-bit offset (CDF-2), CDF-5 and netCDF-4 copies of the netCDF sample
/// `era5-levels-members.nc`, made in `folder` with netCDF-C's own tools. CDF-1 and CDF-2
/// have no 64-bit integers, so those copies go through CDL (`ncdump -p 9,17`, `int64` →
/// `int`, `ncgen`); the others through `nccopy -k`. Returns (format as `ncdump -k` names
/// it, path) pairs.
enum NetCDFVariants {
    static func make(in folder: String) throws -> [(kind: String, path: String)] {
        let source = try SampleData.path("era5-levels-members.nc")
        let cdl = try Shell.run("ncdump", ["-p", "9,17", source]).stdout
        let classicCDL = cdl.replacingOccurrences(of: "\tint64 ", with: "\tint ")
            .replacingOccurrences(of: #"([0-9])LL\b"#, with: "$1", options: .regularExpression)
        try classicCDL.write(toFile: folder + "/era5.cdl", atomically: false, encoding: .utf8)
        var files: [(String, String)] = []
        for (kind, flag) in [("classic", "classic"), ("64-bit offset", "64-bit-offset")] {
            let path = folder + "/era5-\(flag).nc"
            try Shell.run("ncgen", ["-k", flag, "-o", path, folder + "/era5.cdl"])
            files.append((kind, path))
        }
        for (kind, flag) in [("cdf5", "cdf5"), ("netCDF-4", "nc4")] {
            let path = folder + "/era5-\(flag).nc"
            try Shell.run("nccopy", ["-k", flag, source, path])
            files.append((kind, path))
        }
        for (kind, path) in files {
            let reported = try Shell.run("ncdump", ["-k", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard reported == kind else { throw Shell.Failed(command: "ncdump -k \(path)", status: 0, stderr: "reports \(reported), expected \(kind)") }
        }
        return files
    }
}
