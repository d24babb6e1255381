/// Loads a whole file into a `Dataset` with values, whatever its format.
public enum DatasetLoader {
    /// Result of loading: the dataset and the damaged parts that were skipped.
    public struct Loaded: Sendable {
        public var dataset: Dataset
        /// What was skipped, each naming the file and what: damaged GRIB messages; for plain
        /// HDF5, datasets and attributes of types the data model cannot hold, datasets that
        /// need a missing filter, dangling and external links (see `HDF5File.problems`).
        public var problems: [PlumeIOError]
        /// Values of string datasets by absolute path (plain HDF5 only: `VariableData`
        /// holds numbers, so these are not among the dataset's variables).
        public var strings: [String: [String]] = [:]
    }

    /// Reads every variable of a GRIB, netCDF or HDF5 file (CF-decoded values for netCDF:
    /// floating-point variables as `float32`/`float64`, integers as `int64`; plain HDF5 as
    /// `HDF5File.contents` describes).
    ///
    /// HDF5 files go to netCDF-C only when they carry netCDF-4 markers
    /// (`HDF5NetCDFMarkers`): netCDF-C crashes on some plain HDF5 files.
    public static func load(_ path: String) throws -> Loaded {
        switch try FileFormat.detect(path) {
        case .grib:
            let file = try GRIBFile(path: path)
            return Loaded(dataset: try file.dataset(), problems: file.problems)
        case .hdf5 where try !HDF5NetCDFMarkers.isNetCDF4(path):
            let contents = try HDF5File(path: path).contents()
            return Loaded(dataset: contents.dataset, problems: contents.problems, strings: contents.strings)
        case .netCDF, .hdf5:
            let file = try NetCDFFile(path: path, formatRouted: true)
            return Loaded(dataset: try load(file, file.dataset, prefix: ""), problems: [])
        }
    }

    private static func load(_ file: NetCDFFile, _ structure: Dataset, prefix: String) throws -> Dataset {
        var dataset = structure
        for i in dataset.variables.indices where dataset.variables[i].dataType.isNumeric {
            dataset.variables[i] = try loaded(dataset.variables[i], from: file, name: prefix + dataset.variables[i].name)
        }
        dataset.variables.removeAll { $0.data == nil }
        for g in dataset.groups.indices {
            dataset.groups[g].dataset = try load(file, dataset.groups[g].dataset, prefix: prefix + dataset.groups[g].name + "/")
        }
        return dataset
    }

    /// `v` (a numeric variable of `file`, at path `name`) with its values: float32 stays
    /// float32; float64 and CF-packed data are decoded to float64, and then no longer carry
    /// their packing attributes; unpacked integers are read exactly into an `int64` container
    /// and keep their declared type (int16 stays int16 when written again).
    package static func loaded(_ v: Variable, from file: NetCDFFile, name: String) throws -> Variable {
        var out = v
        let cf = file.packing(v)
        switch v.dataType {
        case .float32 where !cf.isPacked:
            out.data = .float32(try file.readFloat(name))
        case .float32, .float64:
            out.data = .float64(try file.read(name))
        default:
            if cf.isPacked {
                out.data = .float64(try file.read(name))
            } else {
                out.data = .int64(try file.readIntegers(name))
            }
        }
        if cf.isPacked {
            out.attributes.removeAll { ["scale_factor", "add_offset", "_Unsigned", "valid_range", "valid_min", "valid_max"].contains($0.name) }
        }
        if case .int64 = out.data, !cf.isPacked {
            out.dataType = v.dataType
        } else {
            out.dataType = out.data?.dataType ?? v.dataType
        }
        return out
    }
}
