import Foundation
import PlumeGrids
@testable import PlumeRegrid
import Testing

/// Acceptance: conservative weights between every pair of built-in global banded grids
/// preserve the area integral to 1e-12 and constants to 1e-14, and pass TempestRemap's
/// consistency (row sums 1), conservation (area-weighted column sums 1) and monotonicity
/// (0 ≤ S ≤ 1) checks.
@Suite("Conservative weights")
struct ConservativeWeightsTests {
    static let names = ["latlon5.625", "latlon2.8125", "latlon2x3", "latlon1", "gaussian-n32", "gaussian-n80",
                        "octahedral-o80", "latlon0.25"]

    static func banded(_ name: String) throws -> any BandedGrid {
        let grid = try GridCatalog.grid(name)
        return try #require(grid as? any BandedGrid, "\(name) is not banded")
    }

    static func y22(_ p: GeoPoint) -> Double {
        let phi = p.latitude * .pi / 180, lambda = p.longitude * .pi / 180
        return 2 + cos(phi) * cos(phi) * cos(2 * lambda)
    }

    @Test("every global grid's cells sum to 4π to 1e-12", arguments: names)
    func areas(_ name: String) throws {
        let grid = try Self.banded(name)
        #expect(grid.isGlobal)
        let total = grid.cellAreas().reduce(0, +)
        #expect(abs(total / (4 * .pi) - 1) < 1e-12, "\(name): Σ area = \(total)")
    }

    static var pairs: [(String, String)] {
        names.flatMap { a in names.compactMap { b in a == b ? nil : (a, b) } }
    }

    @Test("conservation, consistency, monotonicity", arguments: pairs)
    func pair(_ sourceName: String, _ destinationName: String) throws {
        let source = try Self.banded(sourceName), destination = try Self.banded(destinationName)
        let w = ConservativeWeights.make(from: source, to: destination)
        let sourceArea = w.sourceArea, destinationArea = w.destinationArea
        var worstRow = 0.0, worstColumn = 0.0, minS = Double.infinity, maxS = -Double.infinity
        var columnSums = [Double](repeating: 0, count: w.sourceCount)
        for i in 0..<w.destinationCount {
            var rowSum = 0.0
            for k in w.rowStart[i]..<w.rowStart[i + 1] {
                let s = w.weights[k]
                rowSum += s
                minS = min(minS, s)
                maxS = max(maxS, s)
                columnSums[Int(w.sourceIndex[k])] += s * destinationArea[i]
            }
            worstRow = max(worstRow, abs(rowSum - 1))
        }
        for j in 0..<w.sourceCount { worstColumn = max(worstColumn, abs(columnSums[j] / sourceArea[j] - 1)) }
        #expect(worstRow <= 1e-12, "\(sourceName)→\(destinationName): row sums off by \(worstRow)")
        #expect(worstColumn <= 1e-12, "\(sourceName)→\(destinationName): column conservation off by \(worstColumn)")
        #expect(minS >= 0 && maxS <= 1 + 1e-15, "S in [\(minS), \(maxS)]")

        // Global integral of Y2_2 and constancy of a constant.
        let field = source.centres().map(Self.y22)
        var remapped = [Double](repeating: 0, count: w.destinationCount)
        var constant = [Double](repeating: 0, count: w.destinationCount)
        for i in 0..<w.destinationCount {
            for k in w.rowStart[i]..<w.rowStart[i + 1] {
                remapped[i] += w.weights[k] * field[Int(w.sourceIndex[k])]
                constant[i] += w.weights[k] * 3.25
            }
        }
        let before = zip(field, sourceArea).reduce(0) { $0 + $1.0 * $1.1 }
        let after = zip(remapped, destinationArea).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(after / before - 1) <= 1e-12, "\(sourceName)→\(destinationName): integral \(before) → \(after)")
        let worstConstant = constant.reduce(0) { max($0, abs($1 - 3.25) / 3.25) }
        #expect(worstConstant <= 1e-14, "constant off by \(worstConstant)")
    }
}
