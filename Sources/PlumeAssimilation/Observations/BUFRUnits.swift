/// Units of the BUFR elements that share one ecCodes key across descriptors of different
/// units (`windSpeed` is 0 11 002 in m/s, 0 11 083 in km/h, 0 11 084 in knots).
enum BUFRUnits {
    /// The value in SI units (m/s, K, s) of element `name` coded with `descriptor` (as
    /// ecCodes' `->code`, `11083` for 0 11 083); nil when the descriptor's unit is not one
    /// of fixed length (years and months in `timePeriod`) or not known here.
    static func si(_ name: String, descriptor: Int, value: Double) -> Double? {
        switch (name, descriptor) {
        case ("windSpeed", 11002): value
        case ("windSpeed", 11083): value / 3.6
        case ("windSpeed", 11084): value * 1852 / 3600
        case ("dewpointTemperature", 12003), ("dewpointTemperature", 12103): value
        case ("dewpointTemperature", 12024): value + 273.15
        case ("timePeriod", 4026), ("timePeriod", 4086): value
        case ("timePeriod", 4025), ("timePeriod", 4075): value * 60
        case ("timePeriod", 4024), ("timePeriod", 4074): value * 3600
        case ("timePeriod", 4023), ("timePeriod", 4073): value * 86400
        default: nil
        }
    }

    /// `11083` as BUFR writes descriptors, `0 11 083`-style: `011083`.
    static func descriptorText(_ descriptor: Int) -> String {
        let digits = String(descriptor)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
