import CHDF5
import CNetCDF
import Foundation

extension NetCDFWriter {
    /// Writes `dataset` to `path` atomically, streaming: variables that hold values are
    /// written at once; the others (data `nil`) are defined and then filled slab by slab by
    /// `produce` through the `NetCDFSlabWriter` it receives, so memory does not grow with
    /// the size of the output. If `produce` throws, nothing is left under `path`.
    public func write(_ dataset: Dataset, to path: String, streaming produce: (NetCDFSlabWriter) throws -> Void) throws {
        for v in dataset.variables where v.data != nil && v.data?.count != v.count {
            throw PlumeIOError.writeFailed(file: path, reason: "variable '\(v.name)' holds \(v.data?.count ?? 0) values, expected \(v.count) (its shape \(v.shape))")
        }
        try writeAtomically(to: path) { temporary in
            var ncid: Int32 = -1
            try netCDFAndHDF5Lock.withLock { _ in
                try check(nc_create(temporary, createMode, &ncid), path, "create")
                do {
                    var root = dataset
                    root.attributes = globalAttributes(dataset.attributes)
                    try define(root, in: ncid, path: path)
                    // Slabs are written once, whole chunks at a time: a 1 MiB chunk cache (netCDF-C
                    // gives 16 MiB each) and a 256 KiB metadata cache (libhdf5 grows it to 32 MiB
                    // with the chunk index), so memory stays flat however many records are streamed.
                    if format == .netCDF4 {
                        var count: Int32 = 0
                        if nc_inq_nvars(ncid, &count) == NC_NOERR {
                            for varid in 0..<count { _ = nc_set_var_chunk_cache(ncid, varid, 1 << 20, 61, 0.75) }
                        }
                        _ = plume_h5_limit_metadata_cache(temporary, 1 << 18)
                    }
                    try check(nc_enddef(ncid), path, "end of definitions")
                    try put(root, in: ncid, path: path)
                } catch {
                    nc_close(ncid)
                    throw error
                }
            }
            do {
                try produce(NetCDFSlabWriter(ncid: ncid, path: path, variables: dataset.variables))
            } catch {
                netCDFAndHDF5Lock.withLock { _ in _ = nc_close(ncid) }
                throw error
            }
            try netCDFAndHDF5Lock.withLock { _ in try check(nc_close(ncid), path, "close") }
        }
    }
}

/// Writes hyperslabs of the variables of a file being streamed by `NetCDFWriter`.
public struct NetCDFSlabWriter: Sendable {
    let ncid: Int32
    let path: String
    let variables: [Variable]

    /// Writes `values` (row-major, `count` shaped) at `start` of variable `name`.
    public func write(_ name: String, start: [Int], count: [Int], values: [Float]) throws {
        try write(name, start: start, count: count, valueCount: values.count) { ncid, varid in
            nc_put_vara_float(ncid, varid, start, count, values)
        }
    }

    /// Writes `values` (row-major, `count` shaped) at `start` of variable `name`.
    public func write(_ name: String, start: [Int], count: [Int], values: [Double]) throws {
        try write(name, start: start, count: count, valueCount: values.count) { ncid, varid in
            nc_put_vara_double(ncid, varid, start, count, values)
        }
    }

    private func write(_ name: String, start: [Int], count: [Int], valueCount: Int,
                       _ put: (Int32, Int32) -> Int32) throws {
        guard let v = variables.first(where: { $0.name == name }) else {
            throw PlumeIOError.writeFailed(file: path, reason: "no variable '\(name)' was defined")
        }
        guard start.count == v.shape.count, count.count == v.shape.count,
              zip(zip(start, count), v.shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw PlumeIOError.writeFailed(file: path, reason: "slab start \(start) count \(count) does not fit '\(name)' of shape \(v.shape)")
        }
        guard count.reduce(1, *) == valueCount else {
            throw PlumeIOError.writeFailed(file: path, reason: "slab of '\(name)' has \(valueCount) values for count \(count)")
        }
        try netCDFAndHDF5Lock.withLock { _ in
            var varid: Int32 = 0
            let found = nc_inq_varid(ncid, name, &varid)
            guard found == NC_NOERR else {
                throw PlumeIOError.writeFailed(file: path, reason: "variable '\(name)': \(NetCDFTypes.message(found))")
            }
            let status = put(ncid, varid)
            if status != NC_NOERR {
                throw PlumeIOError.writeFailed(file: path, reason: "values of '\(name)' at \(start): \(NetCDFTypes.message(status))")
            }
        }
    }
}
