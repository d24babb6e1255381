import Foundation
import PlumeGrids

/// A CO2 observing site of a twin experiment: where it is and how it samples.
public struct CO2Site: Sendable, Equatable {
    /// How a site samples: a flask once a week, or a continuous analyser (one value a day).
    public enum Sampling: String, Sendable {
        case flask, continuous
    }
    public var code: String
    public var latitude: Double
    public var longitude: Double
    public var sampling: Sampling

    public init(code: String, latitude: Double, longitude: Double, sampling: Sampling) {
        self.code = code
        self.latitude = latitude
        self.longitude = longitude
        self.sampling = sampling
    }
}

/// Station-like CO2 sites for twin experiments: the approximate positions of 90 surface
/// sites of NOAA's Global Greenhouse Gas Reference Network, ICOS and WMO GAW (codes as
/// those networks name them). Remote marine and polar sites sample flasks; the towers and
/// the main observatories are continuous. The positions are rounded to 0.01° and serve to
/// place synthetic observations where real ones are; they are not a site catalogue.
public enum CO2SiteNetwork {
    public static let surfaceSites: [CO2Site] = [
        // Arctic and boreal.
        .init(code: "ALT", latitude: 82.45, longitude: -62.51, sampling: .continuous),
        .init(code: "ZEP", latitude: 78.91, longitude: 11.89, sampling: .continuous),
        .init(code: "SUM", latitude: 72.60, longitude: -38.42, sampling: .flask),
        .init(code: "BRW", latitude: 71.32, longitude: -156.61, sampling: .continuous),
        .init(code: "TIK", latitude: 71.59, longitude: 128.92, sampling: .flask),
        .init(code: "PAL", latitude: 67.97, longitude: 24.12, sampling: .continuous),
        .init(code: "STM", latitude: 66.00, longitude: 2.00, sampling: .flask),
        .init(code: "ICE", latitude: 63.40, longitude: -20.29, sampling: .flask),
        .init(code: "NOY", latitude: 63.43, longitude: 75.78, sampling: .continuous),
        .init(code: "IGR", latitude: 63.19, longitude: 64.41, sampling: .continuous),
        .init(code: "SVB", latitude: 64.26, longitude: 19.77, sampling: .continuous),
        .init(code: "ZOT", latitude: 60.80, longitude: 89.35, sampling: .continuous),
        .init(code: "NOR", latitude: 60.09, longitude: 17.48, sampling: .continuous),
        .init(code: "SIS", latitude: 60.09, longitude: -1.25, sampling: .flask),
        .init(code: "DEM", latitude: 59.79, longitude: 70.87, sampling: .continuous),
        .init(code: "KRS", latitude: 58.25, longitude: 82.42, sampling: .continuous),
        .init(code: "CBA", latitude: 55.21, longitude: -162.72, sampling: .flask),
        .init(code: "LLB", latitude: 54.95, longitude: -112.45, sampling: .continuous),
        .init(code: "ETL", latitude: 54.35, longitude: -104.99, sampling: .continuous),
        .init(code: "BIK", latitude: 53.23, longitude: 23.03, sampling: .continuous),
        .init(code: "MHD", latitude: 53.33, longitude: -9.90, sampling: .continuous),
        .init(code: "SHM", latitude: 52.71, longitude: 174.13, sampling: .flask),
        .init(code: "CBW", latitude: 51.97, longitude: 4.93, sampling: .continuous),
        .init(code: "OXK", latitude: 50.03, longitude: 11.81, sampling: .continuous),
        .init(code: "FSD", latitude: 49.88, longitude: -81.57, sampling: .continuous),
        .init(code: "KRE", latitude: 49.57, longitude: 15.08, sampling: .continuous),
        .init(code: "JFJ", latitude: 46.55, longitude: 7.99, sampling: .continuous),
        // Northern mid-latitudes.
        .init(code: "LEF", latitude: 45.95, longitude: -90.27, sampling: .continuous),
        .init(code: "HUN", latitude: 46.95, longitude: 16.65, sampling: .flask),
        .init(code: "PUY", latitude: 45.77, longitude: 2.97, sampling: .continuous),
        .init(code: "AMT", latitude: 45.03, longitude: -68.68, sampling: .continuous),
        .init(code: "UUM", latitude: 44.45, longitude: 111.10, sampling: .flask),
        .init(code: "KZD", latitude: 44.45, longitude: 75.57, sampling: .flask),
        .init(code: "BSC", latitude: 44.17, longitude: 28.68, sampling: .flask),
        .init(code: "EGB", latitude: 44.23, longitude: -79.78, sampling: .continuous),
        .init(code: "MBO", latitude: 43.98, longitude: -121.69, sampling: .continuous),
        .init(code: "HFM", latitude: 42.54, longitude: -72.17, sampling: .continuous),
        .init(code: "CIB", latitude: 41.81, longitude: -4.93, sampling: .flask),
        .init(code: "THD", latitude: 41.05, longitude: -124.15, sampling: .flask),
        .init(code: "SDZ", latitude: 40.65, longitude: 117.12, sampling: .flask),
        .init(code: "NWR", latitude: 40.05, longitude: -105.58, sampling: .flask),
        .init(code: "UTA", latitude: 39.90, longitude: -113.72, sampling: .flask),
        .init(code: "RYO", latitude: 39.03, longitude: 141.82, sampling: .continuous),
        .init(code: "AZR", latitude: 38.77, longitude: -27.38, sampling: .flask),
        .init(code: "SNP", latitude: 38.62, longitude: -78.35, sampling: .continuous),
        .init(code: "TAP", latitude: 36.73, longitude: 126.13, sampling: .flask),
        .init(code: "SGP", latitude: 36.60, longitude: -97.49, sampling: .continuous),
        .init(code: "WLG", latitude: 36.29, longitude: 100.90, sampling: .flask),
        .init(code: "LMP", latitude: 35.52, longitude: 12.62, sampling: .flask),
        .init(code: "SCT", latitude: 33.41, longitude: -81.83, sampling: .continuous),
        .init(code: "HLE", latitude: 32.78, longitude: 78.96, sampling: .flask),
        .init(code: "BMW", latitude: 32.27, longitude: -64.88, sampling: .flask),
        .init(code: "WKT", latitude: 31.31, longitude: -97.33, sampling: .continuous),
        .init(code: "WIS", latitude: 30.86, longitude: 34.78, sampling: .flask),
        .init(code: "IZO", latitude: 28.31, longitude: -16.50, sampling: .flask),
        .init(code: "MID", latitude: 28.21, longitude: -177.38, sampling: .flask),
        .init(code: "KEY", latitude: 25.67, longitude: -80.16, sampling: .flask),
        .init(code: "MNM", latitude: 24.29, longitude: 153.98, sampling: .continuous),
        .init(code: "YON", latitude: 24.47, longitude: 123.01, sampling: .continuous),
        .init(code: "LLN", latitude: 23.47, longitude: 120.87, sampling: .flask),
        .init(code: "ASK", latitude: 23.26, longitude: 5.63, sampling: .flask),
        // Tropics.
        .init(code: "MLO", latitude: 19.54, longitude: -155.58, sampling: .continuous),
        .init(code: "MEX", latitude: 18.98, longitude: -97.31, sampling: .flask),
        .init(code: "GMI", latitude: 13.39, longitude: 144.66, sampling: .flask),
        .init(code: "RPB", latitude: 13.17, longitude: -59.43, sampling: .flask),
        .init(code: "PON", latitude: 12.01, longitude: 79.86, sampling: .flask),
        .init(code: "CHR", latitude: 1.70, longitude: -157.15, sampling: .flask),
        .init(code: "MKN", latitude: -0.06, longitude: 37.30, sampling: .flask),
        .init(code: "BKT", latitude: -0.20, longitude: 100.32, sampling: .flask),
        .init(code: "ATT", latitude: -2.14, longitude: -59.00, sampling: .continuous),
        .init(code: "SAN", latitude: -2.86, longitude: -54.96, sampling: .flask),
        .init(code: "SEY", latitude: -4.68, longitude: 55.53, sampling: .flask),
        .init(code: "NAT", latitude: -5.51, longitude: -35.26, sampling: .flask),
        .init(code: "ASC", latitude: -7.97, longitude: -14.40, sampling: .flask),
        .init(code: "GPA", latitude: -12.25, longitude: 131.04, sampling: .continuous),
        .init(code: "SMO", latitude: -14.25, longitude: -170.56, sampling: .continuous),
        .init(code: "NMB", latitude: -23.58, longitude: 15.03, sampling: .flask),
        .init(code: "EIC", latitude: -27.16, longitude: -109.43, sampling: .flask),
        // Southern extratropics and Antarctica.
        .init(code: "CPT", latitude: -34.35, longitude: 18.49, sampling: .continuous),
        .init(code: "AMS", latitude: -37.80, longitude: 77.53, sampling: .continuous),
        .init(code: "CGO", latitude: -40.68, longitude: 144.69, sampling: .continuous),
        .init(code: "BHD", latitude: -41.41, longitude: 174.87, sampling: .flask),
        .init(code: "CRZ", latitude: -46.43, longitude: 51.85, sampling: .flask),
        .init(code: "MQA", latitude: -54.48, longitude: 158.97, sampling: .flask),
        .init(code: "USH", latitude: -54.85, longitude: -68.31, sampling: .flask),
        .init(code: "PSA", latitude: -64.92, longitude: -64.00, sampling: .flask),
        .init(code: "MAA", latitude: -67.62, longitude: 62.87, sampling: .flask),
        .init(code: "SYO", latitude: -69.00, longitude: 39.58, sampling: .flask),
        .init(code: "HBA", latitude: -75.61, longitude: -26.21, sampling: .flask),
        .init(code: "SPO", latitude: -89.98, longitude: -24.80, sampling: .continuous),
    ]

    /// The index (row × columns + column) of the cell of global `grid` whose centre is
    /// nearest `site`.
    public static func cell(of site: CO2Site, on grid: RegularLatLonGrid) -> Int {
        let row = max(0, min(grid.latitudeCount - 1, Int(((site.latitude - grid.firstLatitude) / grid.latitudeStep).rounded())))
        var lon = (site.longitude - grid.firstLongitude).truncatingRemainder(dividingBy: 360)
        if lon < 0 { lon += 360 }
        return row * grid.longitudeCount + Int((lon / grid.longitudeStep).rounded()) % grid.longitudeCount
    }

    /// `sites` with at most one per cell of global `grid` (the first in the list), for grids
    /// too coarse to tell nearby sites apart.
    public static func onePerCell(_ sites: [CO2Site], on grid: RegularLatLonGrid) -> [CO2Site] {
        var seen = Set<Int>()
        return sites.filter { seen.insert(cell(of: $0, on: grid)).inserted }
    }
}
