import Foundation
import Testing

/// Every file Plume writes goes through `PendingFile` / `AtomicFile`: no source file outside
/// PlumeSupport creates a file by itself. (A source scan: the calls that create files.)
@Suite struct SingleWriterTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources").path

    /// Patterns that create or overwrite a file, and why each is forbidden.
    static let forbidden: [(pattern: String, what: String)] = [
        (#"(Data\(.*\)|encode\(.*\)|\bdata|\.utf8\))\.write\(to:"#, "Data.write(to:) writes in place"),
        (#"options:\s*\.atomic"#, "Foundation's atomic write does not flush to disk"),
        (#"write\(toFile:"#, "write(toFile:) writes in place"),
        (#"createFile\("#, "FileManager.createFile writes in place"),
        (#"fopen\([^)]*"[wa]"#, "fopen for writing"),
        (#"O_CREAT"#, "open(…, O_CREAT)"),
        (#"H5Fcreate"#, "HDF5 file creation"),
        (#"nc_create\((?!temporary)"#, "nc_create on a path that is not the writer's temporary file"),
        (#"plsfnam\((?!temporary)"#, "PLplot output on a path that is not the writer's temporary file"),
        (#"codes_write_message|codes_grib_multi_handle_write"#, "ecCodes writing a file by itself"),
    ]

    @Test func noFileIsCreatedOutsideTheAtomicWriter() throws {
        let enumerator = FileManager.default.enumerator(atPath: Self.sources)
        var offences: [String] = []
        var scanned = 0
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift") || relative.hasSuffix(".c") || relative.hasSuffix(".cpp") else { continue }
            if relative.hasPrefix("PlumeSupport/") || relative.hasPrefix("CTorch/loader") { continue }
            let text = try String(contentsOfFile: Self.sources + "/" + relative, encoding: .utf8)
            scanned += 1
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") || code.hasPrefix("///") || code.hasPrefix("*") { continue }
                for rule in Self.forbidden where code.range(of: rule.pattern, options: .regularExpression) != nil {
                    offences.append("\(relative):\(number + 1): \(rule.what): \(code)")
                }
            }
        }
        #expect(scanned > 100, "scanned only \(scanned) files under \(Self.sources)")
        #expect(offences.isEmpty, "files written outside PlumeSupport's atomic writer:\n\(offences.joined(separator: "\n"))")
    }

    /// The scan itself finds what it is meant to find.
    @Test func theScanCatchesAnInPlaceWrite() {
        let line = #"try encoder.encode(statistics).write(to: URL(fileURLWithPath: statisticsPath))"#
        #expect(Self.forbidden.contains { line.range(of: $0.pattern, options: .regularExpression) != nil })
        let viaWriter = #"try AtomicFile.write(encoder.encode(statistics), to: statisticsPath)"#
        #expect(!Self.forbidden.contains { viaWriter.range(of: $0.pattern, options: .regularExpression) != nil })
    }
}
