import Foundation
import PlumeConservation

/// Stand-ins for the CarbonBench fields the shallow-water weather does not provide: the
/// ICAO/US standard atmosphere (troposphere T₀ = 288.15 K, lapse rate 6.5 K km⁻¹ up to
/// 11 km / 226.32 hPa, isothermal 216.65 K above; p₀ = 1013.25 hPa, R_d = 287.05 J kg⁻¹ K⁻¹,
/// g = 9.80665 m s⁻²) for the geopotential height of the layer interfaces (`gph_bottom`,
/// `gph_top`), the temperature `t` and the surface pressure over orography; and the analytic
/// top-of-atmosphere incident solar radiation `tisr`.
///
/// These are horizontally uniform profiles (apart from the surface pressure's dependence on
/// the orography): they carry no weather, only the right magnitudes and units.
public enum CarbonBenchStandardAtmosphere {
    /// Sea-level pressure, Pa.
    public static let seaLevelPressure = 101_325.0
    /// Sea-level temperature, K.
    public static let seaLevelTemperature = 288.15
    /// Tropospheric lapse rate, K m⁻¹.
    public static let lapseRate = 0.0065
    /// Tropopause height, m, pressure, Pa, and temperature, K.
    public static let tropopauseHeight = 11_000.0
    public static let tropopauseTemperature = 216.65
    public static var tropopausePressure: Double { pressure(height: tropopauseHeight) }
    /// Gas constant of dry air, J kg⁻¹ K⁻¹.
    public static let dryAirGasConstant = 287.05

    private static var exponent: Double { dryAirGasConstant * lapseRate / PhysicalConstants.standardGravity }

    /// Pressure at geopotential height `z` (m), Pa.
    public static func pressure(height z: Double) -> Double {
        if z <= tropopauseHeight {
            return seaLevelPressure * pow(1 - lapseRate * z / seaLevelTemperature, 1 / exponent)
        }
        let p11 = seaLevelPressure * pow(1 - lapseRate * tropopauseHeight / seaLevelTemperature, 1 / exponent)
        return p11 * exp(-PhysicalConstants.standardGravity * (z - tropopauseHeight) / (dryAirGasConstant * tropopauseTemperature))
    }

    /// Geopotential height of pressure `p` (Pa), m.
    public static func height(pressure p: Double) -> Double {
        let p11 = tropopausePressure
        if p >= p11 { return seaLevelTemperature / lapseRate * (1 - pow(p / seaLevelPressure, exponent)) }
        return tropopauseHeight + dryAirGasConstant * tropopauseTemperature / PhysicalConstants.standardGravity * log(p11 / max(p, 1e-3))
    }

    /// Temperature at pressure `p` (Pa), K.
    public static func temperature(pressure p: Double) -> Double {
        p >= tropopausePressure ? seaLevelTemperature * pow(p / seaLevelPressure, exponent) : tropopauseTemperature
    }
}

/// Top-of-atmosphere incident solar radiation (CarbonBench's `tisr`, J m⁻² accumulated over
/// an interval), analytic: S = S₀·(1 + 0.033 cos(2π d/365))·max(0, cos θ), with
/// S₀ = 1361 W m⁻², d the day of the 365-day year, the solar declination
/// δ = −23.44°·cos(2π(d + 10)/365), cos θ = sin φ sin δ + cos φ cos δ cos h and the hour
/// angle h = 2π(t/1 day) + λ − π (local mean solar time; no equation of time). The
/// accumulation is a midpoint sum with 5-minute sub-intervals, at the cell centre.
public enum CarbonBenchInsolation {
    /// Solar constant, W m⁻².
    public static let solarConstant = 1361.0

    /// Instantaneous TOA irradiance, W m⁻², at latitude `phi`, longitude `lambda` (radians)
    /// and model time `t` (s since 1 January 00 UTC of a 365-day year).
    public static func irradiance(latitude phi: Double, longitude lambda: Double, time t: Double) -> Double {
        let day = PhysicalConstants.day
        let d = (t / day).truncatingRemainder(dividingBy: 365)
        let delta = -23.44 * Double.pi / 180 * cos(2 * .pi * (d + 10) / 365)
        let h = 2 * Double.pi * (t / day) + lambda - .pi
        let cosZenith = sin(phi) * sin(delta) + cos(phi) * cos(delta) * cos(h)
        return solarConstant * (1 + 0.033 * cos(2 * .pi * d / 365)) * max(0, cosZenith)
    }

    /// Accumulated TOA incident radiation over [`t0`, `t0` + `duration`], J m⁻², at the
    /// given latitudes and longitudes (radians): `[lat, lon]` row-major.
    public static func accumulated(latitudes: [Double], longitudes: [Double], from t0: Double, duration: Double) -> [Double] {
        let substeps = max(1, Int((duration / 300).rounded(.up)))
        let dt = duration / Double(substeps)
        var out = [Double](repeating: 0, count: latitudes.count * longitudes.count)
        for s in 0..<substeps {
            let t = t0 + (Double(s) + 0.5) * dt
            for (j, phi) in latitudes.enumerated() {
                for (i, lambda) in longitudes.enumerated() {
                    out[j * longitudes.count + i] += irradiance(latitude: phi, longitude: lambda, time: t) * dt
                }
            }
        }
        return out
    }
}
