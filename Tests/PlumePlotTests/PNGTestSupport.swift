import Foundation
import Testing

/// Width and height from a PNG's IHDR chunk, after checking the 8-byte signature.
func pngSize(of url: URL) throws -> (width: Int, height: Int) {
    let data = try Data(contentsOf: url)
    let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
    #expect(data.count > 33, "PNG too short")
    guard data.count > 33 else { return (0, 0) }
    #expect(Array(data.prefix(8)) == signature, "no PNG signature")
    #expect(Array(data[12..<16]) == Array("IHDR".utf8), "first chunk is not IHDR")
    func bigEndian(_ offset: Int) -> Int {
        data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
    }
    return (bigEndian(16), bigEndian(20))
}

/// A fresh empty folder under the temporary directory, removed by the caller.
func makeScratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("PlumePlotTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A smooth test field on a global 2.5° grid: [nlat, nlon] row-major.
struct TestGrid {
    let latitudes: [Double] = (0..<73).map { -90 + 2.5 * Double($0) }
    let longitudes: [Double] = (0..<144).map { 2.5 * Double($0) }

    /// `value(lat, lon)` at every grid point, latitude rows.
    func field(_ value: (Double, Double) -> Double) -> [Double] {
        latitudes.flatMap { lat in longitudes.map { lon in value(lat, lon) } }
    }
}
