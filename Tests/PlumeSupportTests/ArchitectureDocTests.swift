import Foundation
import Testing

/// docs/ARCHITECTURE.md lists every target of Package.swift, and names no target that is
/// not there (the document says what is).
@Suite struct ArchitectureDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func everyTargetIsDocumented() throws {
        let manifest = try String(contentsOfFile: Self.root + "/Package.swift", encoding: .utf8)
        let document = try String(contentsOfFile: Self.root + "/docs/ARCHITECTURE.md", encoding: .utf8)
        // Library, system-library and executable targets (test targets are one per library).
        let pattern = #"\.(?:target|executableTarget|systemLibrary)\(\s*name:\s*"([A-Za-z0-9]+)""#
        let regex = try NSRegularExpression(pattern: pattern)
        let names = regex.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest)).compactMap {
            Range($0.range(at: 1), in: manifest).map { String(manifest[$0]) }
        }
        #expect(names.count >= 15, "found only \(names) in Package.swift")
        for name in names {
            #expect(document.contains("`\(name)`"), "docs/ARCHITECTURE.md does not describe target \(name)")
        }
        // Targets the table names must exist (rows start with a backquoted target name).
        let rows = document.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for row in rows {
            let documented = row.split(separator: "|")[0].split(separator: "`").enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            for name in documented {
                #expect(names.contains(name), "docs/ARCHITECTURE.md lists \(name), which Package.swift does not define")
            }
        }
    }
}
