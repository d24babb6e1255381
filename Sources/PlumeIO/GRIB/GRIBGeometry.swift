import Synchronization

/// Where the points of a GRIB grid are, and in which order the message stores them.
///
/// Plume puts values in *grid order*: for regular grids rows from the first latitude
/// toward the last and, within a row, from the first longitude toward the last (the
/// scanning mode, including alternate-row "boustrophedonic" scanning and column-major
/// storage, is undone); for other grids the order of the message.
public struct GRIBGeometry: Sendable, Equatable {
    public enum Layout: Sendable, Equatable {
        /// A lat-lon product grid: `[latitude, longitude]` with 1-D coordinates.
        case regular(latitudes: [Double], longitudes: [Double])
        /// Points on latitude rows of varying length (reduced Gaussian), or any other
        /// grid known only point by point.
        case points(count: Int)
        /// A 2-D structured grid without 1-D coordinates (Lambert, polar stereographic…): `[y, x]`.
        case curvilinear(ny: Int, nx: Int)
    }

    public var layout: Layout
    /// `gridIndexOfDataPoint[k]` is where the k-th value of the message goes in grid
    /// order; nil when the message is already in grid order.
    public var gridIndexOfDataPoint: [Int]?
    private let points: PointCoordinates

    /// Latitude and longitude of every point, in degrees, in grid order. For a regular
    /// layout they are the product of its 1-D coordinates, spelt out on first use (and
    /// kept): readers of regular grids need only the 1-D coordinates.
    public var latitudes: [Double] { points.expanded.lat }
    public var longitudes: [Double] { points.expanded.lon }

    public var pointCount: Int { points.count }

    init(layout: Layout, latitudes: [Double], longitudes: [Double], gridIndexOfDataPoint: [Int]?) {
        self.layout = layout
        self.gridIndexOfDataPoint = gridIndexOfDataPoint
        points = PointCoordinates(.points(lat: latitudes, lon: longitudes))
    }

    /// A regular lat-lon product grid (`layout` `.regular`), its points spelt out lazily.
    init(regularLatitudes latitudes: [Double], longitudes: [Double], gridIndexOfDataPoint: [Int]?) {
        layout = .regular(latitudes: latitudes, longitudes: longitudes)
        self.gridIndexOfDataPoint = gridIndexOfDataPoint
        points = PointCoordinates(.product(lat: latitudes, lon: longitudes))
    }

    public static func == (a: GRIBGeometry, b: GRIBGeometry) -> Bool {
        guard a.layout == b.layout, a.gridIndexOfDataPoint == b.gridIndexOfDataPoint else { return false }
        if a.points === b.points { return true }
        if case .product(let la, let lo) = a.points.source, case .product(let lb, let ob) = b.points.source {
            return la == lb && lo == ob
        }
        return a.latitudes == b.latitudes && a.longitudes == b.longitudes
    }

    /// The shape of one field on this grid: `[nlat, nlon]`, `[ny, nx]` or `[npoints]`.
    public var shape: [Int] {
        switch layout {
        case .regular(let lat, let lon): [lat.count, lon.count]
        case .points(let n): [n]
        case .curvilinear(let ny, let nx): [ny, nx]
        }
    }

    /// Computes the geometry of `grid`. Regular lat-lon, regular and reduced Gaussian
    /// grids and Lambert conformal grids on a spherical earth are computed from the grid
    /// definition; other grids come from ecCodes' geo-iterator through `iterate`.
    static func make(
        _ grid: GRIBGridDefinition,
        iterate: () -> Result<(lat: [Double], lon: [Double]), ECCodesFailure>
    ) throws(GeometryError) -> GRIBGeometry {
        switch grid.gridType {
        case "regular_ll":
            return try regular(grid, latitudes: nil)
        case "regular_gg":
            return try regular(grid, latitudes: try gaussianRows(grid))
        case "reduced_gg":
            if let g = try reducedGaussian(grid) { return g }
        case "lambert":
            if let projection = grid.lambert { return try lambert(grid, projection) }
        default:
            break
        }
        switch iterate() {
        case .success(let (lat, lon)):
            if let ni = grid.ni, let nj = grid.nj, ni * nj == grid.numberOfPoints, ni > 0, nj > 0 {
                return GRIBGeometry(layout: .curvilinear(ny: nj, nx: ni), latitudes: lat, longitudes: lon, gridIndexOfDataPoint: nil)
            }
            return GRIBGeometry(layout: .points(count: lat.count), latitudes: lat, longitudes: lon, gridIndexOfDataPoint: nil)
        case .failure(let f):
            throw .geoIterator(f.message)
        }
    }

