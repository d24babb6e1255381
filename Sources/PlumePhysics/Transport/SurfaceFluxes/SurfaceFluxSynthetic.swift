import Foundation
import PlumeConservation
import PlumeIngest
import PlumeGrids
import PlumeSupport

/// Built-in synthetic surface CO2 fluxes (kg CO2 m⁻² s⁻¹, positive into the atmosphere) with
/// **known global totals**, on the land mask of `SurfaceFluxLandMask`.
///
/// Model time t is seconds since 00 UTC on 1 January of a 365-day year (`year`); all time
/// dependence is a sum of sinusoids whose frequencies are whole multiples of 1/year, so the
/// fluxes are periodic with one year and `meanFluxes` integrates them analytically over any
/// interval (mean of cos(ωt + θ) over [t₀, t₁] = cos(ω t_mid + θ)·sinc(ω(t₁ − t₀)/2)).
///
/// - **land** (biosphere), on the vegetated fraction w of each cell:
///   F = w·[n − a_d(φ)·(1 + c(φ)·s(φ)·cos ω_y(t − t_p))·cos H − a_s(φ)·s(φ)·cos ω_y(t − t_p)],
///   with the hour angle H = ω_d t + λ − π (zero at local solar noon): uptake by day and
///   release at night, strongest in the growing season; the seasonal term takes up CO2 in
///   the hemisphere's summer (NH peak uptake on day `peakUptakeDay`, SH half a year later:
///   s(φ) = tanh(φ/10°) flips the sign across the equator). a_d = `diurnalAmplitude`·(0.4 +
///   0.6 cos²φ), a_s = `seasonalAmplitude`·(1 − e^{−(φ/35°)²}), c = 0.8·(1 − e^{−(φ/30°)²}).
///   The diurnal and seasonal parts integrate to zero over the year (frequencies 365, 364,
///   366 and 1 per year); the constant n is set so the vegetated land as a whole takes up
///   exactly `totals.land` per year.
/// - **ocean**: constant uptake on the ocean fraction 1 − f, weighted 0.3 + sin²φ (more at
///   middle and high latitudes), scaled to `totals.ocean` per year.
/// - **anthropogenic**: constant, Gaussian blobs over the northern mid-latitude industrial
///   regions (eastern North America, Europe, European Russia, India, China, Japan and
///   Korea), scaled to `totals.anthropogenic` per year.
///
/// The scalings use the discrete sums Σ weight·A over the model grid, so the annual total of
/// each component on that grid equals the stated value to round-off (not only in the limit
/// of fine grids).
public struct SyntheticSurfaceFluxes: SurfaceFluxProvider {
    /// Length of the synthetic year, s (365 days).
    public static let year = 365 * PhysicalConstants.day
    /// kg CO2 per PgC (CarbonBench: PgCO2 → PgC ÷ 3.664).
    public static let kilogramsCO2PerPetagramCarbon = 1e12 * 3.664

    /// Global totals per 365-day year, PgC yr⁻¹ (negative: uptake).
    public struct AnnualTotals: Sendable, Equatable {
        public var land: Double
        public var ocean: Double
        public var anthropogenic: Double
        public init(land: Double, ocean: Double, anthropogenic: Double) {
            self.land = land
            self.ocean = ocean
            self.anthropogenic = anthropogenic
        }
        /// Roughly the 2010s budget: land −2.0, ocean −2.5, fossil +10.0 PgC yr⁻¹ (net +5.5 PgC
        /// yr⁻¹ ≈ +2.6 ppm yr⁻¹ in the atmosphere).
        public static let standard = AnnualTotals(land: -2.0, ocean: -2.5, anthropogenic: 10.0)
        public var net: Double { land + ocean + anthropogenic }
    }

    /// A Gaussian emission centre: longitude, latitude and width (degrees of great-circle
    /// distance), relative weight.
    public struct EmissionCentre: Sendable, Equatable {
        public var longitude, latitude, width, weight: Double
        public init(_ longitude: Double, _ latitude: Double, width: Double, weight: Double) {
            self.longitude = longitude
            self.latitude = latitude
            self.width = width
            self.weight = weight
        }
    }

