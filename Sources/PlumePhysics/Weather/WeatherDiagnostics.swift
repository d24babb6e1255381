import Foundation
import PlumeIO

/// Daily global diagnostics of a `WeatherGenerator` run (spin-up included) and the
/// time-mean zonal-mean wind of the recorded period, on the model grid.
///
/// Days are counted from the start of the recorded period: the spin-up has days ≤ 0.
public struct WeatherDiagnostics: Sendable, Equatable {
    /// Model day of each sample (daily, from −spinupDays), days.
    public var days: [Double] = []
    /// Mass-weighted global-mean kinetic energy per unit mass ∫ h|V|²/2 dA / ∫ h dA, m² s⁻²
    /// (J kg⁻¹), per sample.
    public var kineticEnergy: [Double] = []
    /// Total fluid volume ∫ h dA, m³ (times the density: the mass), per sample.
    public var totalMass: [Double] = []
    /// Maximum wind speed |V| on the grid, m s⁻¹, per sample.
    public var maximumWind: [Double] = []
    /// Latitudes of the model rows, degrees, north → south, [nlat].
    public var latitudes: [Double] = []
    /// Zonal-mean eastward wind averaged over every snapshot of the recorded period, m s⁻¹, [nlat].
    public var zonalMeanWind: [Double] = []
    /// Snapshots averaged into `zonalMeanWind`.
    public var zonalMeanSamples: Int = 0

    public init() {}

    /// Largest relative change of the total mass over the samples, |M − M₀|/M₀.
    public var massDrift: Double {
        guard let m0 = totalMass.first, m0 != 0 else { return 0 }
        return totalMass.map { abs($0 - m0) / abs(m0) }.max() ?? 0
    }

    /// CSV text: a header, then `day,kinetic_energy_m2_s-2,total_volume_m3,max_wind_m_s-1` per sample.
    public var csv: String {
        var lines = ["day,kinetic_energy_m2_s-2,total_volume_m3,max_wind_m_s-1"]
        for i in days.indices {
            lines.append("\(days[i]),\(kineticEnergy[i]),\(totalMass[i]),\(maximumWind[i])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CF dataset of the diagnostics: `kinetic_energy`, `total_volume`, `max_wind` on `time`
    /// (days since the start of the recorded period) and `zonal_mean_u` on `latitude`.
    public func dataset(attributes: [Attribute] = []) -> Dataset {
        let n = days.count, nlat = latitudes.count
        return Dataset(
            dimensions: [PlumeIO.Dimension(name: "time", length: n), PlumeIO.Dimension(name: "latitude", length: nlat)],
            variables: [
                Variable(name: "time", dimensions: ["time"], shape: [n],
                         attributes: [Attribute("units", .text("days since start of the recorded period")),
                                      Attribute("long_name", .text("model day (spin-up ≤ 0)"))],
                         data: .float64(days)),
                Variable(name: "latitude", dimensions: ["latitude"], shape: [nlat],
                         attributes: [Attribute("units", .text("degrees_north")), Attribute("standard_name", .text("latitude"))],
                         data: .float64(latitudes)),
                Variable(name: "kinetic_energy", dimensions: ["time"], shape: [n],
                         attributes: [Attribute("units", .text("m2 s-2")),
                                      Attribute("long_name", .text("mass-weighted global-mean kinetic energy per unit mass"))],
                         data: .float64(kineticEnergy)),
                Variable(name: "total_volume", dimensions: ["time"], shape: [n],
                         attributes: [Attribute("units", .text("m3")),
                                      Attribute("long_name", .text("total fluid volume (mass / density)"))],
                         data: .float64(totalMass)),
                Variable(name: "max_wind", dimensions: ["time"], shape: [n],
                         attributes: [Attribute("units", .text("m s-1")), Attribute("long_name", .text("maximum wind speed"))],
                         data: .float64(maximumWind)),
                Variable(name: "zonal_mean_u", dimensions: ["latitude"], shape: [nlat],
                         attributes: [Attribute("units", .text("m s-1")),
                                      Attribute("long_name", .text("zonal-mean eastward wind, time mean of the recorded period"))],
                         data: .float64(zonalMeanWind)),
            ],
            attributes: attributes)
    }
}
