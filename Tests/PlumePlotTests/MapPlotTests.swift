import Foundation
import PlumePlot
import Testing

@Suite("MapPlot")
struct MapPlotTests {
    let grid = TestGrid()

    @Test("writes a PNG of the requested size", arguments: [true, false])
    func writesPNG(coastlines: Bool) throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plot = MapPlot(
            field: grid.field { lat, lon in sin(lat * .pi / 90) * cos(lon * .pi / 180) * 1e-4 },
            latitudesDegrees: grid.latitudes, longitudesDegrees: grid.longitudes,
            title: "vorticity", units: "s⁻¹", colormap: .blueWhiteRed,
            showsCoastlines: coastlines, size: PlotSize(width: 800, height: 420))
        let url = folder.appendingPathComponent("map.png")
        try plot.write(to: url)
        let size = try pngSize(of: url)
        #expect(size.width == 800 && size.height == 420)
    }

    @Test("north-to-south latitudes and −180…180 longitudes are accepted")
    func decreasingLatitudes() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let latitudes = (0..<37).map { 90 - 5 * Double($0) }
        let longitudes = (0..<72).map { -180 + 5 * Double($0) }
        let field = latitudes.flatMap { lat in longitudes.map { lon in 280 + lat / 3 + lon / 90 } }
        let plot = MapPlot(
            field: field, latitudesDegrees: latitudes, longitudesDegrees: longitudes,
            title: "temperature", units: "K", colormap: .yellowOrangeRed)
        let url = folder.appendingPathComponent("t.png")
        try plot.write(to: url)
        #expect(try pngSize(of: url) == (1200, 600))
    }

    @Test("two different fields give different images, the same field the same one")
    func differentFieldsDiffer() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ value: (Double, Double) -> Double) throws -> Data {
            let plot = MapPlot(
                field: grid.field(value), latitudesDegrees: grid.latitudes,
                longitudesDegrees: grid.longitudes, units: "1", size: PlotSize(width: 400, height: 220))
            let url = folder.appendingPathComponent(name)
            try plot.write(to: url)
            return try Data(contentsOf: url)
        }
        let first = try write("a.png") { lat, _ in lat }
        let second = try write("b.png") { _, lon in cos(lon * .pi / 180) }
        let again = try write("c.png") { lat, _ in lat }
        #expect(first != second)
        #expect(first == again)
    }

    @Test("a field of the wrong size throws invalidInput naming the path")
    func wrongShape() throws {
        let url = URL(fileURLWithPath: "/tmp/PlumePlotTests-never-written.png")
        let plot = MapPlot(field: [1, 2, 3], latitudesDegrees: [0, 1], longitudesDegrees: [0, 1])
        let error = #expect(throws: PlotError.self) { try plot.write(to: url) }
        #expect(error?.description.contains(url.path) == true)
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
