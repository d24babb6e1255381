import Foundation

/// Radii and conversions on the sphere.
public enum Sphere {
    /// Earth radius used by CarbonBench/CarbonTracker cell areas, in metres.
    public static let carbonBenchRadius = 6.3781e6
    /// Earth radius of the shallow-water test cases (Williamson et al. 1992) and Plume's
    /// reference models (`PhysicalConstants.earthRadius`), in metres.
    public static let earthRadius = 6.37122e6
    /// ECMWF/WMO spherical-earth radius (GRIB shape 6), in metres.
    public static let wmoRadius = 6_371_229.0

    /// Area of the band between two latitudes and two longitudes on the unit sphere:
    /// |sin φ₂ − sin φ₁| · Δλ (radians). Degrees in.
    @inlinable
    public static func bandArea(south: Double, north: Double, west: Double, east: Double) -> Double {
        abs(sinDegrees(north) - sinDegrees(south)) * abs(east - west) * .pi / 180
    }

    /// sin of an angle in degrees, exact at ±90 and 0.
    @inlinable
    public static func sinDegrees(_ degrees: Double) -> Double {
        if degrees == 90 { return 1 }
        if degrees == -90 { return -1 }
        if degrees == 0 { return 0 }
        return sin(degrees * .pi / 180)
    }
}
