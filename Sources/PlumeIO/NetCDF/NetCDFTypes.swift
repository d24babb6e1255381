import CNetCDF

/// Mapping between netCDF external types (`nc_type`) and Plume's `DataType`.
enum NetCDFTypes {
    static func dataType(_ xtype: nc_type) -> DataType? {
        switch xtype {
        case NC_BYTE: .int8
        case NC_UBYTE: .uint8
        case NC_CHAR: .char
        case NC_SHORT: .int16
        case NC_USHORT: .uint16
        case NC_INT: .int32
        case NC_UINT: .uint32
        case NC_INT64: .int64
        case NC_UINT64: .uint64
        case NC_FLOAT: .float32
        case NC_DOUBLE: .float64
        case NC_STRING: .string
        default: nil
        }
    }

    static func ncType(_ type: DataType) -> nc_type {
        switch type {
        case .int8: NC_BYTE
        case .uint8: NC_UBYTE
        case .char: NC_CHAR
        case .int16: NC_SHORT
        case .uint16: NC_USHORT
        case .int32: NC_INT
        case .uint32: NC_UINT
        case .int64: NC_INT64
        case .uint64: NC_UINT64
        case .float32: NC_FLOAT
        case .float64: NC_DOUBLE
        case .string: NC_STRING
        }
    }

    /// netCDF's default fill value for a type (the `NC_FILL_*` constants of netcdf.h),
    /// which CF readers treat as missing when a variable has no `_FillValue`.
    static func defaultFill(_ type: DataType) -> Double? {
        switch type {
        case .int8: -127
        case .uint8: 255
        case .int16: -32767
        case .uint16: 65535
        case .int32: -2147483647
        case .uint32: 4294967295
        case .int64: Double(Int64(-9_223_372_036_854_775_806))
        case .uint64: Double(UInt64(18_446_744_073_709_551_614))
        case .float32: Double(Float(9.9692099683868690e+36))
        case .float64: 9.9692099683868690e+36
        case .char, .string: nil
        }
    }

    static func message(_ status: Int32) -> String {
        String(cString: nc_strerror(status))
    }

    static func formatName(_ format: Int32) -> String {
        switch format {
        case NC_FORMAT_CLASSIC: "netCDF classic"
        case NC_FORMAT_64BIT_OFFSET: "netCDF 64-bit offset"
        case NC_FORMAT_CDF5: "netCDF CDF5"
        case NC_FORMAT_NETCDF4: "netCDF-4"
        case NC_FORMAT_NETCDF4_CLASSIC: "netCDF-4 classic model"
        default: "netCDF (format \(format))"
        }
    }
}
