import Foundation
import PlumeIO
import Testing

/// Reading a netCDF file and writing it again keeps every variable's type: integers keep
/// their width (int16 stays int16), packed values come back decoded in double precision
/// without their packing attributes, and nothing is narrowed.
@Suite struct TypeRoundTripTests {
    static let cdl = """
        netcdf types {
        dimensions:
            x = 4 ;
        variables:
            short s(x) ;
            byte b(x) ;
            uint u(x) ;
            int64 big(x) ;
            short packed(x) ;
                packed:scale_factor = 0.01 ;
                packed:add_offset = 250. ;
            float f(x) ;
            double d(x) ;
        data:
            s = -32767, -1, 0, 32767 ;
            b = -127, 0, 1, 127 ;
            u = 0, 1, 4000000000, 4294967294 ;
            big = -9223372036854775806, 0, 9007199254740993, 9223372036854775806 ;
            packed = -100, 0, 100, 3000 ;
            f = 0.1, 1e-30, 3.4e38, -2 ;
            d = 0.1, 1e-300, 1.7976931348623157e308, 3.141592653589793 ;
        }
        """

    @Test func readThenWriteKeepsTypesAndValues() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        try Self.cdl.write(toFile: temp.file("types.cdl"), atomically: false, encoding: .utf8)
        try Shell.run("ncgen", ["-k", "nc4", "-o", temp.file("in.nc"), temp.file("types.cdl")])
        let loaded = try DatasetLoader.load(temp.file("in.nc")).dataset
        try NetCDFWriter().write(loaded, to: temp.file("out.nc"))

        let out = try NetCDFFile(path: temp.file("out.nc"))
        let expected: [(String, DataType)] = [("s", .int16), ("b", .int8), ("u", .uint32), ("big", .int64),
                                              ("packed", .float64), ("f", .float32), ("d", .float64)]
        for (name, type) in expected {
            #expect(try out.variable(name).dataType == type, "\(name)")
        }
        #expect(try out.readIntegers("s") == [-32767, -1, 0, 32767])
        #expect(try out.readIntegers("u") == [0, 1, 4_000_000_000, 4_294_967_294])
        #expect(try out.readIntegers("big") == [-9_223_372_036_854_775_806, 0, 9_007_199_254_740_993, 9_223_372_036_854_775_806])
        #expect(try out.read("packed") == [-100.0, 0, 100, 3000].map { $0 * 0.01 + 250 })
        #expect(try out.variable("packed").attributes["scale_factor"] == nil)
        #expect(try out.readFloat("f") == [0.1, 1e-30, 3.4e38, -2])
        #expect(try out.read("d") == [0.1, 1e-300, 1.7976931348623157e308, 3.141592653589793])
    }
}
