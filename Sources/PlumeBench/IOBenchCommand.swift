import ArgumentParser
import CEccodes
import CNetCDF
import Foundation
import PlumeIO

/// `plume bench io`: time to load every field of each file, through Plume and through
/// the bare C library calls underneath it, in one run. Prints one JSON line per
/// (file, method), the format of `Benchmarks/io_python.py`.
struct IOBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "io",
        abstract: "Time loading every field of GRIB/netCDF files: Plume against the bare C library calls.")

    @Option(name: .customLong("repeat"), help: "Repetitions per measurement (the best is reported, after one warm-up).")
    var repetitions: Int = 5

    @Option(name: .customLong("method"), help: "Only this method (repeatable; e.g. plume, c-ecCodes): for profiling one of them.")
    var onlyMethods: [String] = []

    @Argument(help: "GRIB or netCDF files.")
    var files: [String]

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
    }

    func run() throws {
        for file in files {
            let name = (file as NSString).lastPathComponent
            let methods: [(String, () throws -> Int)]
            switch try FileFormat.detect(file) {
            case .grib:
                methods = [
                    ("plume", { try Self.plumeGRIB(file) }),
                    ("plume-first-read", {
                        GRIBFile.forgetProcessCaches()
                        return try Self.plumeGRIB(file)
                    }),
                    ("plume-dataset", { try Self.plumeGRIBDataset(file) }),
                    ("c-ecCodes", { try Self.bareECCodes(file) }),
                    ("c-ecCodes-coordinates", { try Self.bareECCodesWithCoordinates(file) }),
                    ("c-ecCodes-keys", { try Self.bareECCodesWithKeys(file) }),
                ]
            case .netCDF, .hdf5:
                methods = [
                    ("plume", { try Self.plumeNetCDF(file) }),
                    ("c-netCDF", { try Self.bareNetCDF(file) }),
                ]
            }
            for (method, body) in methods where onlyMethods.isEmpty || onlyMethods.contains(method) {
                var values = try body()  // warm-up
                var best = Double.infinity
                for _ in 0..<repetitions {
                    let start = DispatchTime.now().uptimeNanoseconds
                    values = try body()
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                print("{\"file\": \"\(name)\", \"method\": \"\(method)\", \"seconds\": \(best), \"values\": \(values)}")
            }
        }
    }

    /// Index the messages, decode each into grid order with NaN for missing values, with
    /// its grid's coordinates (1-D for regular grids, every point's otherwise). Parameter
    /// names and Gaussian latitudes are remembered for the process; `plume-first-read`
    /// forgets them before each run.
    static func plumeGRIB(_ path: String) throws -> Int {
        let file = try GRIBFile(path: path)
        var n = 0
        for i in file.messages.indices { n += try file.decode(i).values.count }
        return n
    }

    /// As above, assembled into the (number, time, step, level, lat, lon) data model.
    static func plumeGRIBDataset(_ path: String) throws -> Int {
        try GRIBFile(path: path).dataset().dataVariables.reduce(0) { $0 + $1.count }
    }

    /// What a C program does: codes_handle_new_from_file and codes_get_double_array per message.
    static func bareECCodes(_ path: String) throws -> Int {
        // Through PlumeIO's lock, as every call into the library must go.
        try ecCodesLock.withLock { _ in
            guard let f = fopen(path, "rb") else { throw PlumeIOError.cannotOpen(file: path, reason: "fopen failed") }
            defer { fclose(f) }
            var n = 0
            var status: Int32 = 0
            var buffer: [Double] = []
            while let h = codes_handle_new_from_file(nil, f, PRODUCT_GRIB, &status) {
                var size = 0
                codes_get_size(h, "values", &size)
                if buffer.count < size { buffer = [Double](repeating: 0, count: size) }
                codes_get_double_array(h, "values", &buffer, &size)
                n += size
                codes_handle_delete(h)
            }
            return n
        }
    }

    /// What a C program calls to get what Plume returns: the values and the latitude and
    /// longitude of every point, `codes_grib_get_data` per message (ecCodes' geo-iterator).
    static func bareECCodesWithCoordinates(_ path: String) throws -> Int {
        // Through PlumeIO's lock, as every call into the library must go.
        try ecCodesLock.withLock { _ in
            guard let f = fopen(path, "rb") else { throw PlumeIOError.cannotOpen(file: path, reason: "fopen failed") }
            defer { fclose(f) }
            var n = 0
            var status: Int32 = 0
            var lats: [Double] = [], lons: [Double] = [], values: [Double] = []
            while let h = codes_handle_new_from_file(nil, f, PRODUCT_GRIB, &status) {
                defer { codes_handle_delete(h) }
                var size = 0
                codes_get_size(h, "values", &size)
                if values.count < size {
                    lats = [Double](repeating: 0, count: size)
                    lons = lats
                    values = lats
                }
                guard codes_grib_get_data(h, &lats, &lons, &values) == 0 else {
                    throw PlumeIOError.corruptMessage(file: path, index: 0, offset: 0, reason: "codes_grib_get_data failed")
                }
                n += size
            }
            return n
        }
    }

    /// Keys Plume reads from every message, per edition, besides the concept keys
    /// (paramId, shortName, name, units, cfName), which it evaluates once per distinct
    /// parameter in the process, and keys only some grids or product templates have.
    static let commonKeys = [
        "numberOfPoints", "gridType", "bitsPerValue", "stepUnits", "stepType", "edition", "centre", "subCentre",
        "level", "topLevel", "bottomLevel", "Ni", "Nj", "latitudeOfFirstGridPointInDegrees",
        "longitudeOfFirstGridPointInDegrees", "latitudeOfLastGridPointInDegrees", "longitudeOfLastGridPointInDegrees",
        "iScansNegatively", "jScansPositively", "jPointsAreConsecutive", "alternativeRowScanning", "typeOfLevel",
        "dataDate", "dataTime", "endStep", "stepRange", "number", "dataType", "packingType", "bitmapPresent",
        "numberOfCodedValues", "offsetBeforeData", "referenceValue", "binaryScaleFactor", "decimalScaleFactor",
    ]
    static let edition1Keys = ["table2Version", "indicatorOfParameter", "indicatorOfTypeOfLevel", "timeRangeIndicator"]
    static let edition2Keys = [
        "productionStatusOfProcessedData", "localTablesVersion", "tablesVersion", "discipline", "parameterCategory",
        "parameterNumber", "productDefinitionTemplateNumber", "typeOfGeneratingProcess", "typeOfFirstFixedSurface",
        "scaleFactorOfFirstFixedSurface", "scaledValueOfFirstFixedSurface", "typeOfSecondFixedSurface",
        "scaleFactorOfSecondFixedSurface", "scaledValueOfSecondFixedSurface", "gridDefinitionTemplateNumber",
        "unitsFactor", "datasetForLocal",
    ]

    /// The same C calls plus the keys Plume reads from every message (`codes_get_string`
    /// for string keys, `codes_get_long` otherwise), without Plume's missing-value checks.
    static func bareECCodesWithKeys(_ path: String) throws -> Int {
        // Through PlumeIO's lock, as every call into the library must go.
        try ecCodesLock.withLock { _ in
            guard let f = fopen(path, "rb") else { throw PlumeIOError.cannotOpen(file: path, reason: "fopen failed") }
            defer { fclose(f) }
            var n = 0
            var status: Int32 = 0
            var buffer: [Double] = []
            var text = [CChar](repeating: 0, count: 1024)
            while let h = codes_handle_new_from_file(nil, f, PRODUCT_GRIB, &status) {
                var edition = 0
                codes_get_long(h, "edition", &edition)
                for key in commonKeys + (edition == 1 ? edition1Keys : edition2Keys) {
                    var type: Int32 = 0
                    codes_get_native_type(h, key, &type)
                    if type == GRIB_TYPE_STRING {
                        var length = text.count
                        codes_get_string(h, key, &text, &length)
                    } else {
                        var value = 0
                        codes_get_long(h, key, &value)
                    }
                }
                var size = 0
                codes_get_size(h, "values", &size)
                if buffer.count < size { buffer = [Double](repeating: 0, count: size) }
                codes_get_double_array(h, "values", &buffer, &size)
                n += size
                codes_handle_delete(h)
            }
            return n
        }
    }

    /// Every numeric variable, CF-decoded (float32 where stored so).
    static func plumeNetCDF(_ path: String) throws -> Int {
        let file = try NetCDFFile(path: path)
        var n = 0
        for name in file.variableNames {
            let v = try file.variable(name)
            guard v.dataType.isNumeric else { continue }
            n += v.dataType == .float32 ? try file.readFloat(name).count : try file.read(name).count
        }
        return n
    }

    /// nc_open and nc_get_var_double of every variable, no CF decoding.
    static func bareNetCDF(_ path: String) throws -> Int {
        // Through PlumeIO's lock, as every call into the library must go.
        try netCDFAndHDF5Lock.withLock { _ in
            var ncid: Int32 = 0
            guard nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR else { throw PlumeIOError.cannotOpen(file: path, reason: "nc_open failed") }
            defer { nc_close(ncid) }
            var nvars: Int32 = 0
            nc_inq_nvars(ncid, &nvars)
            var n = 0
            for varid in 0..<nvars {
                var ndims: Int32 = 0
                nc_inq_varndims(ncid, varid, &ndims)
                var dims = [Int32](repeating: 0, count: Int(ndims))
                nc_inq_vardimid(ncid, varid, &dims)
                var count = 1
                for d in dims {
                    var len = 0
                    nc_inq_dimlen(ncid, d, &len)
                    count *= len
                }
                var values = [Double](repeating: 0, count: count)
                nc_get_var_double(ncid, varid, &values)
                n += count
            }
            return n
        }
    }
}
