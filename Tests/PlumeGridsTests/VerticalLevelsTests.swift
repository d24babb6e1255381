import Foundation
import Testing
@testable import PlumeGrids

@Suite("VerticalLevels")
struct VerticalLevelsTests {
    static let g = 9.80665

    /// The message of a GridError thrown by `body`, or nil when nothing was thrown.
    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as GridError {
            return error.description
        } catch {
            return "not a GridError: \(error)"
        }
    }

    @Test func tm5InterfacePressuresAtStandardSurfacePressure() throws {
        let levels = try VerticalCatalog.hybridLevels("tm5-34")
        #expect(levels.name == "tm5-34")
        #expect(levels.count == 34)
        #expect(levels.a.count == 35 && levels.b.count == 35)
        let p = levels.interfacePressures(surfacePressure: 101_325)
        #expect(p.count == 35)
        #expect(p[0] == 101_325)          // surface first
        #expect(p[34] == 0)               // model top at 0 Pa
        for k in 0..<34 { #expect(p[k + 1] < p[k], "interface \(k + 1) not above \(k)") }
        // ECMWF L137 half levels 134 and 14 (ph in the ECMWF table, hPa).
        #expect(abs(p[1] / 100 - 1005.3562) < 1e-4)
        #expect(abs(p[33] / 100 - 1.0742) < 1e-4)
        // The lowest layer bottoms of CarbonBench's l10 groups at p_s = 1013 hPa are its labels.
        let p1013 = levels.interfacePressures(surfacePressure: 101_300)
        let l10 = try VerticalCatalog.grouping("l10")
        let labels = try #require(l10.labelsHPa)
        for (g, group) in l10.groups.enumerated() {
            #expect((p1013[group[0]] / 100).rounded() == labels[g], "group \(g)")
        }
        let dp = levels.layerThickness(surfacePressure: 101_325)
        #expect(dp.count == 34 && dp.allSatisfy { $0 > 0 })
        let mid = levels.layerMidPressures(surfacePressure: 101_325)
        #expect(abs(mid[33] - 107.415741 / 2) < 1e-9)
    }

    @Test func tm5ColumnAirMassIsSurfacePressureTimesAreaOverG() throws {
        let levels = try VerticalCatalog.hybridLevels("tm5-34")
        for ps in [50_000.0, 98_500, 101_325, 104_000] {
            for area in [1.0, 2.3e10, 6.1e10] {
                let m = levels.airMass(surfacePressure: ps, cellArea: area)
                #expect(m.count == 34)
                let total = m.reduce(0, +)
                let expected = ps * area / Self.g
                #expect(abs(total - expected) <= 1e-12 * expected, "p_s \(ps), A \(area): \(total) vs \(expected)")
            }
        }
    }

    @Test func vectorisedVersionsMatchColumns() throws {
        let levels = try VerticalCatalog.hybridLevels("tm5-34")
        let ps = [101_325.0, 55_000, 99_000, 102_500]
        let areas = [1.0e10, 2.0e10, 3.0e10, 4.0e10]
        let n = ps.count
        let p = levels.interfacePressures(surfacePressures: ps)
        let dp = levels.layerThickness(surfacePressures: ps)
        let m = try levels.airMass(surfacePressures: ps, cellAreas: areas)
        #expect(p.count == 35 * n && dp.count == 34 * n && m.count == 34 * n)
        for c in 0..<n {
            let pc = levels.interfacePressures(surfacePressure: ps[c])
            let dpc = levels.layerThickness(surfacePressure: ps[c])
            let mc = levels.airMass(surfacePressure: ps[c], cellArea: areas[c])
            for k in 0...34 { #expect(p[k * n + c] == pc[k]) }
            for k in 0..<34 {
                #expect(dp[k * n + c] == dpc[k])
                #expect(abs(m[k * n + c] - mc[k]) <= 1e-15 * mc[k])
            }
            let total = (0..<34).reduce(0.0) { $0 + m[$1 * n + c] }
            #expect(abs(total - ps[c] * areas[c] / Self.g) <= 1e-12 * ps[c] * areas[c] / Self.g)
        }
        #expect(Self.message { _ = try levels.airMass(surfacePressures: ps, cellAreas: [1]) }?.contains("cellAreas") == true)
    }

    @Test func groupingsCoverTheTM5Levels() throws {
        let l10 = try VerticalCatalog.grouping("l10")
        #expect(l10.count == 10)
        #expect(l10.sourceCount == 34)
        #expect(l10.levels == "tm5-34")
        #expect(l10.groups.map(\.count) == [1, 1, 1, 1, 2, 3, 4, 6, 8, 7])
        #expect(l10.labelsHPa == [1013, 1005, 995, 971, 943, 843, 642, 441, 243, 73])
        #expect(l10.groups.flatMap { $0 } == Array(0..<34))
        #expect(l10.ranges[8] == 19..<27)
        #expect(l10.groupOfLevel[5] == 4 && l10.groupOfLevel[33] == 9)
        #expect(l10 == (try LevelGrouping.sizes([1, 1, 1, 1, 2, 3, 4, 6, 8, 7], name: "l10", levels: "tm5-34",
                                                labelsHPa: [1013, 1005, 995, 971, 943, 843, 642, 441, 243, 73], sourceCount: 34)))

        let l20 = try VerticalCatalog.grouping("l20")
        #expect(l20.count == 20)
        #expect(l20.sourceCount == 34)
        let expected = (0..<6).map { [$0] } + stride(from: 6, to: 34, by: 2).map { [$0, $0 + 1] }
        #expect(l20.groups == expected)
        #expect(l20.labelsHPa?.count == 20)

        #expect(try LevelGrouping.identity(count: 34).groups.count == 34)
        #expect(VerticalCatalog.availableNames().contains("tm5-34"))
        if case .grouping(let g) = try VerticalCatalog.levels("l10") { #expect(g == l10) } else { Issue.record("l10 is not a grouping") }
    }

    @Test func groupingValidation() {
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], [2]]) }?.contains("groups[1]") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0, 1], [1, 2]]) }?.contains("already in an earlier group") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], [2, 1]]) }?.contains("groups[1]") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], [1, 3]]) }?.contains("groups[1][1]") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], []]) }?.contains("groups[1]': is empty") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: []) } != nil)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], [1]], sourceCount: 3) }?.contains("3 levels") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], [1]], labelsHPa: [1000]) }?.contains("labels_hpa") == true)
        #expect(Self.message { _ = try LevelGrouping(name: "x", groups: [[0], [1]], sourceCount: 2) } == nil)
    }

    @Test func hybridValidation() {
        // Top-down order is refused with a hint.
        let msg = Self.message { _ = try HybridLevels(name: "x", a: [0, 0], b: [0, 1]) }
        #expect(msg?.contains("a[1]") == true && msg?.contains("top_to_surface") == true)
        #expect(Self.message { _ = try HybridLevels(name: "x", a: [0, 0, 0], b: [1, 0]) }?.contains("'b'") == true)
        #expect(Self.message { _ = try HybridLevels(name: "x", a: [0], b: [1]) }?.contains("'a'") == true)
        #expect(Self.message { _ = try HybridLevels(name: "x", a: [0, .nan], b: [1, 0]) }?.contains("a[1]") == true)
        #expect(Self.message { _ = try HybridLevels(name: "x", a: [0, 0], b: [1.5, 0]) }?.contains("b[0]") == true)
        // Layer 1 inverts for low surface pressures: a grows by 50 000 Pa while b drops by 0.5.
        let inverted = Self.message { _ = try HybridLevels(name: "x", a: [0, 0, 50_000, 0], b: [1, 0.9, 0.4, 0]) }
        #expect(inverted?.contains("a[2]") == true)
        #expect(Self.message { _ = try HybridLevels(name: "x", a: [0, 0, 50_000, 0], b: [1, 0.9, 0.4, 0], surfacePressureRange: 101_000...110_000) } == nil)
        #expect(Self.message { _ = try HybridLevels(name: "x", a: [0, -10], b: [1, 0]) }?.contains("negative") == true)
    }

    @Test func badYAMLNamesTheKey() {
        func parse(_ text: String) -> String? {
            Self.message {
                _ = try VerticalCatalog.parse(text, source: "test.yaml", fallbackName: "test") { (name: String) throws(GridError) in
                    try HybridLevels(name: name, a: [0, 0, 0], b: [1, 0.5, 0])
                }
            }
        }
        #expect(parse("type: hybrid\nb: [1, 0]\n")?.contains("'a'") == true)
        #expect(parse("type: hybrid\na: [0, 0]\n")?.contains("'b'") == true)
        #expect(parse("type: hybrid\na: [0, x]\nb: [1, 0]\n")?.contains("a[1]") == true)
        #expect(parse("type: hybrid\na: [0, 0]\nb: [1, 0, 0]\n")?.contains("'b'") == true)
        #expect(parse("type: hybrid\na: [0, 0]\nb: [1, 0]\norder: upward\n")?.contains("'order'") == true)
        #expect(parse("type: hybrid\na: [0, 0]\nb: [1, 0]\na_units: bar\n")?.contains("'a_units'") == true)
        #expect(parse("type: hybrid\na: [0, 0]\nb: [1, 0]\nlabels_hPa: [1]\n")?.contains("'labels_hPa': unknown key") == true)
        #expect(parse("type: hybrid\na: [0, 0]\nb: [1, 0]\ngroups: [[0]]\n")?.contains("'groups'") == true)
        #expect(parse("type: spline\n")?.contains("'type'") == true)
        #expect(parse("a: [0]\n")?.contains("'type'") == true)
        #expect(parse("- 1\n- 2\n")?.contains("(top level)") == true)
        #expect(parse("type: [unclosed\n") != nil)
        #expect(parse("type: grouping\nlevels: s\ngroups: [[0], [2]]\n")?.contains("groups[1]") == true)
        #expect(parse("type: grouping\nlevels: s\ngroups: [[0]]\n")?.contains("'groups'") == true)  // s has 2 layers
        #expect(parse("type: grouping\ngroups: [[0], [1]]\n")?.contains("'levels'") == true)
        #expect(parse("type: grouping\nlevels: s\n")?.contains("'groups'") == true)
        #expect(parse("type: grouping\nlevels: s\ngroups: [[0], [1]]\nlabels_hpa: [1000]\n")?.contains("labels_hpa") == true)
        #expect(parse("type: grouping\nlevels: s\ngroups: [[0], [1]]\nlabels_hpa: [1000, 500]\n") == nil)
        // An unknown level set is reported on the 'levels' key.
        let unknown = Self.message {
            _ = try VerticalCatalog.parse("type: grouping\nlevels: no-such-set\ngroups: [[0]]\n", source: "t.yaml", fallbackName: "t")
        }
        #expect(unknown?.contains("'levels'") == true && unknown?.contains("no-such-set") == true)
        #expect(Self.message { _ = try VerticalCatalog.hybridLevels("no-such-set") }?.contains("no-such-set") == true)
        #expect(Self.message { _ = try VerticalCatalog.grouping("tm5-34") }?.contains("expected a grouping") == true)
    }

    @Test func topDownTablesInHectopascalAreReordered() throws {
        let text = "name: tiny\ntype: hybrid\norder: top_to_surface\na_units: hPa\na: [0, 100, 0]\nb: [0, 0.5, 1]\n"
        guard case .hybrid(let levels) = try VerticalCatalog.parse(text, source: "tiny.yaml", fallbackName: "x") else {
            Issue.record("not hybrid"); return
        }
        #expect(levels.name == "tiny")
        #expect(levels.a == [0, 10_000, 0] && levels.b == [1, 0.5, 0])
        #expect(levels.interfacePressures(surfacePressure: 100_000) == [100_000, 60_000, 0])
    }
}
