import Foundation
import Testing

/// Runs the debug `plume` binary (built with the tests) as `plume plot KIND FOLDER` and
/// checks that the PNGs it should write are PNGs.
enum PlumeFigureCommand {
    static func expectFigures(kind: String, folder: String, files: [String]) throws {
        let plume = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/plume").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: plume)
        process.arguments = ["plot", kind, folder]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "plume plot \(kind) \(folder)")
        for png in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + png))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(png) is not a PNG")
        }
    }
}
