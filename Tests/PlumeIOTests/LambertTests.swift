import Foundation
@testable import PlumeIO
import Testing

/// Lambert conformal grids are computed by Plume from the grid definition (not by
/// ecCodes' geo-iterator) and match `grib_get_data` point for point: the sample file and
/// variants of it made with `grib_set` (scanning modes, secant cone, GRIB 2 earth shapes).
@Suite struct LambertTests {
    /// `lambert_grid.grib` changed by `grib_set` steps (each a `-s` list, applied in turn).
    static let variants: [String: [String]] = [
        "sample": [],
        "jScansNegatively": ["jScansPositively=0"],
        "iScansNegatively": ["iScansNegatively=1"],
        "jPointsAreConsecutive": ["jPointsAreConsecutive=1"],
        "secant": ["Latin1=30000,Latin2=60000"],
        "grib2-shape0": ["centre=98,table2Version=128,indicatorOfParameter=167,indicatorOfTypeOfLevel=1", "edition=2"],
        "grib2-shape6": ["centre=98,table2Version=128,indicatorOfParameter=167,indicatorOfTypeOfLevel=1", "edition=2",
                         "shapeOfTheEarth=6"],
        "grib2-shape1": ["centre=98,table2Version=128,indicatorOfParameter=167,indicatorOfTypeOfLevel=1", "edition=2",
                         "shapeOfTheEarth=1,scaleFactorOfRadiusOfSphericalEarth=1,scaledValueOfRadiusOfSphericalEarth=63710000"],
        "grib2-oblate": ["centre=98,table2Version=128,indicatorOfParameter=167,indicatorOfTypeOfLevel=1", "edition=2",
                         "shapeOfTheEarth=5"],
        "south": ["latitudeOfFirstGridPoint=-60000,Latin1=-54000,Latin2=-54000"],
    ]

    static func variant(_ name: String, in folder: TemporaryFolder) throws -> String {
        var path = try SampleData.path("lambert_grid.grib")
        for (k, step) in (variants[name] ?? []).enumerated() {
            let out = folder.file("\(name)-\(k).grib")
            try Shell.run("grib_set", ["-s", step, path, out])
            path = out
        }
        return path
    }

    @Test(arguments: ["sample", "jScansNegatively", "iScansNegatively", "jPointsAreConsecutive", "secant",
                      "grib2-shape0", "grib2-shape6", "grib2-shape1", "grib2-oblate"])
    func everyPointMatchesGribGetData(_ name: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try Self.variant(name, in: folder)
        let file = try GRIBFile(path: path)
        let grid = try #require(file.messages.first).grid
        if name == "grib2-oblate" {
            // Oblate earth: left to ecCodes' geo-iterator.
            #expect(grid.lambert == nil)
        } else {
            let projection = try #require(grid.lambert, "\(name): Lambert keys not read")
            let expectedRadius: Double = ["grib2-shape6": 6_371_229.0, "grib2-shape1": 6_371_000.0][name] ?? 6_367_470
            #expect(projection.earthRadius == expectedRadius)
            let geometry = try GRIBGeometry.make(grid) {
                Issue.record("\(name): the geo-iterator was asked for a spherical Lambert grid")
                return .failure(ECCodesFailure(message: "not expected"))
            }
            #expect(geometry.shape == [475, 475])
            #expect((geometry.gridIndexOfDataPoint == nil) == (name != "jScansNegatively" && name != "iScansNegatively" && name != "jPointsAreConsecutive"))
        }
        let field = try file.decode(0)
        let reference = try GRIBGeometryTests.gribGetData(path)
        #expect(reference.count == field.values.count)
        var bad = 0
        for k in 0..<min(reference.count, field.values.count) {
            let p = reference[k]
            let valueOK = p.value.isNaN ? field.values[k].isNaN : abs(Double(field.values[k]) - p.value) <= 1e-6 * max(1, abs(p.value))
            if !valueOK || abs(field.geometry.latitudes[k] - p.lat) > 1e-6
                || !GRIBGeometryTests.sameLongitude(field.geometry.longitudes[k], p.lon) {
                bad += 1
            }
        }
        #expect(bad == 0, "\(name): \(bad) of \(field.values.count) points differ from grib_get_data")
        #expect(field.geometry.longitudes.allSatisfy { $0 >= 0 && $0 <= 360 })
    }

