import Foundation
import PlumeSupport
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
        if let banded = source as? any BandedGrid { return make(fromRows: banded, to: destination) }
        let centres = source.centres()
        let order = centres.indices.sorted { (centres[$0].latitude, $0) < (centres[$1].latitude, $1) }
        let sortedLatitudes = order.map { centres[$0].latitude }
        let vectors = order.map { centres[$0].unitVector }
        return weights(from: source, to: destination) { search($0, latitudes: sortedLatitudes, vectors: vectors, order: order) }
    }

    /// Runs `nearest` for every destination centre in parallel and builds the weights.
    static func weights(from source: any Grid, to destination: any Grid,
                        nearest: @Sendable (GeoPoint) -> Int) -> RemapWeights {
        let points = destination.centres()
        var found = [Int](repeating: -1, count: points.count)
        found.withUnsafeMutableBufferPointer { out in
            guard let start = out.baseAddress else { return }
            let shared = SharedMutablePointer(base: start)
            let chunks = max(1, min(64, points.count / 256))
            parallelFor(chunks) { c in
                let lo = points.count * c / chunks, hi = points.count * (c + 1) / chunks
                for i in lo..<hi { shared.base[i] = nearest(points[i]) }
            }
        }
        let links = found.enumerated().compactMap { i, j in j < 0 ? nil : (destination: i, source: j, weight: 1.0) }
        return RemapWeights(method: .nearest, source: source, destination: destination, links: links)
    }

    static func search(_ p: GeoPoint, latitudes: [Double], vectors: [SIMD3<Double>], order: [Int]) -> Int {
        guard !latitudes.isEmpty else { return -1 }
        let v = p.unitVector
        var best = -1
        var bestChord = Double.infinity
        visitOutward(latitudes: latitudes, from: p.latitude, within: { bestChord }) { k in
            let d = v - vectors[k]
            let chord = (d * d).sum()
            if chord < bestChord || (chord == bestChord && order[k] < order[best]) {
                bestChord = chord
                best = k
            }
        }
        return best < 0 ? -1 : order[best]
    }

    /// Banded sources: on one row the distance grows with the longitude difference, so only
    /// the two cells around the point's longitude are candidates; rows are visited outward
    /// from the point's latitude while their latitude difference can still beat the best.
    static func make(fromRows source: any BandedGrid, to destination: any Grid) -> RemapWeights {
        let rows = source.rows.sorted { ($0.centreLatitude, $0.firstCell) < ($1.centreLatitude, $1.firstCell) }
        let rowLatitudes = rows.map(\.centreLatitude)
        return weights(from: source, to: destination) { searchRows($0, rows: rows, latitudes: rowLatitudes) }
    }

    static func searchRows(_ p: GeoPoint, rows: [CellRow], latitudes: [Double]) -> Int {
        guard !rows.isEmpty else { return -1 }
        let v = p.unitVector
        var best = -1
        var bestChord = Double.infinity
        func consider(_ row: CellRow) {
            let origin = row.direction > 0 ? row.west : row.west - Double(row.count) * row.width
            let x = (p.longitude - origin) / row.width - 0.5
            let base = Int(x.rounded(.down))
            for g in [base, base + 1] {
                var geometric = g
                if row.isFullCircle {
                    geometric %= row.count
                    if geometric < 0 { geometric += row.count }
                } else if geometric < 0 || geometric >= row.count {
                    geometric = min(max(geometric, 0), row.count - 1)
                }
                let cell = row.firstCell + (row.direction > 0 ? geometric : row.count - 1 - geometric)
                let longitude = origin + (Double(geometric) + 0.5) * row.width
                let d = v - GeoPoint(latitude: row.centreLatitude, longitude: longitude).unitVector
                let chord = (d * d).sum()
                if chord < bestChord || (chord == bestChord && cell < best) {
                    bestChord = chord
                    best = cell
                }
            }
        }
        visitOutward(latitudes: latitudes, from: p.latitude, within: { bestChord }) { consider(rows[$0]) }
        return best
    }

    /// Visits indices of the ascending `latitudes` outward from `latitude` (alternately up
    /// and down) while the chord² lower bound of the latitude difference, 4·sin²(Δφ/2), is at
    /// most `within()` (the best chord² so far). The bound is computed once per run of equal
    /// latitudes (a grid row), not once per candidate.
    static func visitOutward(latitudes: [Double], from latitude: Double, within: () -> Double, _ visit: (Int) -> Void) {
        var lo = 0, hi = latitudes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if latitudes[mid] < latitude { lo = mid + 1 } else { hi = mid }
        }
        func bound(_ k: Int) -> Double {
            let s = 2 * sin(abs(latitudes[k] - latitude) * .pi / 360)
            return s * s
        }
        var upLatitude = Double.nan, upBound = 0.0, downLatitude = Double.nan, downBound = 0.0
        var up = lo, down = lo - 1
        while up < latitudes.count || down >= 0 {
            var progressed = false
            if up < latitudes.count {
                if latitudes[up] != upLatitude { upLatitude = latitudes[up]; upBound = bound(up) }
                if upBound <= within() { visit(up); up += 1; progressed = true } else { up = latitudes.count }
            }
            if down >= 0 {
                if latitudes[down] != downLatitude { downLatitude = latitudes[down]; downBound = bound(down) }
                if downBound <= within() { visit(down); down -= 1; progressed = true } else { down = -1 }
            }
            if !progressed { break }
        }
    }
}
