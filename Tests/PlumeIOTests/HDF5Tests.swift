import CHDF5
import Foundation
import PlumeIO
import Testing

/// Plain HDF5 (not netCDF): a file written through the C API, read by Plume, and
/// compared with `h5dump`.
@Suite struct HDF5Tests {
    static func writeFile(_ path: String) {
        let file = H5Fcreate(path, plume_h5f_acc_trunc(), plume_h5p_default(), plume_h5p_default())
        let group = H5Gcreate2(file, "geolocation", plume_h5p_default(), plume_h5p_default(), plume_h5p_default())
        var dims: [hsize_t] = [3, 4]
        let space = H5Screate_simple(2, &dims, nil)
        let lat = H5Dcreate2(group, "latitude", plume_h5t_native_float(), space, plume_h5p_default(), plume_h5p_default(), plume_h5p_default())
        let values: [Float] = (0..<12).map { Float($0) * 1.25 - 5 }
        H5Dwrite(lat, plume_h5t_native_float(), plume_h5s_all(), plume_h5s_all(), plume_h5p_default(), values)
        // A double attribute and a fixed-length string attribute.
        var one: hsize_t = 1
        let scalarSpace = H5Screate_simple(1, &one, nil)
        let scale = H5Acreate2(lat, "scale", plume_h5t_native_double(), scalarSpace, plume_h5p_default(), plume_h5p_default())
        var s = 0.5
        H5Awrite(scale, plume_h5t_native_double(), &s)
        H5Aclose(scale)
        let stringType = H5Tcopy(plume_h5t_c_s1())
        H5Tset_size(stringType, 13)
        let scalar = H5Screate(H5S_SCALAR)
        let units = H5Acreate2(lat, "units", stringType, scalar, plume_h5p_default(), plume_h5p_default())
        H5Awrite(units, stringType, "degrees_north")
        H5Aclose(units)
        var n: hsize_t = 5
        let space1 = H5Screate_simple(1, &n, nil)
        let counts = H5Dcreate2(file, "counts", plume_h5t_native_int32(), space1, plume_h5p_default(), plume_h5p_default(), plume_h5p_default())
        let ints: [Int32] = [7, -3, 0, 42, 1_000_000]
        H5Dwrite(counts, plume_h5t_native_int32(), plume_h5s_all(), plume_h5s_all(), plume_h5p_default(), ints)
        H5Dclose(counts); H5Sclose(space1); H5Sclose(scalar); H5Tclose(stringType); H5Sclose(scalarSpace)
        H5Dclose(lat); H5Sclose(space); H5Gclose(group); H5Fclose(file)
    }

    @Test func readsGroupsDatasetsAndAttributes() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let path = temp.file("product.h5")
        Self.writeFile(path)
        let file = try HDF5File(path: path)
        #expect(file.groups == ["/", "/geolocation"])
        #expect(file.datasets.map(\.path) == ["/counts", "/geolocation/latitude"])
        let lat = try file.entry("/geolocation/latitude")
        #expect(lat.shape == [3, 4] && lat.dataType == .float32)
        #expect(lat.attributes["units"]?.text == "degrees_north")
        #expect(lat.attributes["scale"]?.doubles == [0.5])
        #expect(try file.read("counts") == [7, -3, 0, 42, 1_000_000])

        // h5dump, an independent reader, prints the same numbers.
        let dump = try Shell.run("h5dump", ["-A", "0", "-d", "/geolocation/latitude", "-m", "%.9g", path]).stdout
        // Lines read "(i,j): value,".
        let parsed = dump.split(separator: "\n").compactMap { line -> Double? in
            guard line.contains("):"), let value = line.split(separator: ":").last else { return nil }
            return Double(value.trimmingCharacters(in: CharacterSet(charactersIn: " ,")))
        }
        #expect(parsed == (try file.read("geolocation/latitude")))
        #expect(parsed.count == 12)
    }

    @Test func netCDFIsNotPlainHDF5ButStillReadable() throws {
        // The twin is netCDF-4, i.e. HDF5 underneath: the HDF5 reader sees its datasets.
        let file = try HDF5File(path: try SampleData.path("era5-levels-members.nc"))
        #expect(file.datasets.contains { $0.path == "/t" && $0.shape == [10, 4, 2, 61, 120] })
    }
}