    /// The built-in industrial regions.
    public static let industrialRegions: [EmissionCentre] = [
        EmissionCentre(-82, 39, width: 6, weight: 0.22),   // eastern North America
        EmissionCentre(8, 50, width: 6, weight: 0.20),     // Europe
        EmissionCentre(38, 55, width: 5, weight: 0.06),    // European Russia
        EmissionCentre(78, 24, width: 5, weight: 0.10),    // India
        EmissionCentre(116, 33, width: 7, weight: 0.34),   // China
        EmissionCentre(132, 36, width: 3, weight: 0.08),   // Japan and Korea
    ]

    public let grid: TransportGrid
    public let totals: AnnualTotals
    /// Land fraction of each cell (`[lat, lon]`, 0…1).
    public let landFraction: [Double]
    /// Vegetated land fraction of each cell (`[lat, lon]`, 0…1), the weight of the biosphere flux.
    public let vegetatedFraction: [Double]
    /// Peak amplitude of the diurnal biosphere cycle, kg CO2 m⁻² s⁻¹ (2.5·10⁻⁷ ≈ 5.7 µmol m⁻² s⁻¹).
    public let diurnalAmplitude: Double
    /// Amplitude of the seasonal biosphere cycle poleward of ~35°, kg CO2 m⁻² s⁻¹.
    public let seasonalAmplitude: Double
    /// Day of the year (0 = 1 January) of the strongest northern-hemisphere uptake.
    public let peakUptakeDay: Double

    // Per-cell coefficients, [lat, lon], kg CO2 m⁻² s⁻¹.
    private let landNet: [Double]
    private let diurnal: [Double]
    private let diurnalSeasonal: [Double]
    private let seasonal: [Double]
    private let ocean: [Double]
    private let anthropogenic: [Double]

    public init(grid: TransportGrid, totals: AnnualTotals = .standard, mask: SurfaceFluxLandMask = .earthLike,
                diurnalAmplitude: Double = 2.5e-7, seasonalAmplitude: Double = 1.2e-7, peakUptakeDay: Double = 196,
                emissionCentres: [EmissionCentre] = SyntheticSurfaceFluxes.industrialRegions) throws(TransportError) {
        for (name, v) in [("land total", totals.land), ("ocean total", totals.ocean), ("anthropogenic total", totals.anthropogenic),
                          ("diurnal amplitude", diurnalAmplitude), ("seasonal amplitude", seasonalAmplitude),
                          ("peak uptake day", peakUptakeDay)] where !v.isFinite {
            throw .invalidValue(name: name, reason: "\(v) is not finite")
        }
        guard !emissionCentres.isEmpty, emissionCentres.allSatisfy({ $0.width > 0 && $0.weight >= 0 }) else {
            throw .invalidValue(name: "emission centres", reason: "need at least one, with positive widths and non-negative weights")
        }
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let (land, veg) = mask.fractions(grid: grid)
        let areas = grid.cellAreas()
        let degree = Double.pi / 180
        var diurnal = [Double](repeating: 0, count: grid.cellCount), diurnalSeasonal = diurnal, seasonal = diurnal
        var oceanShape = diurnal, anthroShape = diurnal
        for j in 0..<nlat {
            let phi = grid.centreLatitude(row: j), phiDeg = phi / degree
            let s = tanh(phiDeg / 10)
            let ad = diurnalAmplitude * (0.4 + 0.6 * cos(phi) * cos(phi))
            let asz = seasonalAmplitude * (1 - exp(-(phiDeg / 35) * (phiDeg / 35)))
            let c = 0.8 * (1 - exp(-(phiDeg / 30) * (phiDeg / 30)))
            let oceanWeight = 0.3 + sin(phi) * sin(phi)
            for i in 0..<nlon {
                let cell = j * nlon + i
                diurnal[cell] = veg[cell] * ad
                diurnalSeasonal[cell] = veg[cell] * ad * c * s
                seasonal[cell] = veg[cell] * asz * s
                oceanShape[cell] = (1 - land[cell]) * oceanWeight
                let lambda = grid.centreLongitude(column: i)
                var e = 0.0
                for centre in emissionCentres {
                    let p0 = centre.latitude * degree, l0 = centre.longitude * degree
                    let cosd = min(1, max(-1, sin(phi) * sin(p0) + cos(phi) * cos(p0) * cos(lambda - l0)))
                    let d = acos(cosd) / degree / centre.width
                    e += centre.weight * exp(-0.5 * d * d)
                }
                anthroShape[cell] = e
            }
        }
        func integral(_ w: [Double]) -> Double { compensatedSum(zip(w, areas).map { $0 * $1 }) }
        let vegArea = integral(veg), oceanIntegral = integral(oceanShape), anthroIntegral = integral(anthroShape)
        guard vegArea > 0, oceanIntegral > 0, anthroIntegral > 0 else {
            throw .invalidValue(name: "land mask", reason: "the grid has no vegetated land, no ocean or no emission region")
        }
        let perYear = Self.kilogramsCO2PerPetagramCarbon / Self.year
        let nLand = totals.land * perYear / vegArea
        let kOcean = totals.ocean * perYear / oceanIntegral
        let kAnthro = totals.anthropogenic * perYear / anthroIntegral
        self.grid = grid
        self.totals = totals
        landFraction = land
        vegetatedFraction = veg
        self.diurnalAmplitude = diurnalAmplitude
        self.seasonalAmplitude = seasonalAmplitude
        self.peakUptakeDay = peakUptakeDay
        landNet = veg.map { $0 * nLand }
        self.diurnal = diurnal
        self.diurnalSeasonal = diurnalSeasonal
        self.seasonal = seasonal
        ocean = oceanShape.map { $0 * kOcean }
        anthropogenic = anthroShape.map { $0 * kAnthro }
    }

