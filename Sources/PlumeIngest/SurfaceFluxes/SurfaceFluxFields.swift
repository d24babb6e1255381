import PlumeGrids
import PlumeSupport

/// Which parts of the surface CO2 flux a tracer receives (CarbonBench's
/// `co2flux_land`, `co2flux_ocean`, `co2flux_anthro`).
public struct SurfaceFluxComponents: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let land = SurfaceFluxComponents(rawValue: 1)
    public static let ocean = SurfaceFluxComponents(rawValue: 2)
    public static let anthropogenic = SurfaceFluxComponents(rawValue: 4)
    public static let all: SurfaceFluxComponents = [.land, .ocean, .anthropogenic]
}

/// Surface CO2 fluxes on a `TransportGrid`, kg CO2 m⁻² s⁻¹ (positive upward: into the
/// atmosphere), each `[lat, lon]` (rows south to north). When returned by a
/// `SurfaceFluxProvider` they are the **mean over an interval**, so that F·A·Δt is the
/// exact mass that enters a cell during it.
public struct SurfaceFluxFields: Sendable, Equatable {
    public let latitudeCount: Int
    public let longitudeCount: Int
    /// Biosphere (net ecosystem exchange incl. fires), `co2flux_land`.
    public var land: [Double]
    /// Air-sea exchange, `co2flux_ocean`.
    public var ocean: [Double]
    /// Fossil fuel and cement, `co2flux_anthro`.
    public var anthropogenic: [Double]

    /// Checks shapes (`[lat, lon]` each) and finiteness.
    public init(grid: TransportGrid, land: [Double], ocean: [Double], anthropogenic: [Double]) throws(IngestError) {
        for (name, field) in [("co2flux_land", land), ("co2flux_ocean", ocean), ("co2flux_anthro", anthropogenic)] {
            guard field.count == grid.cellCount else {
                throw .shapeMismatch(name: "\(name) [lat, lon]", expected: grid.cellCount, actual: field.count)
            }
            if let bad = field.firstIndex(where: { !$0.isFinite }) {
                throw .invalidValue(name: name, reason: "\(field[bad]) kg m⁻² s⁻¹ at cell \(bad)")
            }
        }
        self.init(unchecked: grid.latitudeCount, grid.longitudeCount, land: land, ocean: ocean, anthropogenic: anthropogenic)
    }

    package init(unchecked nlat: Int, _ nlon: Int, land: [Double], ocean: [Double], anthropogenic: [Double]) {
        latitudeCount = nlat
        longitudeCount = nlon
        self.land = land
        self.ocean = ocean
        self.anthropogenic = anthropogenic
    }

    /// No flux.
    public static func zero(grid: TransportGrid) -> SurfaceFluxFields {
        let z = [Double](repeating: 0, count: grid.cellCount)
        return SurfaceFluxFields(unchecked: grid.latitudeCount, grid.longitudeCount, land: z, ocean: z, anthropogenic: z)
    }

    /// The sum of the selected components, kg CO2 m⁻² s⁻¹, `[lat, lon]`.
    public func total(_ components: SurfaceFluxComponents = .all) -> [Double] {
        var out = [Double](repeating: 0, count: land.count)
        if components.contains(.land) { for c in out.indices { out[c] += land[c] } }
        if components.contains(.ocean) { for c in out.indices { out[c] += ocean[c] } }
        if components.contains(.anthropogenic) { for c in out.indices { out[c] += anthropogenic[c] } }
        return out
    }

    /// Global rate of the selected components, kg CO2 s⁻¹: Σ F·A (compensated sum).
    public func globalRate(_ components: SurfaceFluxComponents = .all, grid: TransportGrid) -> Double {
        let f = total(components), areas = grid.cellAreas()
        return compensatedSum(zip(f, areas).map { $0 * $1 })
    }
}

/// A source of surface CO2 fluxes for the transport model.
public protocol SurfaceFluxProvider: Sendable {
    /// The fluxes averaged over the interval [`start`, `end`] (seconds of model time),
    /// kg CO2 m⁻² s⁻¹, on the model grid.
    func meanFluxes(from start: Double, to end: Double) throws(IngestError) -> SurfaceFluxFields
}

/// Surface fluxes given as arrays (e.g. read from files): records held constant over
/// consecutive intervals, record n covering [`start` + n·`interval`, `start` + (n+1)·`interval`).
/// The mean over any interval is the time-weighted mean of the records it overlaps, so the
/// mass entering over a run is exactly Σ F·A·(overlap). With `cyclic` the records repeat
/// (e.g. one climatological year); otherwise times outside them are an error.
public struct SurfaceFluxArrays: SurfaceFluxProvider {
    public let grid: TransportGrid
    public let records: [SurfaceFluxFields]
    /// Start of record 0, s of model time.
    public let start: Double
    /// Length of every record, s.
    public let interval: Double
    public let cyclic: Bool

    public init(grid: TransportGrid, records: [SurfaceFluxFields], start: Double = 0, interval: Double,
                cyclic: Bool = false) throws(IngestError) {
        guard !records.isEmpty else { throw .invalidValue(name: "flux records", reason: "need at least one") }
        guard interval > 0, interval.isFinite else {
            throw .invalidValue(name: "flux interval", reason: "\(interval) s is not positive")
        }
        guard start.isFinite else { throw .invalidValue(name: "flux start", reason: "\(start) s is not finite") }
        for (n, r) in records.enumerated() where r.latitudeCount != grid.latitudeCount || r.longitudeCount != grid.longitudeCount {
            throw .shapeMismatch(name: "flux record \(n) [lat, lon]", expected: grid.cellCount,
                                 actual: r.latitudeCount * r.longitudeCount)
        }
        self.grid = grid
        self.records = records
        self.start = start
        self.interval = interval
        self.cyclic = cyclic
    }

    public func meanFluxes(from t0: Double, to t1: Double) throws(IngestError) -> SurfaceFluxFields {
        guard t0.isFinite, t1.isFinite, t1 >= t0 else {
            throw .invalidValue(name: "flux interval", reason: "[\(t0), \(t1)] s is not an interval")
        }
        let n = records.count
        let first = Int(((t0 - start) / interval).rounded(.down))
        // A zero-length interval takes the record it lies in.
        let last = t1 > t0 ? Int(((t1 - start) / interval).rounded(.up)) - 1 : first
        var land = [Double](repeating: 0, count: grid.cellCount), ocean = land, anthro = land
        for r in first...max(first, last) {
            let lo = max(t0, start + Double(r) * interval), hi = min(t1, start + Double(r + 1) * interval)
            let w = t1 > t0 ? max(hi - lo, 0) / (t1 - t0) : 1
            if w == 0 { continue }
            var index = r
            if cyclic {
                index = ((r % n) + n) % n
            } else if r < 0 || r >= n {
                throw .invalidValue(name: "flux time",
                                    reason: "[\(t0), \(t1)] s reaches beyond the records (\(start) … \(start + Double(n) * interval) s)")
            }
            let rec = records[index]
            for c in land.indices {
                land[c] += w * rec.land[c]
                ocean[c] += w * rec.ocean[c]
                anthro[c] += w * rec.anthropogenic[c]
            }
        }
        return SurfaceFluxFields(unchecked: grid.latitudeCount, grid.longitudeCount, land: land, ocean: ocean, anthropogenic: anthro)
    }
}
