import Foundation
import Testing
import PlumeGrids
@testable import PlumeRegrid

@Suite("VerticalAggregation")
struct VerticalAggregationTests {
    /// A deterministic pseudo-random sequence in [0, 1).
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    /// TM5 air mass [kg] per [level, cell] and mixing ratios for `n` cells with varied p_s.
    static func tm5Columns(_ n: Int, seed: UInt64 = 1) throws -> (levels: HybridLevels, airMass: [Double], q: [Double], ps: [Double]) {
        let levels = try VerticalCatalog.hybridLevels("tm5-34")
        var noise = Noise(state: seed)
        let ps = (0..<n).map { _ in 52_000 + 52_000 * noise.next() }
        let areas = (0..<n).map { _ in 1e9 + 6e10 * noise.next() }
        let m = try levels.airMass(surfacePressures: ps, cellAreas: areas)
        let q = (0..<(34 * n)).map { _ in 400 + 30 * noise.next() }
        return (levels, m, q, ps)
    }

    static func close(_ x: Double, _ y: Double, _ rel: Double) -> Bool { abs(x - y) <= rel * max(abs(x), abs(y)) }

    @Test func handComputedExample() throws {
        // 3 levels, 2 cells, groups [0], [1, 2].
        let grouping = try LevelGrouping(name: "g", groups: [[0], [1, 2]])
        let agg = VerticalAggregator(grouping: grouping, cellCount: 2)
        let x: [Double] = [1, 2,      // level 0
                           3, 4,      // level 1
                           5, 6]      // level 2
        let m: [Double] = [10, 1,
                           1, 1,
                           3, 2]
        #expect(try agg.sum(x) == [1, 2, 8, 10])
        // (3·1 + 5·3)/4 = 4.5; (4·1 + 6·2)/3 = 16/3
        let q = try agg.airMassWeighted(x, airMass: m)
        #expect(q[0] == 1 && q[1] == 2 && q[2] == 4.5 && abs(q[3] - 16.0 / 3) < 1e-15)
        // Per-level thickness [.., 1, 3]: (3·1 + 5·3)/4, (4 + 18)/4
        let t = try agg.thicknessWeighted(x, thickness: [7.0, 1, 3])
        #expect(t == [1, 2, 4.5, 5.5])
        #expect(try agg.aggregate(x, method: .thicknessWeighted, weights: m) == q)
        #expect(try agg.aggregate(x, method: .summed) == [1, 2, 8, 10])
        // Float fields with Double weights.
        let qf = try agg.airMassWeighted(x.map(Float.init), airMass: m)
        #expect(qf[2] == 4.5 && abs(Double(qf[3]) - 16.0 / 3) < 1e-6)
        #expect(try agg.sum(x.map(Float.init)) == [1, 2, 8, 10])
    }

    @Test func nanContributesNothing() throws {
        let grouping = try LevelGrouping(name: "g", groups: [[0, 1], [2, 3]])
        let agg = VerticalAggregator(grouping: grouping, cellCount: 3)
        let nan = Double.nan
        let x: [Double] = [1, nan, nan,
                           3, 2, nan,
                           nan, 5, 7,
                           nan, 6, 8]
        let m: [Double] = [1, 1, 1,
                           3, 1, 1,
                           1, nan, 1,
                           1, 1, 3]
        let s = try agg.sum(x)
        #expect(s[0] == 4 && s[1] == 2 && s[2].isNaN)
        #expect(s[3].isNaN && s[4] == 11 && s[5] == 15)
        let q = try agg.airMassWeighted(x, airMass: m)
        #expect(q[0] == 2.5 && q[1] == 2 && q[2].isNaN)      // (1 + 9)/4; only level 1; nothing valid
        #expect(q[3].isNaN && q[4] == 6 && q[5] == 7.75)     // NaN value and NaN weight; level 3 only; (7 + 24)/4
        // Zero weights: no meaningful mean.
        let z = try agg.airMassWeighted([Double](repeating: 1, count: 12), airMass: [Double](repeating: 0, count: 12))
        #expect(z.allSatisfy { $0.isNaN })
        let f = try agg.airMassWeighted(x.map(Float.init), airMass: m.map(Float.init))
        #expect(f[0] == 2.5 && f[2].isNaN && f[5] == 7.75)
    }