    /// The stated global total of `component` over one 365-day year, kg CO2 (the sum of
    /// the components of `components`).
    public func annualTotal(_ components: SurfaceFluxComponents = .all) -> Double {
        var pgc = 0.0
        if components.contains(.land) { pgc += totals.land }
        if components.contains(.ocean) { pgc += totals.ocean }
        if components.contains(.anthropogenic) { pgc += totals.anthropogenic }
        return pgc * Self.kilogramsCO2PerPetagramCarbon
    }

    /// sin(x)/x.
    @inline(__always)
    private static func sinc(_ x: Double) -> Double { abs(x) < 1e-8 ? 1 - x * x / 6 : sin(x) / x }

    public func meanFluxes(from t0: Double, to t1: Double) throws(IngestError) -> SurfaceFluxFields {
        guard t0.isFinite, t1.isFinite, t1 >= t0 else {
            throw .invalidValue(name: "flux interval", reason: "[\(t0), \(t1)] s is not an interval")
        }
        let nlat = grid.latitudeCount, nlon = grid.longitudeCount
        let year = Self.year
        let wy = 2 * Double.pi / year, wd = 2 * Double.pi / PhysicalConstants.day
        let half = 0.5 * (t1 - t0)
        // Every frequency is a whole multiple of 1/year: reduce the mid time modulo the year.
        var tm = (0.5 * (t0 + t1)).truncatingRemainder(dividingBy: year)
        if tm < 0 { tm += year }
        let tp = peakUptakeDay * PhysicalConstants.day
        let season = cos(wy * (tm - tp)) * Self.sinc(wy * half)
        let sincD = Self.sinc(wd * half), sincPlus = Self.sinc((wd + wy) * half), sincMinus = Self.sinc((wd - wy) * half)
        var land = landNet
        for i in 0..<nlon {
            let lambda = grid.centreLongitude(column: i)
            let meanCosH = cos(wd * tm + lambda - .pi) * sincD
            let meanProduct = 0.5 * (cos((wd + wy) * tm + lambda - .pi - wy * tp) * sincPlus
                + cos((wd - wy) * tm + lambda - .pi + wy * tp) * sincMinus)
            for j in 0..<nlat {
                let c = j * nlon + i
                land[c] -= diurnal[c] * meanCosH + diurnalSeasonal[c] * meanProduct + seasonal[c] * season
            }
        }
        return SurfaceFluxFields(unchecked: nlat, nlon, land: land, ocean: ocean, anthropogenic: anthropogenic)
    }
}
