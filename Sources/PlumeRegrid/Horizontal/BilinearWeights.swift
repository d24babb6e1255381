import Foundation
import PlumeSupport
import PlumeGrids

/// Bilinear weights from a banded source grid (regular lat-lon, regular or reduced
/// Gaussian) to the cell centres of any destination grid.
///
/// A destination point between two source rows is interpolated linearly in latitude
/// between the rows, and within each row linearly in longitude between the two nearest
/// cell centres (periodically on full-circle rows; each row may have its own point
/// count, as on reduced Gaussian grids). Beyond the outermost row of a global grid the
/// pole is the other end: its value is the mean of the outermost row, so the weights stay
/// continuous across the pole. Points outside a regional source get no weights.
public enum BilinearWeights {
    public static func make(from source: any BandedGrid, to destination: any Grid) -> RemapWeights {
        let rows = source.rows.sorted { $0.centreLatitude < $1.centreLatitude }
        let global = source.isGlobal
        let points = destination.centres()
        var perPoint = [[(Int, Double)]](repeating: [], count: points.count)
        perPoint.withUnsafeMutableBufferPointer { out in
            guard let start = out.baseAddress else { return }
            let shared = SharedMutablePointer(base: start)
            let chunks = max(1, min(64, points.count / 256))
            parallelFor(chunks) { c in
                let lo = points.count * c / chunks, hi = points.count * (c + 1) / chunks
                for i in lo..<hi { shared.base[i] = weights(at: points[i], rows: rows, global: global) }
            }
        }
        var links: [(destination: Int, source: Int, weight: Double)] = []
        links.reserveCapacity(points.count * 4)
        var fraction = [Double](repeating: 0, count: points.count)
        for (i, entries) in perPoint.enumerated() {
            for (j, w) in entries where w != 0 { links.append((i, j, w)) }
            fraction[i] = entries.isEmpty ? 0 : 1
        }
        return RemapWeights(method: .bilinear, source: source, destination: destination, links: links,
                            destinationFraction: fraction)
    }

    /// Source cells and weights for one point (weights sum to 1), or none outside the grid.
    static func weights(at p: GeoPoint, rows: [CellRow], global: Bool) -> [(Int, Double)] {
        guard let first = rows.first, let last = rows.last else { return [] }
        let phi = p.latitude
        // Row above: the first row whose centre latitude is ≥ phi.
        var lo = 0, hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if rows[mid].centreLatitude < phi { lo = mid + 1 } else { hi = mid }
        }
        if lo == 0 || lo == rows.count {
            // Between the outermost row and the pole (or exactly on the outermost row).
            let row = lo == 0 ? first : last
            if phi == row.centreLatitude { return along(row, p.longitude) ?? [] }
            guard global else { return [] }
            let pole = lo == 0 ? -90.0 : 90.0
            guard let onRow = along(row, p.longitude) else { return [] }
            let t = (phi - row.centreLatitude) / (pole - row.centreLatitude)  // 0 on the row, 1 at the pole
            var out = onRow.map { ($0.0, $0.1 * (1 - t)) }
            let share = t / Double(row.count)
            for k in 0..<row.count { out.append((row.firstCell + k, share)) }
            return out
        }
        let south = rows[lo - 1], north = rows[lo]
        guard let a = along(south, p.longitude), let b = along(north, p.longitude) else { return [] }
        let t = (phi - south.centreLatitude) / (north.centreLatitude - south.centreLatitude)
        return a.map { ($0.0, $0.1 * (1 - t)) } + b.map { ($0.0, $0.1 * t) }
    }

    /// Linear interpolation in longitude between the two cell centres of `row` around `lambda`.
    static func along(_ row: CellRow, _ lambda: Double) -> [(Int, Double)]? {
        let origin = row.direction > 0 ? row.west : row.west - Double(row.count) * row.width
        // Position in units of cells from the first (geometric) centre.
        var x = (lambda - origin) / row.width - 0.5
        if row.isFullCircle {
            let n = Double(row.count)
            x = x.truncatingRemainder(dividingBy: n)
            if x < 0 { x += n }
            let g0 = Int(x.rounded(.down)) % row.count
            let g1 = (g0 + 1) % row.count
            let f = x - x.rounded(.down)
            return [(storage(row, g0), 1 - f), (storage(row, g1), f)]
        }
        guard x >= -1e-9, x <= Double(row.count - 1) + 1e-9 else { return nil }
        let clamped = min(max(x, 0), Double(row.count - 1))
        let g0 = min(Int(clamped.rounded(.down)), row.count - 1)
        let g1 = min(g0 + 1, row.count - 1)
        let f = clamped - Double(g0)
        return g0 == g1 ? [(storage(row, g0), 1)] : [(storage(row, g0), 1 - f), (storage(row, g1), f)]
    }

    @inline(__always)
    static func storage(_ row: CellRow, _ geometric: Int) -> Int {
        row.firstCell + (row.direction > 0 ? geometric : row.count - 1 - geometric)
    }
}
