import Foundation
import PlumeConservation
import PlumeIO

/// One level of a real analysis as the shallow-water model's initial state: the height of
/// a pressure surface (500 hPa by default) from geopotential (`z`, m² s⁻²) or geopotential
/// height (`gh`, `zg`, `h`, m), with the winds (`u`, `v`) of that level when the file has
/// them. The file must already be on the model's Gaussian grid (the pipeline's `regrid`
/// stage puts any grid there); its other dimensions (ensemble member, time) are taken at
/// their first index.
public struct BarotropicAnalysis: Sendable {
    /// Height of the pressure surface, m, [nlat·nlon], rows north → south.
    public var heightM: [Double]
    /// Winds at the level, m s⁻¹, when the file has them.
    public var eastwardWind: [Double]?
    public var northwardWind: [Double]?
    /// Valid time of the analysis.
    public var time: CFDate
    /// What was read, for the output's attributes: `z at 500 hPa of FILE`.
    public var source: String

    /// Reads `path` for a model grid of `nlat` × `nlon` (latitudes north → south `latitudes`).
    public static func read(path: String, levelHPa: Double = 500, latitudes: [Double], nlon: Int) throws -> BarotropicAnalysis {
        func fail(_ why: String) -> BarotropicError { .invalidAnalysis(file: path, reason: why) }
        let dataset = try DatasetLoader.load(path).dataset
        let candidates: [(name: String, scale: Double)] = [("z", 1 / PhysicalConstants.shallowWaterGravity), ("gh", 1), ("zg", 1), ("h", 1)]
        guard let (heightVariable, scale) = candidates.lazy.compactMap({ c in dataset.variable(c.name).map { ($0, c.scale) } }).first else {
            throw fail("no geopotential (z, m2 s-2) or geopotential height (gh, zg or h, m): expected one of them")
        }
        let nlat = latitudes.count
        let dims = heightVariable.dimensions, shape = heightVariable.shape
        guard dims.count >= 2, shape.suffix(2) == [nlat, nlon] else {
            throw fail("\(heightVariable.name) is \(shape.map(String.init).joined(separator: "×")), expected a \(nlat)×\(nlon) Gaussian grid last: regrid the analysis to the model grid first")
        }
        guard let latitudeValues = dataset.variable(dims[dims.count - 2])?.data?.doubles, latitudeValues.count == nlat else {
            throw fail("no latitude coordinate \(dims[dims.count - 2])")
        }
        let flip = (latitudeValues.first ?? 0) < (latitudeValues.last ?? 0)
        let fileLatitudes = flip ? latitudeValues.reversed() : latitudeValues
        guard zip(fileLatitudes, latitudes).allSatisfy({ abs($0 - $1) < 0.01 }) else {
            throw fail("its latitudes are not the model's Gaussian latitudes: regrid the analysis to the model grid first")
        }
        // Index along the leading dimensions: the level nearest levelHPa on a pressure axis, 0 elsewhere.
        var index = [Int](repeating: 0, count: dims.count - 2)
        var levelNote = ""
        for (d, name) in dims.dropLast(2).enumerated() {
            guard let coordinate = dataset.variable(name), let values = coordinate.data?.doubles else { continue }
            let units = coordinate.units ?? ""
            let isPressure = ["isobaricInhPa", "level", "plev", "pressure", "lev"].contains(name) || units == "hPa" || units == "Pa"
            guard isPressure else { continue }
            let inHPa = values.map { units == "Pa" ? $0 / 100 : $0 }
            guard let best = inHPa.indices.min(by: { abs(inHPa[$0] - levelHPa) < abs(inHPa[$1] - levelHPa) }), abs(inHPa[best] - levelHPa) < 1 else {
                throw fail("no \(Int(levelHPa)) hPa level on \(name) (levels: \(inHPa.map { String(Int($0)) }.joined(separator: ", ")) hPa)")
            }
            index[d] = best
            levelNote = " at \(Int(levelHPa)) hPa"
        }
        let plane = nlat * nlon
        func slice(_ variable: Variable) throws -> [Double] {
            guard variable.dimensions == dims, variable.shape == shape, let values = variable.data?.doubles else {
                throw fail("\(variable.name) does not share the dimensions of \(heightVariable.name)")
            }
            var offset = 0
            for (d, i) in index.enumerated() { offset = offset * shape[d] + i }
            let field = Array(values[(offset * plane)..<((offset + 1) * plane)])
            guard flip else { return field }
            var out = [Double](repeating: 0, count: plane)
            for row in 0..<nlat { for column in 0..<nlon { out[row * nlon + column] = field[(nlat - 1 - row) * nlon + column] } }
            return out
        }
        let height = try slice(heightVariable).map { $0 * scale }
        guard height.allSatisfy({ $0.isFinite && $0 > 100 && $0 < 40_000 }) else {
            throw fail("\(heightVariable.name)\(levelNote) gives heights outside 100–40,000 m (missing values or wrong units?)")
        }
        var u: [Double]?, v: [Double]?
        if let uVariable = dataset.variable("u"), let vVariable = dataset.variable("v") {
            u = try slice(uVariable)
            v = try slice(vVariable)
        }
        // Valid time: `valid_time`, else `time`, at the time index.
        var time: CFDate?
        for name in ["valid_time", "time"] {
            guard let variable = dataset.variable(name), let units = variable.units, let values = variable.data?.doubles, !values.isEmpty,
                  let clock = try? CFTimeUnits(units: units, calendar: variable.attributes["calendar"]?.text) else { continue }
            let position = variable.dimensions.first.flatMap { dims.firstIndex(of: $0) }.map { index[$0] } ?? 0
            time = clock.date(values[min(position, values.count - 1)])
            break
        }
        guard let time else { throw fail("no time coordinate (valid_time or time with CF units)") }
        return BarotropicAnalysis(heightM: height, eastwardWind: u, northwardWind: v, time: time,
                                  source: "\(heightVariable.name)\(levelNote) of \((path as NSString).lastPathComponent)")
    }
}

/// Errors of the barotropic forecast.
public enum BarotropicError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAnalysis(file: String, reason: String)
    case blowUp(day: Double, maximumWind: Double)

    public var description: String {
        switch self {
        case .invalidAnalysis(let file, let reason): "\(file): \(reason)"
        case .blowUp(let day, let wind): "the forecast blew up at day \(day) (maximum wind \(wind) m/s)"
        }
    }
}