    private static func regular(_ grid: GRIBGridDefinition, latitudes given: [Double]?) throws(GeometryError) -> GRIBGeometry {
        guard let ni = grid.ni, let nj = grid.nj, ni > 0, nj > 0, ni * nj == grid.numberOfPoints else {
            throw .inconsistent("Ni × Nj = \(grid.ni.map(String.init) ?? "missing") × \(grid.nj.map(String.init) ?? "missing") (expected their product to equal numberOfPoints \(grid.numberOfPoints))")
        }
        guard let lat0 = grid.latitudeOfFirstPoint, let lat1 = grid.latitudeOfLastPoint,
              let lon0 = grid.longitudeOfFirstPoint, var lon1 = grid.longitudeOfLastPoint,
              abs(lat0) <= 90.001, abs(lat1) <= 90.001
        else { throw .inconsistent("first/last grid point latitudes and longitudes missing or beyond ±90°") }

        let latitudes: [Double]
        if let given {
            latitudes = given
        } else {
            latitudes = (0..<nj).map { j in nj == 1 ? lat0 : lat0 + Double(j) * (lat1 - lat0) / Double(nj - 1) }
        }
        guard latitudes.count == nj else { throw .inconsistent("\(latitudes.count) Gaussian rows, expected Nj = \(nj)") }
        if !grid.iScansNegatively && lon1 < lon0 { lon1 += 360 }
        if grid.iScansNegatively && lon1 > lon0 { lon1 -= 360 }
        var longitudes = (0..<ni).map { i in ni == 1 ? lon0 : lon0 + Double(i) * (lon1 - lon0) / Double(ni - 1) }
        if longitudes.contains(where: { $0 >= 360 }) { longitudes = longitudes.map { $0 - 360 } }

        var order: [Int]? = nil
        if grid.jPointsAreConsecutive || grid.alternativeRowScanning {
            // Stored value k = (outer, inner) in scanning order; no divisions.
            let map = [Int](unsafeUninitializedCapacity: ni * nj) { out, count in
                var k = 0
                if grid.jPointsAreConsecutive {
                    for col in 0..<ni {
                        let reversed = grid.alternativeRowScanning && col % 2 == 1
                        for r in 0..<nj {
                            out[k] = (reversed ? nj - 1 - r : r) * ni + col
                            k += 1
                        }
                    }
                } else {
                    for row in 0..<nj {
                        let reversed = grid.alternativeRowScanning && row % 2 == 1
                        for c in 0..<ni {
                            out[k] = row * ni + (reversed ? ni - 1 - c : c)
                            k += 1
                        }
                    }
                }
                count = ni * nj
            }
            order = map
        }
        return GRIBGeometry(regularLatitudes: latitudes, longitudes: longitudes, gridIndexOfDataPoint: order)
    }

    /// A Lambert conformal grid on a sphere: `[y, x]`, rows from the first point northward
    /// and points eastward as ecCodes' geo-iterator lists them (see `GRIBLambertConformal`),
    /// stored values reordered into that order when the scanning mode differs.
    private static func lambert(_ grid: GRIBGridDefinition, _ p: GRIBLambertConformal) throws(GeometryError) -> GRIBGeometry {
        let (count, overflow) = p.nx.multipliedReportingOverflow(by: p.ny)
        guard p.nx > 0, p.ny > 0, !overflow, count == grid.numberOfPoints else {
            throw .inconsistent("Lambert Nx × Ny = \(p.nx) × \(p.ny) (expected their product to equal numberOfPoints \(grid.numberOfPoints))")
        }
        let (lat, lon) = try p.coordinates()
        let order = GRIBLambertConformal.dataOrder(
            nx: p.nx, ny: p.ny, iScansNegatively: grid.iScansNegatively, jScansPositively: grid.jScansPositively,
            jPointsAreConsecutive: grid.jPointsAreConsecutive, alternativeRowScanning: grid.alternativeRowScanning)
        return GRIBGeometry(layout: .curvilinear(ny: p.ny, nx: p.nx), latitudes: lat, longitudes: lon, gridIndexOfDataPoint: order)
    }

