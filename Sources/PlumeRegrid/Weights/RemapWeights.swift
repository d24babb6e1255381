import PlumeGrids

/// How weights were made.
public enum RemapMethod: String, Sendable, Codable, CaseIterable {
    /// First-order conservative: S = overlap area / destination area.
    case conservative
    /// Bilinear in latitude and longitude (periodic in longitude, across the poles).
    case bilinear
    /// Nearest source cell centre (great-circle distance).
    case nearest
}

/// A remapping as a sparse matrix: `destination[i] = Σ_k weights[k] · source[sourceIndex[k]]`
/// for k in `rowStart[i] ..< rowStart[i+1]` (compressed rows by destination cell).
///
/// Indices are 0-based cell indices in each grid's cell order. Areas are on the unit
/// sphere (steradians). For conservative weights `destinationFraction[i]` is the part of
/// destination cell i covered by source cells (1 inside a global source grid) and
/// `sourceFraction[j]` the part of source cell j that lands in destination cells.
public struct RemapWeights: Sendable, Equatable {
    public var method: RemapMethod
    public var sourceCount: Int
    public var destinationCount: Int
    /// Field shapes of the grids ([lat, lon] or [cells]); SCRIP's `grid_dims`.
    public var sourceShape: [Int]
    public var destinationShape: [Int]
    /// destinationCount + 1 offsets into `sourceIndex` and `weights`.
    public var rowStart: [Int]
    public var sourceIndex: [Int32]
    public var weights: [Double]
    public var sourceArea: [Double]
    public var destinationArea: [Double]
    public var sourceFraction: [Double]
    public var destinationFraction: [Double]

    public init(method: RemapMethod, sourceCount: Int, destinationCount: Int, sourceShape: [Int], destinationShape: [Int],
                rowStart: [Int], sourceIndex: [Int32], weights: [Double], sourceArea: [Double], destinationArea: [Double],
                sourceFraction: [Double], destinationFraction: [Double]) {
        self.method = method
        self.sourceCount = sourceCount
        self.destinationCount = destinationCount
        self.sourceShape = sourceShape
        self.destinationShape = destinationShape
        self.rowStart = rowStart
        self.sourceIndex = sourceIndex
        self.weights = weights
        self.sourceArea = sourceArea
        self.destinationArea = destinationArea
        self.sourceFraction = sourceFraction
        self.destinationFraction = destinationFraction
    }

    /// Number of stored links (non-zeros).
    public var linkCount: Int { weights.count }

    /// Builds the compressed rows from links in any order (duplicates are summed).
    public init(method: RemapMethod, source: any Grid, destination: any Grid,
                links: [(destination: Int, source: Int, weight: Double)],
                sourceFraction: [Double]? = nil, destinationFraction: [Double]? = nil) {
        let nd = destination.cellCount
        var counts = [Int](repeating: 0, count: nd + 1)
        for l in links { counts[l.destination + 1] += 1 }
        for i in 0..<nd { counts[i + 1] += counts[i] }
        var fill = counts
        var index = [Int32](repeating: 0, count: links.count)
        var w = [Double](repeating: 0, count: links.count)
        for l in links {
            let k = fill[l.destination]
            index[k] = Int32(l.source)
            w[k] = l.weight
            fill[l.destination] += 1
        }
        let sourceArea = source.cellAreas(), destinationArea = destination.cellAreas()
        self.init(method: method, sourceCount: source.cellCount, destinationCount: nd, sourceShape: source.shape,
                  destinationShape: destination.shape, rowStart: counts, sourceIndex: index, weights: w,
                  sourceArea: sourceArea, destinationArea: destinationArea,
                  sourceFraction: sourceFraction ?? [Double](repeating: 1, count: source.cellCount),
                  destinationFraction: destinationFraction ?? [Double](repeating: 1, count: nd))
    }
}
