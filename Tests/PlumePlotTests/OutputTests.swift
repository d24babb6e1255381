import Foundation
import PlumePlot
import Testing

@Suite("Output files and concurrency")
struct OutputTests {
    @Test("a path under a regular file throws cannotWrite naming the path and leaves nothing")
    func parentIsAFile() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("notes.txt")
        try Data("x".utf8).write(to: file)
        let url = file.appendingPathComponent("plot.png")
        let plot = MapPlot(
            field: [1, 2, 3, 4], latitudesDegrees: [0, 10], longitudesDegrees: [0, 10],
            showsCoastlines: false)
        let error = #expect(throws: PlotError.self) { try plot.write(to: url) }
        guard case .cannotWrite(let path, _) = error else {
            Issue.record("expected cannotWrite, got \(String(describing: error))")
            return
        }
        #expect(path == url.path)
        #expect(error?.description.contains(url.path) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
    }

    /// Root ignores folder permissions, so this one runs only for other users.
    @Test(
        "an unwritable folder throws cannotWrite naming the path and leaves nothing",
        .enabled(if: geteuid() != 0))
    func unwritableFolder() throws {
        let folder = try makeScratchFolder()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
            try? FileManager.default.removeItem(at: folder)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        let url = folder.appendingPathComponent("plot.png")
        let plot = LinePlot(series: [LineSeries(x: [0, 1], y: [0, 1])])
        let error = #expect(throws: PlotError.self) { try plot.write(to: url) }
        #expect(error?.path == url.path)
        #expect(error?.description.contains(url.path) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("a missing folder throws cannotWrite naming the path")
    func missingFolder() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/plot.png")
        let plot = LinePlot(series: [LineSeries(x: [0, 1], y: [0, 1])])
        let error = #expect(throws: PlotError.self) { try plot.write(to: url) }
        guard case .cannotWrite(let path, _) = error else {
            Issue.record("expected cannotWrite, got \(String(describing: error))")
            return
        }
        #expect(path == url.path)
    }

    @Test("an existing file is replaced")
    func replacesExisting() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("plot.png")
        try Data("old".utf8).write(to: url)
        try LinePlot(series: [LineSeries(x: [0, 1], y: [0, 1])], size: PlotSize(width: 300, height: 200))
            .write(to: url)
        #expect(try pngSize(of: url) == (300, 200))
    }

    @Test("many figures in a row do not exhaust PLplot's streams")
    func manyFigures() throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("plot.png")
        for index in 0..<120 {
            try LinePlot(
                series: [LineSeries(x: [0, 1], y: [0, Double(index)])],
                showsGrid: false, legend: .hidden, size: PlotSize(width: 64, height: 48)
            ).write(to: url)
        }
        #expect(try pngSize(of: url) == (64, 48))
    }

    @Test("concurrent plots from many tasks are serialised and all valid")
    func concurrentPlots() async throws {
        let folder = try makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let grid = TestGrid()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let url = folder.appendingPathComponent("plot\(task).png")
                    if task.isMultiple(of: 2) {
                        let x = (0..<50).map(Double.init)
                        try LinePlot(
                            series: [LineSeries(x: x, y: x.map { sin($0 / 5 + Double(task)) }, label: "\(task)")],
                            title: "task \(task)", size: PlotSize(width: 320, height: 240)
                        ).write(to: url)
                    } else {
                        try MapPlot(
                            field: grid.field { lat, lon in lat * Double(task) + lon },
                            latitudesDegrees: grid.latitudes, longitudesDegrees: grid.longitudes,
                            title: "task \(task)", showsCoastlines: task % 4 == 1,
                            size: PlotSize(width: 320, height: 240)
                        ).write(to: url)
                    }
                }
            }
            try await group.waitForAll()
        }
        for task in 0..<8 {
            let size = try pngSize(of: folder.appendingPathComponent("plot\(task).png"))
            #expect(size.width == 320 && size.height == 240)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 8)
    }
}