    @Test func tm5ToL10ConservesAirAndTracerMass() throws {
        let n = 700
        let (_, m, q, _) = try Self.tm5Columns(n)
        let l10 = try VerticalCatalog.grouping("l10")
        let agg = VerticalAggregator(grouping: l10, cellCount: n)
        let mg = try agg.sum(m)
        let qg = try agg.airMassWeighted(q, airMass: m)
        #expect(mg.count == 10 * n && qg.count == 10 * n)
        var air = 0.0, airGrouped = 0.0, tracer = 0.0, tracerGrouped = 0.0
        for c in 0..<n {
            var colAir = 0.0, colAirG = 0.0, colTracer = 0.0, colTracerG = 0.0
            for k in 0..<34 { colAir += m[k * n + c]; colTracer += q[k * n + c] * m[k * n + c] }
            for g in 0..<10 { colAirG += mg[g * n + c]; colTracerG += qg[g * n + c] * mg[g * n + c] }
            #expect(Self.close(colAir, colAirG, 1e-13))
            #expect(Self.close(colTracer, colTracerG, 1e-13))
            air += colAir; airGrouped += colAirG; tracer += colTracer; tracerGrouped += colTracerG
        }
        #expect(Self.close(air, airGrouped, 1e-13))
        #expect(Self.close(tracer, tracerGrouped, 1e-13))
        // Each group mean lies within the range of its layers.
        for (g, r) in l10.ranges.enumerated() {
            for c in 0..<n {
                let values = r.map { q[$0 * n + c] }
                let v = qg[g * n + c]
                #expect(v >= (values.min() ?? .nan) - 1e-12 && v <= (values.max() ?? .nan) + 1e-12)
            }
        }
    }

    @Test func constantFieldStaysConstant() throws {
        let n = 257
        let (levels, m, _, ps) = try Self.tm5Columns(n, seed: 7)
        let dp = levels.layerThickness(surfacePressures: ps)
        for grouping in [try VerticalCatalog.grouping("l10"), try VerticalCatalog.grouping("l20")] {
            let agg = VerticalAggregator(grouping: grouping, cellCount: n)
            let c = [Double](repeating: 412.5, count: 34 * n)
            #expect(try agg.airMassWeighted(c, airMass: m).allSatisfy { abs($0 - 412.5) <= 412.5 * 1e-15 })
            #expect(try agg.thicknessWeighted(c, thickness: dp).allSatisfy { abs($0 - 412.5) <= 412.5 * 1e-15 })
            let cf = [Float](repeating: 412.5, count: 34 * n)
            #expect(try agg.airMassWeighted(cf, airMass: m).allSatisfy { $0 == 412.5 })
        }
    }

    @Test func thicknessAndAirMassWeightsAgreeWithinAColumn() throws {
        // m = Δp·A/g, so for each cell the two weightings give the same means.
        let n = 64
        let (levels, m, q, ps) = try Self.tm5Columns(n, seed: 3)
        let dp = levels.layerThickness(surfacePressures: ps)
        let agg = VerticalAggregator(grouping: try VerticalCatalog.grouping("l20"), cellCount: n)
        let a = try agg.airMassWeighted(q, airMass: m), b = try agg.thicknessWeighted(q, thickness: dp)
        for i in a.indices { #expect(Self.close(a[i], b[i], 1e-13)) }
        // Summed Δp of the groups = the groups' pressure thicknesses.
        let dpg = try agg.sum(dp)
        for c in 0..<n { #expect(Self.close((0..<20).reduce(0.0) { $0 + dpg[$1 * n + c] }, ps[c], 1e-13)) }
    }

    @Test func parallelMatchesSerial() throws {
        // Large enough for the chunked parallel path (≥ 2^17 values, several chunks).
        let n = 20_000
        let (_, m, q, _) = try Self.tm5Columns(n, seed: 11)
        let l10 = try VerticalCatalog.grouping("l10")
        let parallel = try VerticalAggregator(grouping: l10, cellCount: n).airMassWeighted(q, airMass: m)
        // Serial reference: the same cells one column at a time.
        for c in stride(from: 0, to: n, by: 997) {
            let column = try VerticalAggregator(grouping: l10, cellCount: 1)
                .airMassWeighted((0..<34).map { q[$0 * n + c] }, airMass: (0..<34).map { m[$0 * n + c] })
            for g in 0..<10 { #expect(parallel[g * n + c] == column[g]) }
        }
        let sums = try VerticalAggregator(grouping: l10, cellCount: n).sum(m)
        #expect(sums.allSatisfy { $0.isFinite && $0 > 0 })
    }

    @Test func shapeErrors() throws {
        let agg = VerticalAggregator(grouping: try LevelGrouping(name: "g", groups: [[0], [1, 2]]), cellCount: 2)
        #expect(throws: VerticalAggregationError.self) { try agg.sum([1.0, 2, 3]) }
        #expect(throws: VerticalAggregationError.missingWeights(method: .airMassWeighted)) {
            try agg.aggregate([Double](repeating: 1, count: 6), method: .airMassWeighted)
        }
        do {
            _ = try agg.thicknessWeighted([Double](repeating: 1, count: 6), thickness: [1.0, 2])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("thickness") && error.description.contains("6"))
        }
        // Empty cell count gives empty output.
        #expect(try VerticalAggregator(grouping: agg.grouping, cellCount: 0).sum([Double]()) == [])
    }
}
