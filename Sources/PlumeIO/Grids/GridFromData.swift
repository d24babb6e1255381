import Foundation
import PlumeGrids

/// Recognises the grid of a dataset from its latitude/longitude coordinates: a regular
/// lat-lon grid (evenly spaced 1-D coordinates), a regular Gaussian grid (1-D latitudes
/// at the Gaussian latitudes of N = count/2) or a reduced Gaussian grid (points on rows of
/// Gaussian latitudes, as cfgrib and Plume write them).
public enum GridFromData {
    public static func grid(fromFile path: String) throws(GridError) -> any Grid {
        let loaded: DatasetLoader.Loaded
        do {
            loaded = try DatasetLoader.load(path)
        } catch {
            throw .unreadable(source: path, reason: "\(error)")
        }
        return try grid(from: loaded.dataset, source: path)
    }

    public static let latitudeNames = ["latitude", "lat", "nav_lat", "y"]
    public static let longitudeNames = ["longitude", "lon", "nav_lon", "x"]

    public static func grid(from dataset: Dataset, source: String) throws(GridError) -> any Grid {
        guard let lat = latitudeNames.lazy.compactMap({ dataset.variable($0) }).first,
              let lon = longitudeNames.lazy.compactMap({ dataset.variable($0) }).first,
              let latitudes = lat.data?.doubles, let longitudes = lon.data?.doubles else {
            throw .invalidDefinition(source: source, key: "latitude/longitude",
                                     reason: "no latitude and longitude coordinates with values (looked for \(latitudeNames) and \(longitudeNames))")
        }
        let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        if lat.dimensions.count == 1, lon.dimensions.count == 1, lat.dimensions != lon.dimensions {
            return try rectilinear(latitudes, longitudes, name: name, source: source)
        }
        if lat.dimensions == lon.dimensions, latitudes.count == longitudes.count {
            return try reduced(latitudes, longitudes, name: name, source: source)
        }
        throw .invalidDefinition(source: source, key: lat.name, reason: "latitude/longitude layout not recognised (dims \(lat.dimensions) and \(lon.dimensions))")
    }

    static func evenStep(_ values: [Double]) -> Double? {
        guard values.count >= 2 else { return nil }
        let step = (values[values.count - 1] - values[0]) / Double(values.count - 1)
        for i in 1..<values.count where abs(values[i] - values[i - 1] - step) > 1e-6 * max(1, abs(step)) { return nil }
        return step
    }

    static func gaussianN(_ latitudes: [Double]) -> Int? {
        guard latitudes.count % 2 == 0, latitudes.count >= 2 else { return nil }
        let n = latitudes.count / 2
        let expected = GaussianQuadrature.nodesAndWeights(2 * n).nodes.map { asin($0) * 180 / .pi }
        let descending = latitudes.first ?? 0 > latitudes.last ?? 0
        let given = descending ? latitudes : latitudes.reversed()
        for (a, b) in zip(given, expected) where abs(a - b) > 1e-4 { return nil }
        return descending ? n : nil
    }

    static func rectilinear(_ latitudes: [Double], _ longitudes: [Double], name: String, source: String) throws(GridError) -> any Grid {
        guard let lonStep = evenStep(longitudes) ?? (longitudes.count == 1 ? 360 : nil) else {
            throw .invalidDefinition(source: source, key: "longitude", reason: "longitudes are not evenly spaced")
        }
        if let n = gaussianN(latitudes), abs(lonStep * Double(longitudes.count) - 360) < 1e-6, longitudes.count == 4 * n {
            return try GaussianGrid(name: name, n: n, firstLongitude: longitudes[0])
        }
        guard let latStep = evenStep(latitudes) ?? (latitudes.count == 1 ? 0 : nil) else {
            throw .invalidDefinition(source: source, key: "latitude",
                                     reason: "latitudes are neither evenly spaced nor Gaussian (north to south)")
        }
        return try RegularLatLonGrid(name: name, firstLatitude: latitudes[0], latitudeStep: latStep, latitudeCount: latitudes.count,
                                     firstLongitude: longitudes[0], longitudeStep: lonStep, longitudeCount: longitudes.count)
    }

    static func reduced(_ latitudes: [Double], _ longitudes: [Double], name: String, source: String) throws(GridError) -> any Grid {
        var rowLatitudes: [Double] = []
        var counts: [Int] = []
        var firstLongitude: Double?
        for (i, lat) in latitudes.enumerated() {
            if let last = rowLatitudes.last, abs(last - lat) < 1e-9 {
                counts[counts.count - 1] += 1
            } else {
                rowLatitudes.append(lat)
                counts.append(1)
                if firstLongitude == nil { firstLongitude = longitudes[i] }
                else if abs(longitudes[i] - (firstLongitude ?? 0)) > 1e-6 {
                    throw .invalidDefinition(source: source, key: "longitude", reason: "rows do not all start at the same longitude")
                }
            }
        }
        guard let n = gaussianN(rowLatitudes) else {
            throw .invalidDefinition(source: source, key: "latitude", reason: "\(rowLatitudes.count) point rows are not at Gaussian latitudes (north to south)")
        }
        return try GaussianGrid(name: name, n: n, pointsPerRow: counts, firstLongitude: firstLongitude ?? 0)
    }
}

extension GridCatalog {
    /// The grid `nameOrPath` stands for: a catalogue name (`latlon5.625`), a `.yaml`
    /// definition file, or a GRIB/netCDF data file whose coordinates define the grid.
    public static func resolve(_ nameOrPath: String) throws(GridError) -> any Grid {
        let isDefinition = nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
        if !isDefinition, nameOrPath.contains("/") || FileManager.default.fileExists(atPath: nameOrPath) {
            return try GridFromData.grid(fromFile: nameOrPath)
        }
        return try grid(nameOrPath)
    }
}