    /// Southern hemisphere (n < 0): ecCodes 2.28 computes wrong coordinates there (fixed in
    /// 2.35, ECC-1364), so the check is the first grid point and a plain scalar inverse.
    @Test func southernHemisphere() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = try GRIBFile(path: try Self.variant("south", in: folder))
        let p = try #require(file.messages.first?.grid.lambert)
        let (lat, lon) = try p.coordinates()
        #expect(abs(lat[0] - -60) < 1e-9 && abs(lon[0] - 354.998) < 1e-9, "first point (\(lat[0]), \(lon[0]))")
        #expect(Self.maxDifference(p, lat, lon) < 1e-9)
        // Rows go south to north from the first point as in the northern hemisphere case.
        #expect(lat[p.nx * (p.ny - 1)] > lat[0])
    }

    /// The vectorised elementary functions against libm, on grids from near the pole to
    /// the equator in both hemispheres, tangent and secant cones.
    /// Grids are drawn from a fixed seed, and as real Lambert grids are: the first point lies
    /// within 60° of longitude of the orientation meridian, so a grid never straddles the
    /// cone's cut opposite that meridian (where the two inverses legitimately pick different
    /// branches of the longitude).
    @Test func vectorisedInverseMatchesLibm() throws {
        var generator = RobustnessTests.SplitMix64(state: 20261129)
        for trial in 0..<40 {
            let south = trial % 2 == 1
            let s: Double = south ? -1 : 1
            let latin1 = s * Double.random(in: 5...85, using: &generator)
            let latin2 = trial % 3 == 0 ? latin1 : s * Double.random(in: 5...85, using: &generator)
            let orientation = Double.random(in: -180...360, using: &generator)
            let p = GRIBLambertConformal(
                nx: Int.random(in: 1...97, using: &generator), ny: Int.random(in: 1...61, using: &generator),
                latitudeOfFirstPoint: s * Double.random(in: 0...50, using: &generator),
                longitudeOfFirstPoint: orientation + Double.random(in: -60...60, using: &generator),
                latitudeOfTrueScale: latin1, orientation: orientation,
                latin1: latin1, latin2: latin2,
                dx: Double.random(in: 1000...60000, using: &generator), dy: Double.random(in: 1000...30000, using: &generator),
                earthRadius: 6_371_229)
            let (lat, lon) = try p.coordinates()
            let d = Self.maxDifference(p, lat, lon)
            #expect(d < 1e-9, "trial \(trial): \(p) differs from libm by \(d)°")
        }
    }

    /// Rows long enough to span several anchors (libm every 128th point) and row counts that
    /// leave part of the last group of sixteen rows empty, fine and coarse grid lengths (the
    /// short and the long series): still libm's inverse to 1e-9°.
    @Test func longRowsMatchLibm() throws {
        var generator = RobustnessTests.SplitMix64(state: 20261130)
        for trial in 0..<12 {
            let south = trial % 2 == 1
            let s: Double = south ? -1 : 1
            let latin1 = s * Double.random(in: 20...70, using: &generator)
            let orientation = Double.random(in: -180...360, using: &generator)
            let coarse = trial % 3 == 2
            let dx = coarse ? Double.random(in: 20000...40000, using: &generator) : Double.random(in: 1000...6000, using: &generator)
            let nx = coarse ? Int.random(in: 150...250, using: &generator) : Int.random(in: 300...700, using: &generator)
            let p = GRIBLambertConformal(
                nx: nx, ny: Int.random(in: 17...40, using: &generator),
                latitudeOfFirstPoint: s * Double.random(in: 10...40, using: &generator),
                longitudeOfFirstPoint: orientation - Double(nx) * dx / 2 / 111_000 * 0.8,
                latitudeOfTrueScale: latin1, orientation: orientation, latin1: latin1,
                latin2: trial % 4 == 0 ? latin1 : latin1 + s * 10,
                dx: dx, dy: dx, earthRadius: 6_371_229)
            let (lat, lon) = try p.coordinates()
            let d = Self.maxDifference(p, lat, lon)
            #expect(d < 1e-9, "trial \(trial): \(p) differs from libm by \(d)°")
        }
    }

    @Test func inconsistentDefinitionsAreRefused() {
        let good = GRIBLambertConformal(nx: 4, ny: 3, latitudeOfFirstPoint: 40, longitudeOfFirstPoint: 0, latitudeOfTrueScale: 45,
                                        orientation: 0, latin1: 45, latin2: 45, dx: 1000, dy: 1000, earthRadius: 6_371_229)
        #expect(throws: Never.self) { try good.coordinates() }
        var opposite = good
        (opposite.latin1, opposite.latin2) = (30, -30)
        var noRadius = good
        noRadius.earthRadius = 0
        var badLatitude = good
        badLatitude.latitudeOfFirstPoint = 91
        var badDx = good
        badDx.dx = -5
        for bad in [opposite, noRadius, badLatitude, badDx] {
            #expect(throws: GRIBGeometry.GeometryError.self) { try bad.coordinates() }
        }
        var grid = GRIBGridDefinition(gridType: "lambert", numberOfPoints: 13, iScansNegatively: false, jScansPositively: true,
                                      jPointsAreConsecutive: false, alternativeRowScanning: false, lambert: good)
        #expect(throws: GRIBGeometry.GeometryError.self) {
            try GRIBGeometry.make(grid) { .failure(ECCodesFailure(message: "not expected")) }
        }
        grid.numberOfPoints = 12
        #expect(throws: Never.self) { try GRIBGeometry.make(grid) { .failure(ECCodesFailure(message: "not expected")) } }
    }

    /// Largest difference in degrees between `lat`/`lon` and Snyder's spherical inverse
    /// written plainly with libm (longitudes compared modulo 360).
    static func maxDifference(_ p: GRIBLambertConformal, _ lat: [Double], _ lon: [Double]) -> Double {
        let r = Double.pi / 180
        func tq(_ phi: Double) -> Double { tan(.pi / 4 + phi / 2) }
        let (f1, f2) = (p.latin1 * r, p.latin2 * r)
        let n = abs(f1 - f2) < 1e-9 ? sin(f1) : log(cos(f1) / cos(f2)) / log(tq(f2) / tq(f1))
        let rF = p.earthRadius * cos(f1) * pow(tq(f1), n) / n
        let rho0 = rF / pow(tq(p.latitudeOfTrueScale * r), n)
        let rho1 = rF / pow(tq(p.latitudeOfFirstPoint * r), n)
        var dl = (p.longitudeOfFirstPoint - p.orientation) * r
        if dl > .pi { dl -= 2 * .pi }
        if dl < -.pi { dl += 2 * .pi }
        let x0 = rho1 * sin(n * dl), y0 = rho0 - rho1 * cos(n * dl)
        var worst = 0.0
        for j in 0..<p.ny {
            for i in 0..<p.nx {
                let x = x0 + Double(i) * p.dx, y = y0 + Double(j) * p.dy
                let sign: Double = n < 0 ? -1 : 1
                let rho = sign * (x * x + (rho0 - y) * (rho0 - y)).squareRoot()
                let theta = atan2(sign * x, sign * (rho0 - y))
                let phi = 2 * atan(pow(rF / rho, 1 / n)) - .pi / 2
                let lambda = p.orientation + theta / n / r
                let k = j * p.nx + i
                var dLon = (lon[k] - lambda).truncatingRemainder(dividingBy: 360)
                if dLon > 180 { dLon -= 360 }
                if dLon < -180 { dLon += 360 }
                worst = max(worst, abs(lat[k] - phi / r), abs(dLon))
            }
        }
        return worst
    }
}
