import Foundation

/// The regions of a flux inversion: latitude bands, each with a land and an ocean factor.
/// Factor 2b scales the land flux of band b, factor 2b + 1 its ocean flux (CarbonBench and
/// CTDAS keep the two as separate flux fields, so no land mask is needed).
public struct FluxRegions: Sendable, Equatable {
    /// Band edges in degrees north, ascending, from −90 to 90.
    public let edgesDegrees: [Double]
    /// The band of each grid row.
    public let bandOfRow: [Int]
    public let latitudeCount: Int
    public let longitudeCount: Int

    /// - Parameters:
    ///   - edgesDegrees: ascending band edges from −90 to 90 (e.g. [−90, −45, −15, 15, 45, 90]).
    ///   - latitudes: the grid's row centres (degrees north, any order).
    ///   - longitudeCount: columns of the grid.
    /// - Throws: `AssimilationError.invalidSetting` for edges that do not cover −90…90 in
    ///   ascending order, or a band with no grid row.
    public init(edgesDegrees: [Double], latitudes: [Double], longitudeCount: Int) throws(AssimilationError) {
        guard edgesDegrees.count >= 2, edgesDegrees.first == -90, edgesDegrees.last == 90,
              zip(edgesDegrees, edgesDegrees.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidSetting(key: "region band edges", expected: "ascending latitudes from -90 to 90", found: "\(edgesDegrees)")
        }
        guard longitudeCount > 0, !latitudes.isEmpty else {
            throw .invalidSetting(key: "grid", expected: "at least one row and one column", found: "\(latitudes.count) × \(longitudeCount)")
        }
        let bands = latitudes.map { lat in max(0, min(edgesDegrees.count - 2, (edgesDegrees.lastIndex { $0 <= lat } ?? 0))) }
        for b in 0..<(edgesDegrees.count - 1) where !bands.contains(b) {
            throw .invalidSetting(key: "region band \(edgesDegrees[b])…\(edgesDegrees[b + 1])°", expected: "at least one grid row", found: "none")
        }
        self.edgesDegrees = edgesDegrees
        bandOfRow = bands
        latitudeCount = latitudes.count
        self.longitudeCount = longitudeCount
    }

    /// Latitude bands.
    public var bandCount: Int { edgesDegrees.count - 1 }
    /// Factors: a land and an ocean one per band.
    public var count: Int { 2 * bandCount }
    /// Whether factor `r` scales a land flux.
    public func isLand(_ r: Int) -> Bool { r % 2 == 0 }

    /// Names of the factors, e.g. "land 15N-45N".
    public var names: [String] {
        func label(_ x: Double) -> String { x == 0 ? "0" : String(format: "%g%@", abs(x), x < 0 ? "S" : "N") }
        return (0..<bandCount).flatMap { b in
            let band = "\(label(edgesDegrees[b]))-\(label(edgesDegrees[b + 1]))"
            return ["land \(band)", "ocean \(band)"]
        }
    }

    /// Centre of each factor's band (unit vector at the band's mid-latitude, 0°E), for the
    /// prior's correlations.
    public var centres: [SIMD3<Double>] {
        (0..<count).map { r in
            let b = r / 2
            return GreatCircle.unitVector(latitude: (edgesDegrees[b] + edgesDegrees[b + 1]) / 2, longitude: 0)
        }
    }

    /// The flux `land`·f_land(band) + `ocean`·f_ocean(band) per cell, fields [lat, lon].
    /// - Throws: `AssimilationError.shape` when the fields or factors have the wrong size.
    public func scaled(land: [Double], ocean: [Double], factors: [Double]) throws(AssimilationError) -> [Double] {
        let cells = latitudeCount * longitudeCount
        guard land.count == cells, ocean.count == cells, factors.count == count else {
            throw .shape(what: "the scaled fluxes", expected: "\(cells) land and ocean values [lat, lon] and \(count) factors",
                         found: "\(land.count), \(ocean.count) and \(factors.count)")
        }
        var out = [Double](repeating: 0, count: cells)
        for i in 0..<latitudeCount {
            let b = bandOfRow[i]
            for j in 0..<longitudeCount {
                let c = i * longitudeCount + j
                out[c] = land[c] * factors[2 * b] + ocean[c] * factors[2 * b + 1]
            }
        }
        return out
    }

    /// Σ flux × area of each factor's region (land or ocean part of its band): the regional
    /// totals whose posterior the inversion reports.
    public func totals(land: [Double], ocean: [Double], cellArea: [Double]) throws(AssimilationError) -> [Double] {
        let cells = latitudeCount * longitudeCount
        guard land.count == cells, ocean.count == cells, cellArea.count == cells else {
            throw .shape(what: "the regional totals", expected: "\(cells) values [lat, lon] each", found: "\(land.count), \(ocean.count), \(cellArea.count)")
        }
        var totals = [Double](repeating: 0, count: count)
        for i in 0..<latitudeCount {
            let b = bandOfRow[i]
            for j in 0..<longitudeCount {
                let c = i * longitudeCount + j
                totals[2 * b] += land[c] * cellArea[c]
                totals[2 * b + 1] += ocean[c] * cellArea[c]
            }
        }
        return totals
    }
}