    /// Rows of a regular Gaussian grid from the first latitude toward the last.
    private static func gaussianRows(_ grid: GRIBGridDefinition) throws(GeometryError) -> [Double] {
        guard let n = grid.gaussianN, n > 0, n <= 8000, let nj = grid.nj, nj <= 2 * n, let lat0 = grid.latitudeOfFirstPoint else {
            throw .inconsistent("Gaussian number N missing (expected N > 0)")
        }
        var all = gaussianLatitudes(n)
        if grid.jScansPositively { all.reverse() }
        // GRIB stores the first latitude rounded (to 1e-3° in GRIB 1, 1e-6° in GRIB 2).
        guard let start = all.indices.min(by: { abs(all[$0] - lat0) < abs(all[$1] - lat0) }), abs(all[start] - lat0) < 0.01,
              start + nj <= all.count
        else { throw .inconsistent("first latitude \(lat0) with Nj = \(nj) is not a run of the N = \(n) Gaussian latitudes") }
        return Array(all[start..<(start + nj)])
    }

    /// Global reduced Gaussian grids (rows of `pl` points from longitude 0); nil for
    /// sub-areas, which are left to the geo-iterator.
    private static func reducedGaussian(_ grid: GRIBGridDefinition) throws(GeometryError) -> GRIBGeometry? {
        guard let pl = grid.pl, let n = grid.gaussianN, n > 0, n <= 8000, let lon0 = grid.longitudeOfFirstPoint,
              let lon1 = grid.longitudeOfLastPoint, let lat0 = grid.latitudeOfFirstPoint
        else { throw .inconsistent("reduced Gaussian grid without pl array or N") }
        guard pl.reduce(0, +) == grid.numberOfPoints, pl.allSatisfy({ $0 > 0 }) else {
            throw .inconsistent("sum of pl is \(pl.reduce(0, +)) (expected numberOfPoints \(grid.numberOfPoints))")
        }
        let maxPl = pl.max() ?? 1
        let isGlobal = pl.count == 2 * n && abs(lon0) < 1e-6 && abs(lon1 + 360 / Double(maxPl) - 360) < 0.01
        guard isGlobal, !grid.jScansPositively else { return nil }
        let rows = gaussianLatitudes(n)
        guard abs(rows[0] - lat0) < 0.01 else { return nil }
        var lat: [Double] = []
        var lon: [Double] = []
        lat.reserveCapacity(grid.numberOfPoints)
        lon.reserveCapacity(grid.numberOfPoints)
        for (j, count) in pl.enumerated() {
            for i in 0..<count {
                lat.append(rows[j])
                lon.append(Double(i) * 360 / Double(count))
            }
        }
        return GRIBGeometry(layout: .points(count: lat.count), latitudes: lat, longitudes: lon, gridIndexOfDataPoint: nil)
    }

    enum GeometryError: Error {
        case inconsistent(String)
        case geoIterator(String)

        var message: String {
            switch self {
            case .inconsistent(let s): "grid definition: \(s)"
            case .geoIterator(let s): "ecCodes geo-iterator: \(s)"
            }
        }
    }
}

/// The latitude and longitude of every point of a geometry: given point by point, or the
/// product of 1-D coordinates, spelt out (once, thread-safely) when first asked for.
private final class PointCoordinates: Sendable {
    enum Source {
        case points(lat: [Double], lon: [Double])
        case product(lat: [Double], lon: [Double])
    }

    let source: Source
    private let spelt = Mutex<(lat: [Double], lon: [Double])?>(nil)

    init(_ source: Source) { self.source = source }

    var count: Int {
        switch source {
        case .points(let lat, _): lat.count
        case .product(let lat, let lon): lat.count * lon.count
        }
    }

    var expanded: (lat: [Double], lon: [Double]) {
        switch source {
        case .points(let lat, let lon):
            return (lat, lon)
        case .product(let rows, let columns):
            return spelt.withLock { cached in
                if let cached { return cached }
                let ni = columns.count, n = rows.count * ni
                var lat = [Double](repeating: 0, count: n)
                var lon = [Double](repeating: 0, count: n)
                for (j, row) in rows.enumerated() {
                    for i in 0..<ni {
                        lat[j * ni + i] = row
                        lon[j * ni + i] = columns[i]
                    }
                }
                cached = (lat, lon)
                return (lat, lon)
            }
        }
    }
}
