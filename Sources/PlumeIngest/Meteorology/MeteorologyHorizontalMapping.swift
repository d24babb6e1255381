import Foundation
import PlumeGrids
import PlumeRegrid

/// The cells of a `TransportGrid` as a banded grid (rows south to north, columns eastward
/// from the western edge), for building remapping weights to it.
struct TransportBandedGrid: BandedGrid {
    let name: String
    let rows: [CellRow]
    let shape: [Int]

    init(_ grid: TransportGrid, name: String = "transport") {
        self.name = name
        let degrees = 180 / Double.pi
        let edges = grid.latitudeEdges.map { $0 == .pi / 2 ? 90 : $0 == -.pi / 2 ? -90 : $0 * degrees }
        let west = grid.firstWestEdge * degrees, width = 360 / Double(grid.longitudeCount)
        rows = (0..<grid.latitudeCount).map { j in
            CellRow(south: edges[j], north: edges[j + 1], west: west, width: width, count: grid.longitudeCount,
                    firstCell: j * grid.longitudeCount, centreLatitude: grid.centreLatitude(row: j) * degrees, direction: 1)
        }
        shape = [grid.latitudeCount, grid.longitudeCount]
    }
}

/// Puts fields of one source grid on the transport grid: by reindexing when the source is
/// the same regular lat-lon grid in another order (rows north to south, longitudes
/// starting at −180 or decreasing), otherwise with first-order conservative weights
/// (`ConservativeWeights`, built once here and reused for every field).
struct MeteorologyHorizontalMapping: Sendable {
    enum Method: Sendable {
        /// Transport cell c takes source cell `sourceIndex[c]`.
        case reindex(sourceIndex: [Int])
        case conservative(Remapper)
    }

    let source: any BandedGrid
    let method: Method
    let sourceCount: Int
    let destinationCount: Int

    init(source: any BandedGrid, target: TransportGrid) {
        self.source = source
        sourceCount = source.cellCount
        destinationCount = target.cellCount
        if let g = source as? RegularLatLonGrid, let index = Self.reindexing(g, target) {
            method = .reindex(sourceIndex: index)
        } else {
            method = .conservative(Remapper(ConservativeWeights.make(from: source, to: TransportBandedGrid(target))))
        }
    }

    /// Whether the source is the transport grid in another order (no interpolation).
    var isReindexing: Bool {
        if case .reindex = method { return true }
        return false
    }

    /// The source index of every transport cell when `g` has the same cells as `target`
    /// (centres within 10⁻⁶°), nil otherwise.
    static func reindexing(_ g: RegularLatLonGrid, _ target: TransportGrid) -> [Int]? {
        let nlat = target.latitudeCount, nlon = target.longitudeCount
        guard g.latitudeCount == nlat, g.longitudeCount == nlon,
              abs(abs(g.longitudeStep) * Double(nlon) - 360) < 1e-6 else { return nil }
        let degrees = 180 / Double.pi, tolerance = 1e-6
        guard g.latitudeStep != 0 else { return nil }
        var rowOf = [Int](repeating: 0, count: nlat)
        for j in 0..<nlat {
            let south = target.latitudeEdges[j] * degrees, north = target.latitudeEdges[j + 1] * degrees
            let centre = target.centreLatitude(row: j) * degrees
            let i = ((centre - g.firstLatitude) / g.latitudeStep).rounded()
            guard i >= 0, i < Double(nlat) else { return nil }
            let row = g.rows[Int(i)]
            guard abs(row.centreLatitude - centre) < tolerance, abs(row.south - south) < tolerance,
                  abs(row.north - north) < tolerance else { return nil }
            rowOf[j] = Int(i)
        }
        var columnOf = [Int](repeating: 0, count: nlon)
        for i in 0..<nlon {
            let centre = target.centreLongitude(column: i) * degrees
            var offset = (centre - g.firstLongitude) / g.longitudeStep
            let whole = offset.rounded()
            guard abs(offset - whole) * abs(g.longitudeStep) < tolerance else { return nil }
            offset = whole.truncatingRemainder(dividingBy: Double(nlon))
            if offset < 0 { offset += Double(nlon) }
            columnOf[i] = Int(offset) % nlon
        }
        var index = [Int](repeating: 0, count: nlat * nlon)
        for j in 0..<nlat {
            for i in 0..<nlon { index[j * nlon + i] = rowOf[j] * nlon + columnOf[i] }
        }
        return index
    }

    /// Maps `count` fields `[count, sourceCells]` to `[count, transportCells]`.
    func apply(_ fields: [Double], count: Int, name: String) throws(IngestError) -> [Double] {
        guard fields.count == count * sourceCount else {
            throw .shapeMismatch(name: "\(name): \(count) field(s) on \(describeGrid(source))", expected: count * sourceCount, actual: fields.count)
        }
        switch method {
        case .reindex(let sourceIndex):
            var out = [Double](repeating: 0, count: count * destinationCount)
            for l in 0..<count {
                let s = l * sourceCount, d = l * destinationCount
                for c in 0..<destinationCount { out[d + c] = fields[s + sourceIndex[c]] }
            }
            return out
        case .conservative(let remapper):
            do {
                return try remapper.apply(fields: fields, count: count)
            } catch {
                throw .invalidValue(name: name, reason: "conservative remapping to the transport grid failed: \(error)")
            }
        }
    }
}
