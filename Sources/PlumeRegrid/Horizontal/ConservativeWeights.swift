import Foundation
import PlumeSupport
import PlumeGrids

/// First-order conservative weights between grids made of rows of equal-width cells between
/// parallels (regular lat-lon, regular and reduced Gaussian, in any pairing).
///
/// The overlap of two such cells is itself a band, with the exact area
/// (sin φ_n − sin φ_s)·Δλ, so the weights S_ij = overlap_ij / area_i are exact to
/// round-off: the global integral is preserved and constant fields stay constant. The
/// sines of all row bounds are computed once, so overlaps of a cell add up to its area.
public enum ConservativeWeights {
    public static func make(from source: any BandedGrid, to destination: any BandedGrid) -> RemapWeights {
        let sourceRows = source.rows, destinationRows = destination.rows
        let sourceArea = source.cellAreas(), destinationArea = destination.cellAreas()
        // Source rows sorted by their southern bound, for the latitude overlap search.
        let order = sourceRows.indices.sorted { sourceRows[$0].south < sourceRows[$1].south }
        let sines = SineCache()

        // Links per destination row, built in parallel.
        var perRow = [[Link]](repeating: [], count: destinationRows.count)
        perRow.withUnsafeMutableBufferPointer { out in
            guard let start = out.baseAddress else { return }
            let shared = SharedMutablePointer(base: start)
            parallelFor(destinationRows.count) { r in
                let d = destinationRows[r]
                var links: [Link] = []
                let dSouth = sines.sin(d.south), dNorth = sines.sin(d.north)
                // First source row that may overlap: binary search on the southern bounds is not
                // enough for unsorted northern bounds; rows are disjoint, so scan from the first
                // row whose north exceeds d.south.
                var lo = 0, hi = order.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if sourceRows[order[mid]].north <= d.south { lo = mid + 1 } else { hi = mid }
                }
                var k = lo
                while k < order.count {
                    let s = sourceRows[order[k]]
                    if s.south >= d.north { break }
                    k += 1
                    let top = s.north < d.north ? sines.sin(s.north) : dNorth
                    let bottom = s.south > d.south ? sines.sin(s.south) : dSouth
                    let dSin = top - bottom
                    guard dSin > 0 else { continue }
                    overlapRow(destination: d, source: s, dSin: dSin, into: &links)
                }
                shared.base[r] = links
            }
        }

        var all: [(destination: Int, source: Int, weight: Double)] = []
        all.reserveCapacity(perRow.reduce(0) { $0 + $1.count })
        var destinationCovered = [Double](repeating: 0, count: destination.cellCount)
        var sourceCovered = [Double](repeating: 0, count: source.cellCount)
        for links in perRow {
            for l in links {
                all.append((l.destination, l.source, l.area / destinationArea[l.destination]))
                destinationCovered[l.destination] += l.area
                sourceCovered[l.source] += l.area
            }
        }
        for i in destinationCovered.indices { destinationCovered[i] /= destinationArea[i] }
        for j in sourceCovered.indices { sourceCovered[j] /= sourceArea[j] }
        return RemapWeights(method: .conservative, source: source, destination: destination, links: all,
                            sourceFraction: sourceCovered, destinationFraction: destinationCovered)
    }

    struct Link {
        var destination: Int
        var source: Int
        /// Overlap area on the unit sphere.
        var area: Double
    }

    /// Longitude overlaps of every cell of row `d` with the cells of row `s`.
    ///
    /// Positions are measured from the destination cell's western edge, and the last piece
    /// of a cell is what remains of its width, so a cell's pieces add up to its width to
    /// round-off of the width itself (not of the absolute longitude, which would cost
    /// ~1e-13 relative on small cells).
    static func overlapRow(destination d: CellRow, source s: CellRow, dSin: Double, into links: inout [Link]) {
        let radians = Double.pi / 180
        // Source cells in eastward order start at `origin`; geometric index g ↔ storage index.
        let origin = s.direction > 0 ? s.west : s.west - Double(s.count) * s.width
        let periodic = s.isFullCircle
        let tiny = 1e-12 * min(s.width, d.width)
        for k in 0..<d.count {
            var offset = d.westEdge(of: k) - origin
            if periodic {
                offset = offset.truncatingRemainder(dividingBy: 360)
                if offset < 0 { offset += 360 }
            }
            var g = Int((offset / s.width).rounded(.down))
            var covered = 0.0
            while covered < d.width {
                let boundary = Double(g + 1) * s.width - offset
                let last = boundary >= d.width - tiny
                let next = last ? d.width : boundary
                let piece = last ? d.width - covered : next - covered
                let inside = periodic || (g >= 0 && g < s.count)
                if piece > tiny, inside {
                    var geometric = g % s.count
                    if geometric < 0 { geometric += s.count }
                    let storage = s.direction > 0 ? geometric : s.count - 1 - geometric
                    links.append(Link(destination: d.firstCell + k, source: s.firstCell + storage,
                                      area: dSin * piece * radians))
                    covered = next
                } else if !inside || last {
                    covered = next
                }
                g += 1
            }
        }
    }

    /// sin of bound latitudes, computed once per distinct value so that shared bounds give
    /// identical sines (overlaps then telescope exactly).
    final class SineCache: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Double: Double] = [:]
        func sin(_ degrees: Double) -> Double {
            lock.lock()
            defer { lock.unlock() }
            if let v = values[degrees] { return v }
            let v = Sphere.sinDegrees(degrees)
            values[degrees] = v
            return v
        }
    }
}
