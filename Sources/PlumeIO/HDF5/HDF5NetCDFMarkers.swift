import CHDF5

/// Tells netCDF-4 files from plain HDF5 files, with the HDF5 library alone, before
/// netCDF-C ever sees the file: netCDF-C crashes (segmentation fault, uncatchable) on some
/// valid HDF5 files other tools write, e.g. on fixed-length string datasets by h5py, so
/// only files that carry netCDF-4's own markers go to it.
///
/// The rule: an HDF5 file is netCDF-4 when any of these holds, checked in this order and
/// stopping at the first found:
/// 1. the root group has the attribute `_NCProperties` (netCDF-C ≥ 4.4.1 and h5netcdf
///    write it into every file) or `_nc3_strict`;
/// 2. a dataset reached through hard links has the attribute `_Netcdf4Dimid` or
///    `_Netcdf4Coordinates` (netCDF-C's bookkeeping of dimension ids);
/// 3. a dataset is a dimension scale (`CLASS` = `DIMENSION_SCALE`) whose `NAME` starts with
///    "This is a netCDF dimension but not a netCDF variable" (a netCDF dimension without a
///    coordinate variable).
/// Dimension scales with other names (h5py's `dims`) are plain HDF5. A file without any
/// marker is read with `HDF5File`; a netCDF-4 file whose markers were all stripped also
/// reads correctly that way, without netCDF's dimension names.
public enum HDF5NetCDFMarkers {
    static let rootAttributes = ["_NCProperties", "_nc3_strict"]
    static let datasetAttributes = ["_Netcdf4Dimid", "_Netcdf4Coordinates"]
    static let dimensionWithoutVariable = "This is a netCDF dimension but not a netCDF variable"

    /// The first netCDF-4 marker of the HDF5 file at `path` (e.g. "root attribute
    /// _NCProperties"), or nil for a plain HDF5 file.
    public static func firstMarker(_ path: String) throws -> String? {
        try netCDFAndHDF5Lock.withLock { _ in
            guard H5Fis_hdf5(path) > 0 else {
                throw PlumeIOError.unrecognisedFormat(file: path, expected: "an HDF5 file", found: "no HDF5 signature")
            }
            let fid = H5Fopen(path, plume_h5f_acc_rdonly(), plume_h5p_default())
            guard fid >= 0 else { throw PlumeIOError.cannotOpen(file: path, reason: HDF5File.lastError()) }
            defer { H5Fclose(fid) }
            let root = H5Gopen2(fid, "/", plume_h5p_default())
            guard root >= 0 else { throw HDF5Values.libraryError(path, "root group") }
            defer { H5Gclose(root) }
            for name in rootAttributes where H5Aexists(root, name) > 0 {
                return "root attribute \(name)"
            }
            var seen = Set<HDF5Catalog.ObjectKey>()
            if let key = HDF5Catalog.ObjectKey(root) { seen.insert(key) }
            return try search(root, "/", path: path, seen: &seen, depth: 0)
        }
    }

    /// Whether the HDF5 file at `path` is netCDF-4 (see the rule above).
    public static func isNetCDF4(_ path: String) throws -> Bool {
        try firstMarker(path) != nil
    }

    private static func search(_ gid: hid_t, _ groupPath: String, path: String, seen: inout Set<HDF5Catalog.ObjectKey>, depth: Int) throws -> String? {
        guard depth < HDF5Catalog.maximumDepth else { return nil }
        for name in try HDF5Catalog.linkNames(gid, groupPath, file: path) where plume_h5l_type(gid, name) == 0 {
            let child = HDF5Catalog.childPath(groupPath, name)
            let oid = H5Oopen(gid, name, plume_h5p_default())
            guard oid >= 0 else { continue }
            defer { H5Oclose(oid) }
            switch H5Iget_type(oid) {
            case H5I_GROUP:
                guard let key = HDF5Catalog.ObjectKey(oid), seen.insert(key).inserted else { continue }
                if let found = try search(oid, child, path: path, seen: &seen, depth: depth + 1) { return found }
            case H5I_DATASET:
                for marker in datasetAttributes where H5Aexists(oid, marker) > 0 {
                    return "attribute \(marker) of dataset '\(child)'"
                }
                if HDF5Attributes.text(oid, "CLASS", path: path) == "DIMENSION_SCALE",
                   HDF5Attributes.text(oid, "NAME", path: path)?.hasPrefix(dimensionWithoutVariable) == true {
                    return "netCDF dimension scale '\(child)'"
                }
            default:
                continue
            }
        }
        return nil
    }
}
