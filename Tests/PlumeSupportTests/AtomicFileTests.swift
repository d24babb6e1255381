import Foundation
import PlumeSupport
import Testing

@Suite struct AtomicFileTests {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "plume-atomic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func entries(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func writesDataAndLeavesNoTemporaryFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Data("first".utf8), to: dir + "/a.json")
        try AtomicFile.write(text: "second", to: dir + "/a.json")
        #expect(try String(contentsOfFile: dir + "/a.json", encoding: .utf8) == "second")
        #expect(try entries(dir) == ["a.json"])
    }

    @Test func failingBodyLeavesTheOldFileAndNoTemporary() throws {
        struct Boom: Error {}
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(text: "old", to: dir + "/b.txt")
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: dir + "/b.txt") { temporary in
                // The temporary file exists, beside the destination, while the body runs.
                #expect(FileManager.default.fileExists(atPath: temporary))
                #expect(URL(fileURLWithPath: temporary).deletingLastPathComponent().path == dir)
                try Data("half".utf8).write(to: URL(fileURLWithPath: temporary))
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: dir + "/b.txt", encoding: .utf8) == "old")
        #expect(try entries(dir) == ["b.txt"])
    }

    @Test func pendingFileIsInvisibleUntilCommittedAndRemovedWhenDropped() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let pending = try PendingFile(destination: dir + "/c.bin")
            try pending.append([1, 2, 3])
            #expect(!FileManager.default.fileExists(atPath: dir + "/c.bin"))
            try pending.commit()
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/c.bin")) == Data([1, 2, 3]))
        do {
            let dropped = try PendingFile(destination: dir + "/d.bin")
            try dropped.append([9])
        }
        #expect(try entries(dir) == ["c.bin"])
    }

    @Test func badDestinationsNameTheFileAndTheProblem() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: AtomicWriteError(file: dir + "/no/such/e.txt", reason: "folder '\(dir)/no/such' does not exist")) {
            try AtomicFile.write(text: "x", to: dir + "/no/such/e.txt")
        }
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        #expect(throws: AtomicWriteError(file: dir + "/sub", reason: "a folder exists under that name")) {
            try AtomicFile.write(text: "x", to: dir + "/sub")
        }
    }
}
