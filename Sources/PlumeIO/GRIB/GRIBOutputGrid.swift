import Foundation

/// The grid of a field to be written as GRIB 2: a regular latitude-longitude grid or a
/// regular Gaussian grid, given by its row latitudes and column longitudes in Plume's grid
/// order (rows from the first latitude to the last, within a row from the first longitude
/// to the last — the order `GRIBGeometry` reads them back in).
///
/// Rows may run north to south or south to north and columns east or west: the scanning
/// mode written makes the message's data order equal to this order. Nothing is checked
/// here; `GRIBWriter` checks the grid when a field is appended and names the file and
/// message in its error.
public struct GRIBOutputGrid: Sendable, Hashable {
    /// The GRIB 2 grid type (`gridType`) to write.
    public enum Kind: Sendable, Hashable {
        /// `regular_ll`: evenly spaced latitudes and longitudes.
        case regularLatLon
        /// `regular_gg`: a run of the 2N latitudes of the Gaussian grid with Gaussian
        /// number `n`, evenly spaced longitudes.
        case regularGaussian(n: Int)
    }

    public var kind: Kind
    /// Latitude of each row, in degrees, in the order the values hold them.
    public var latitudes: [Double]
    /// Longitude of each column, in degrees, in the order the values hold them.
    public var longitudes: [Double]

    public init(kind: Kind, latitudes: [Double], longitudes: [Double]) {
        self.kind = kind
        self.latitudes = latitudes
        self.longitudes = longitudes
    }

    /// A regular latitude-longitude grid with these (evenly spaced) rows and columns.
    public static func regularLatLon(latitudes: [Double], longitudes: [Double]) -> GRIBOutputGrid {
        GRIBOutputGrid(kind: .regularLatLon, latitudes: latitudes, longitudes: longitudes)
    }

    /// A regular Gaussian grid with Gaussian number `n`. `latitudes` defaults to all 2N
    /// Gaussian latitudes north to south, `longitudes` to 4N evenly spaced from 0°.
    public static func regularGaussian(n: Int, latitudes: [Double]? = nil, longitudes: [Double]? = nil) -> GRIBOutputGrid {
        var lon: [Double] = []
        if let longitudes {
            lon = longitudes
        } else if n > 0 {
            let count = 4 * n
            lon = (0..<count).map { (i: Int) -> Double in Double(i) * 360 / Double(count) }
        }
        return GRIBOutputGrid(kind: .regularGaussian(n: n), latitudes: latitudes ?? gaussianLatitudes(n), longitudes: lon)
    }

    /// The grid with these rows and columns: regular lat-lon when the latitudes are evenly
    /// spaced, regular Gaussian (global, N = rows / 2) when they are the Gaussian
    /// latitudes in either order; nil when they are neither.
    public static func detect(latitudes: [Double], longitudes: [Double]) -> GRIBOutputGrid? {
        if isEvenlySpaced(latitudes) { return .regularLatLon(latitudes: latitudes, longitudes: longitudes) }
        let n = latitudes.count / 2
        if latitudes.count % 2 == 0, n > 0, n <= 8000 {
            let grid = GRIBOutputGrid.regularGaussian(n: n, latitudes: latitudes, longitudes: longitudes)
            if case .success = grid.keys() { return grid }
        }
        return nil
    }

    /// The grid of a field Plume read from GRIB, when it is a regular lat-lon or regular
    /// Gaussian grid (`GRIBGeometry.Layout.regular`); nil for other grids.
    public init?(geometry: GRIBGeometry) {
        guard case .regular(let lat, let lon) = geometry.layout, let grid = Self.detect(latitudes: lat, longitudes: lon) else { return nil }
        self = grid
    }

    /// `[rows, columns]`, the shape of one field on this grid.
    public var shape: [Int] { [latitudes.count, longitudes.count] }

    /// Number of grid points (rows × columns).
    public var pointCount: Int { latitudes.count * longitudes.count }

    /// A one-line description for error messages, e.g. `regular_ll 61 × 120`.
    public var summary: String {
        switch kind {
        case .regularLatLon: "regular_ll \(latitudes.count) × \(longitudes.count)"
        case .regularGaussian(let n): "regular_gg N\(n) \(latitudes.count) × \(longitudes.count)"
        }
    }

    /// Tolerance (degrees) for "evenly spaced" and for matching Gaussian latitudes: GRIB 2
    /// stores coordinates in micro-degrees.
    static let tolerance = 1e-5

