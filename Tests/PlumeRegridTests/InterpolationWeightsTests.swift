import Foundation
import PlumeGrids
@testable import PlumeRegrid
import Testing

@Suite("Bilinear and nearest weights")
struct InterpolationWeightsTests {
    static func apply(_ w: RemapWeights, _ field: [Double]) -> [Double] {
        (0..<w.destinationCount).map { i in
            (w.rowStart[i]..<w.rowStart[i + 1]).reduce(0) { $0 + w.weights[$1] * field[Int(w.sourceIndex[$1])] }
        }
    }

    @Test("bilinear: constants exact, latitude-linear fields exact between rows, identity on the same grid")
    func bilinear() throws {
        let source = try GridCatalog.grid("gaussian-n32") as! GaussianGrid
        let destination = try GridCatalog.grid("latlon2x3")
        let w = BilinearWeights.make(from: source, to: destination)
        for i in 0..<w.destinationCount {
            let s = (w.rowStart[i]..<w.rowStart[i + 1]).reduce(0) { $0 + w.weights[$1] }
            #expect(abs(s - 1) < 1e-14, "row \(i) sums to \(s)")
        }
        #expect(w.weights.allSatisfy { $0 >= 0 && $0 <= 1 })
        // f = φ between the outermost Gaussian rows is reproduced exactly.
        let f = source.centres().map(\.latitude)
        let out = Self.apply(w, f)
        let first = source.latitudes.last!, last = source.latitudes.first!
        for (p, v) in zip(destination.centres(), out) where p.latitude > first && p.latitude < last {
            #expect(abs(v - p.latitude) < 1e-12, "at \(p): \(v)")
        }
        // On the same grid, bilinear is the identity.
        let same = BilinearWeights.make(from: source, to: source)
        let g: [Double] = source.centres().map { (p: GeoPoint) -> Double in sin(p.latitude / 10) + cos(p.longitude * Double.pi / 180) }
        let back = Self.apply(same, g)
        #expect(zip(g, back).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test("bilinear across the pole is continuous and reaches the mean of the last row")
    func pole() throws {
        let source = try RegularLatLonGrid(name: "s", firstLatitude: -85, latitudeStep: 10, latitudeCount: 18,
                                           firstLongitude: 0, longitudeStep: 10, longitudeCount: 36)
        let f: [Double] = source.centres().map { (p: GeoPoint) -> Double in
            let lon = p.longitude * Double.pi / 180, lat = p.latitude * Double.pi / 180
            return 1 + cos(lon) * cos(lat)
        }
        let lastRow: [Double] = Array(f[(17 * 36)..<(18 * 36)])
        let rowMean: Double = lastRow.reduce(0, +) / 36
        let points = try RegularLatLonGrid(name: "d", firstLatitude: 89.999999, latitudeStep: 1, latitudeCount: 1,
                                           firstLongitude: 0, longitudeStep: 7, longitudeCount: 50)
        let out = Self.apply(BilinearWeights.make(from: source, to: points), f)
        #expect(out.allSatisfy { abs($0 - rowMean) < 1e-6 })
    }

    @Test("nearest matches a brute-force search", arguments: ["gaussian-n32", "latlon2x3", "octahedral-o80", "icosahedral-m3"])
    func nearest(_ sourceName: String) throws {
        let source = try GridCatalog.grid(sourceName)
        let destination = try GridCatalog.grid("latlon5.625")
        let w = NearestWeights.make(from: source, to: destination)
        let centres = source.centres().map(\.unitVector)
        for (i, p) in destination.centres().enumerated() where i % 3 == 0 {
            let v = p.unitVector
            var best = 0
            var bestD = Double.infinity
            for (j, c) in centres.enumerated() {
                let d = ((v - c) * (v - c)).sum()
                if d < bestD { bestD = d; best = j }
            }
            #expect(w.rowStart[i + 1] - w.rowStart[i] == 1)
            let chosen = Int(w.sourceIndex[w.rowStart[i]])
            let dc = ((v - centres[chosen]) * (v - centres[chosen])).sum()
            #expect(chosen == best || abs(dc - bestD) < 1e-15, "cell \(i) at \(p): \(chosen) vs \(best)")
        }
    }
}
