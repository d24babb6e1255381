import Foundation
import PlumeGrids
@testable import PlumeRegrid
import Testing

@Suite("Applying weights")
struct RemapperTests {
    static func grids() throws -> (any BandedGrid, any BandedGrid) {
        (try #require(try GridCatalog.grid("latlon2x3") as? any BandedGrid),
         try #require(try GridCatalog.grid("latlon5.625") as? any BandedGrid))
    }

    @Test("extensive amounts keep their global total exactly")
    func extensive() throws {
        let (source, destination) = try Self.grids()
        let remapper = Remapper(ConservativeWeights.make(from: source, to: destination))
        // Air mass per cell, Pg: proportional to area times a varying surface pressure.
        let areas = source.cellAreas()
        let amounts: [Double] = zip(source.centres(), areas).map { (p: GeoPoint, a: Double) -> Double in
            let phi = p.latitude * Double.pi / 90, lambda = p.longitude * Double.pi / 60
            return a * (1 + 0.1 * sin(phi) * cos(lambda))
        }
        let out = try remapper.applyExtensive(amounts)
        let before = amounts.reduce(0, +), after = out.reduce(0, +)
        #expect(abs(after / before - 1) < 1e-13)
    }

    @Test("NaN source cells: fracarea values and fractions conserve the valid integral")
    func missing() throws {
        let (source, destination) = try Self.grids()
        let remapper = Remapper(ConservativeWeights.make(from: source, to: destination))
        var field = source.centres().map { 2 + cos($0.latitude * .pi / 180) }
        // Mask a 'continent' that covers some destination cells partly.
        for (i, p) in source.centres().enumerated() where p.latitude > 10 && p.latitude < 40 && p.longitude > 0 && p.longitude < 37 {
            field[i] = .nan
        }
        let (values, fraction) = try remapper.applyWithFraction(field)
        let validBefore = zip(field, remapper.weights.sourceArea).reduce(0.0) { $1.0.isNaN ? $0 : $0 + $1.0 * $1.1 }
        var validAfter = 0.0
        for i in values.indices where !values[i].isNaN { validAfter += values[i] * fraction[i] * remapper.weights.destinationArea[i] }
        #expect(abs(validAfter / validBefore - 1) < 1e-13)
        #expect(fraction.contains { $0 > 0 && $0 < 1 }, "no partly covered cell")
        #expect(fraction.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-12 })
        // Values stay within the range of the valid source values (monotone weights).
        let valid = field.filter { !$0.isNaN }
        let lo = valid.min() ?? 0, hi = valid.max() ?? 0
        #expect(values.filter { !$0.isNaN }.allSatisfy { $0 >= lo - 1e-12 && $0 <= hi + 1e-12 })
    }

    @Test("batched float32 fields equal one-by-one application")
    func batched() throws {
        let (source, destination) = try Self.grids()
        let remapper = Remapper(BilinearWeights.make(from: source, to: destination))
        let n = source.cellCount
        let fields: [Float] = (0..<(3 * n)).map { Float(sin(Double($0) * 0.001)) }
        let together = try remapper.apply(fields: fields, count: 3)
        for f in 0..<3 {
            let one = try remapper.apply(Array(fields[(f * n)..<((f + 1) * n)]))
            #expect(Array(together[(f * destination.cellCount)..<((f + 1) * destination.cellCount)]) == one)
        }
    }
}
