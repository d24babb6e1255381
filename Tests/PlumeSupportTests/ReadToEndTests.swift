import Foundation
import PlumeSupport
import Testing

/// `FileHandle.readToEndRetryingInterrupts()`: everything a child writes to a pipe, more than
/// one read's worth, up to the writer closing it.
@Suite struct ReadToEndTests {
    @Test func readsAChildsWholeOutput() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "head -c 200000 /dev/zero | tr '\\0' x; printf end"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = try pipe.fileHandleForReading.readToEndRetryingInterrupts()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(data.count == 200_003)
        #expect(data.prefix(3) == Data("xxx".utf8))
        #expect(data.suffix(3) == Data("end".utf8))
    }
}
