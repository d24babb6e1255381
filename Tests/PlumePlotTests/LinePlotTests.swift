import Foundation
import PlumePlot
import Testing

@Suite("LinePlot")
struct LinePlotTests {
    @Test("writes a PNG of the requested size", arguments: [false, true])
    func writesPNG(logY: Bool) throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let days = (0...60).map { Double($0) / 10 }
        let plot = LinePlot(
            series: [
                LineSeries(x: days, y: days.map { 1e5 * exp(-$0 / 3) }, label: "Plume"),
                LineSeries(x: days, y: days.map { 1e5 * exp(-$0 / 4) }, label: "reference", dash: .dashed),
            ],
            title: "Kinetic energy", xLabel: "day", yLabel: "KE (J m⁻²)", logY: logY,
            size: PlotSize(width: 640, height: 400))
        let url = folder.appendingPathComponent("ke.png")
        try plot.write(to: url)
        let size = try pngSize(of: url)
        #expect(size.width == 640 && size.height == 400)
        // Only the PNG is left in the folder: no temporary files.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ke.png"])
    }

    @Test("zonal-mean profiles (value across, latitude up) write a PNG")
    func zonalProfiles() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let latitudes = TestGrid().latitudes
        let u = latitudes.map { 80 * pow(sin(2 * $0 * .pi / 180), 2) * ($0 > 0 ? 1 : 0) }
        let plot = LinePlot.zonalMeanProfiles(
            latitudesDegrees: latitudes,
            profiles: [(label: "day 0", values: u), (label: "day 6", values: u.map { $0 * 0.9 + 2 })],
            valueLabel: "u (m s⁻¹)", title: "Zonal-mean zonal wind")
        let url = folder.appendingPathComponent("profile.png")
        try plot.write(to: url)
        let size = try pngSize(of: url)
        #expect(size.width == 600 && size.height == 800)
    }

    @Test("mismatched series lengths throw invalidInput naming the path")
    func mismatched() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bad.png")
        let plot = LinePlot(series: [LineSeries(x: [1, 2, 3], y: [1, 2])])
        let error = #expect(throws: PlotError.self) { try plot.write(to: url) }
        #expect(error?.path == url.path)
        #expect(error?.description.contains(url.path) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