    static func isEvenlySpaced(_ x: [Double]) -> Bool {
        guard x.count >= 2, let first = x.first, let last = x.last else { return x.count == 1 }
        let step = (last - first) / Double(x.count - 1)
        guard step != 0, step.isFinite else { return false }
        return x.indices.allSatisfy { abs(x[$0] - (first + Double($0) * step)) <= tolerance }
    }

    /// The section 3 keys of this grid, or why it cannot be written.
    func keys() -> Result<GRIBGridKeys, GRIBGridProblem> {
        let nj = latitudes.count, ni = longitudes.count
        guard nj > 0, ni > 0 else { return .failure(.init("the grid has \(nj) latitudes × \(ni) longitudes (expected at least one of each)")) }
        guard latitudes.allSatisfy({ $0.isFinite && abs($0) <= 90 + Self.tolerance }) else {
            return .failure(.init("latitudes must be finite and within ±90°"))
        }
        guard longitudes.allSatisfy({ $0.isFinite && abs($0) <= 720 }) else {
            return .failure(.init("longitudes must be finite and within ±720°"))
        }
        guard Self.isEvenlySpaced(longitudes) else {
            return .failure(.init("longitudes are not evenly spaced (expected a constant increment from \(longitudes[0])°)"))
        }
        let iNegative = ni > 1 && longitudes[ni - 1] < longitudes[0]
        let di = ni > 1 ? abs(longitudes[ni - 1] - longitudes[0]) / Double(ni - 1) : nil
        guard (di ?? 0) * Double(ni - 1) < 360 + Self.tolerance else {
            return .failure(.init("longitudes span \((di ?? 0) * Double(ni - 1))° (expected less than 360°: no repeated column)"))
        }
        let jPositive = nj > 1 && latitudes[nj - 1] > latitudes[0]
        // GRIB 2 longitudes are 0…360; the reader unwraps last < first.
        func wrapped(_ lon: Double) -> Double {
            let w = lon.truncatingRemainder(dividingBy: 360)
            return w < 0 ? w + 360 : w
        }
        var keys = GRIBGridKeys(
            gridType: "regular_ll", n: nil, ni: ni, nj: nj,
            latitudeOfFirst: latitudes[0], latitudeOfLast: latitudes[nj - 1],
            longitudeOfFirst: wrapped(longitudes[0]), longitudeOfLast: wrapped(longitudes[ni - 1]),
            iIncrement: di, jIncrement: nil, iScansNegatively: iNegative, jScansPositively: jPositive)
        switch kind {
        case .regularLatLon:
            guard Self.isEvenlySpaced(latitudes) else {
                return .failure(.init("latitudes are not evenly spaced (expected a constant increment from \(latitudes[0])° for regular_ll; Gaussian latitudes need .regularGaussian)"))
            }
            keys.jIncrement = nj > 1 ? abs(latitudes[nj - 1] - latitudes[0]) / Double(nj - 1) : nil
        case .regularGaussian(let n):
            guard n > 0, n <= 8000 else { return .failure(.init("Gaussian number N = \(n) (expected 1…8000)")) }
            var all = gaussianLatitudes(n)
            if jPositive { all.reverse() }
            guard nj <= all.count,
                  let start = all.indices.min(by: { abs(all[$0] - latitudes[0]) < abs(all[$1] - latitudes[0]) }),
                  start + nj <= all.count,
                  (0..<nj).allSatisfy({ abs(all[start + $0] - latitudes[$0]) <= 1e-4 })
            else {
                return .failure(.init("the \(nj) latitudes are not a run of the \(2 * n) Gaussian latitudes of N = \(n) (in either order)"))
            }
            keys.gridType = "regular_gg"
            keys.n = n
        }
        return .success(keys)
    }
}

/// The section 3 keys of a `GRIBOutputGrid`, checked and ready to set.
struct GRIBGridKeys: Sendable, Equatable {
    var gridType: String
    var n: Int?
    var ni: Int
    var nj: Int
    var latitudeOfFirst: Double
    var latitudeOfLast: Double
    var longitudeOfFirst: Double
    var longitudeOfLast: Double
    /// Increments in degrees; nil with a single column (row).
    var iIncrement: Double?
    var jIncrement: Double?
    var iScansNegatively: Bool
    var jScansPositively: Bool
}

/// Why a `GRIBOutputGrid` cannot be written.
struct GRIBGridProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
