import Foundation
import PlumeGrids

/// Nearest-neighbour weights: each destination cell centre takes the value of the source
/// cell whose centre is nearest on the sphere (great-circle distance; ties go to the
/// lower index). Works for any pair of grids.
///
/// Source centres are sorted by latitude; the search widens from the destination's
/// latitude while the latitude difference alone (a lower bound of the distance) is
/// smaller than the best distance found.
public enum NearestWeights {
    public static func make(from source: any Grid, to destination: any Grid) -> RemapWeights {
        let centres = source.centres()
        let order = centres.indices.sorted { (centres[$0].latitude, $0) < (centres[$1].latitude, $1) }
        let sortedLatitudes = order.map { centres[$0].latitude }
        let vectors = order.map { centres[$0].unitVector }
        let points = destination.centres()
        var nearest = [Int](repeating: -1, count: points.count)
        nearest.withUnsafeMutableBufferPointer { out in
            guard let start = out.baseAddress else { return }
            let shared = SharedMutablePointer(base: start)
            let chunks = max(1, min(64, points.count / 256))
            parallelFor(chunks) { c in
                let lo = points.count * c / chunks, hi = points.count * (c + 1) / chunks
                for i in lo..<hi {
                    shared.base[i] = search(points[i], latitudes: sortedLatitudes, vectors: vectors, order: order)
                }
            }
        }
        let links = nearest.enumerated().compactMap { i, j in j < 0 ? nil : (destination: i, source: j, weight: 1.0) }
        return RemapWeights(method: .nearest, source: source, destination: destination, links: links)
    }

    static func search(_ p: GeoPoint, latitudes: [Double], vectors: [SIMD3<Double>], order: [Int]) -> Int {
        guard !latitudes.isEmpty else { return -1 }
        let v = p.unitVector
        var lo = 0, hi = latitudes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if latitudes[mid] < p.latitude { lo = mid + 1 } else { hi = mid }
        }
        // Chord length² is monotone in great-circle distance; the latitude difference gives
        // a lower bound on the chord: 2·sin(Δφ/2).
        var best = -1
        var bestChord = Double.infinity
        func consider(_ k: Int) {
            let d = v - vectors[k]
            let chord = (d * d).sum()
            if chord < bestChord || (chord == bestChord && order[k] < order[best]) {
                bestChord = chord
                best = k
            }
        }
        func bound(_ k: Int) -> Double {
            let s = 2 * sin(abs(latitudes[k] - p.latitude) * .pi / 360)
            return s * s
        }
        // The bound depends on the latitude only: computed once per run of equal latitudes
        // (a row of a lat-lon or Gaussian grid), not once per candidate (the sin dominated).
        var upLatitude = Double.nan, upBound = 0.0, downLatitude = Double.nan, downBound = 0.0
        var up = lo, down = lo - 1
        while up < latitudes.count || down >= 0 {
            var progressed = false
            if up < latitudes.count {
                if latitudes[up] != upLatitude { upLatitude = latitudes[up]; upBound = bound(up) }
                if upBound <= bestChord { consider(up); up += 1; progressed = true } else { up = latitudes.count }
            }
            if down >= 0 {
                if latitudes[down] != downLatitude { downLatitude = latitudes[down]; downBound = bound(down) }
                if downBound <= bestChord { consider(down); down -= 1; progressed = true } else { down = -1 }
            }
            if !progressed { break }
        }
        return best < 0 ? -1 : order[best]
    }
}
