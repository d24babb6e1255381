import Foundation

/// The file formats Plume reads, recognised by their first bytes (and, failing that, by
/// the name's extension so that the error can say what was expected).
public enum FileFormat: String, Sendable, Codable {
    case grib = "GRIB"
    case netCDF = "netCDF"
    case hdf5 = "HDF5"

    /// Detects the format of `path` from its signature.
    public static func detect(_ path: String) throws -> FileFormat {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw PlumeIOError.cannotOpen(file: path, reason: !exists ? "no such file" : isDirectory.boolValue ? "is a folder" : "permission denied")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 1024)) ?? Data()
        let bytes = [UInt8](head)
        if bytes.starts(with: [0x43, 0x44, 0x46]) { return .netCDF }  // "CDF" + version
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) { return .hdf5 }
        if bytes.count >= 4, (0...(bytes.count - 4)).contains(where: { bytes[$0] == 0x47 && bytes[$0 + 1] == 0x52 && bytes[$0 + 2] == 0x49 && bytes[$0 + 3] == 0x42 }) {
            return .grib
        }
        let ext = (path as NSString).pathExtension.lowercased()
        if ["grib", "grb", "grib1", "grib2", "grb2"].contains(ext) { return .grib }  // GRIBFile explains what is wrong
        if ["nc", "nc4", "cdf", "netcdf"].contains(ext) {
            throw PlumeIOError.unrecognisedFormat(file: path, expected: "a netCDF file (signature 'CDF' or HDF5)",
                                                  found: bytes.isEmpty ? "an empty file" : "another signature")
        }
        if ["h5", "hdf5", "he5"].contains(ext) { return .hdf5 }
        throw PlumeIOError.unrecognisedFormat(file: path, expected: "GRIB, netCDF or HDF5", found: bytes.isEmpty ? "an empty file" : "none of their signatures")
    }
}
