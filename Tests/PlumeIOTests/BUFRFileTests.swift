import Foundation
import PlumeIO
import Testing

/// BUFR messages of pdbufr's sample files, against ecCodes' own tools: `bufr_count`,
/// `bufr_get` (per message) and `bufr_dump -j f` (every value, parsed as JSON by Python).
@Suite struct BUFRFileTests {
    static func path(_ name: String) throws -> String { try SampleData.path("bufr/" + name) }

    @Test func theSYNOPFileHasEveryMessageAndSubsetThatEcCodesCounts() throws {
        let path = try Self.path("perf_synop.bufr")
        let file = try BUFRFile(path: path)
        let counted = try Shell.run("bufr_count", [path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(file.messages.count == Int(counted))
        #expect(file.messages.count == 15_824)
        // The rest is padding between messages (a few bytes each), accounted for.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(file.messages.reduce(0) { $0 + $1.length } + file.skippedBytes == size)
        #expect(file.skippedBytes < 8 * file.messages.count)
        let subsetsByTool = try Shell.run("bufr_get", ["-p", "numberOfSubsets", path]).stdout
            .split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(subsetsByTool.count == file.messages.count)
        var subsets = 0
        for i in [0, 1, 7_000, file.messages.count - 1] {
            let message = try file.message(i)
            #expect(message.subsetCount == subsetsByTool[i], "message \(i + 1)")
            #expect(message.dataCategory == 0)   // surface data, land
            subsets += message.subsetCount
        }
        #expect(subsets >= 4)
    }

    @Test func radiosondeTemperaturesSumAsBufrDumpDecodesThem() throws {
        let path = try Self.path("temp_small.bufr")
        let file = try BUFRFile(path: path)
        #expect(file.messages.count == 7)
        var count = 0
        var total = 0.0
        for i in file.messages.indices {
            let message = try file.message(i)
            #expect(message.dataCategory == 2)   // vertical soundings
            for value in message.values("airTemperature") ?? [] {
                guard let value else { continue }
                count += 1
                total += value
            }
        }
        let script = """
            import json, sys
            data = json.load(sys.stdin)
            count, total = 0, 0.0
            def walk(x):
                global count, total
                if isinstance(x, dict):
                    if x.get('key') == 'airTemperature':
                        v = x.get('value')
                        for e in (v if isinstance(v, list) else [v]):
                            if e is not None:
                                count += 1; total += e
                    for y in x.values(): walk(y)
                elif isinstance(x, list):
                    for y in x: walk(y)
            walk(data)
            print(count, repr(total))
            """
        let dump = try Shell.run("bash", ["-c", "bufr_dump -j f '\(path)' | python3 -c \"$0\"", script]).stdout
            .split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(count == 306)
        #expect(dump.first.flatMap { Int($0) } == count)
        let expected = try #require(dump.last.flatMap { Double($0) })
        #expect(abs(total - expected) < 1e-6, "Plume \(total), bufr_dump \(expected)")
    }

    @Test func aFileWithoutBUFRMessagesIsRefusedNamingIt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        _ = FileManager.default.createFile(atPath: folder.file("x.bufr"), contents: Data("GRIB not bufr".utf8))
        #expect(throws: PlumeIOError.self) { _ = try BUFRFile(path: folder.file("x.bufr")) }
        do {
            _ = try BUFRFile(path: folder.file("x.bufr"))
        } catch {
            #expect("\(error)".contains(folder.file("x.bufr")))
        }
    }
}
