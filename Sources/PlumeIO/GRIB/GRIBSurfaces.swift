/// The surface codes and values that tell one level of a message from another, beyond
/// ecCodes' `typeOfLevel` and `level`.
///
/// ecCodes names every surface code it does not know `unknown`, and its `level` is the top
/// of a layer only (NCEP's soil layers "0–0.1 m" and "0–2 m below ground" both have level
/// 0); two such fields must not be taken for the same level.
struct GRIBSurfaces {
    /// GRIB 2 `typeOfFirstFixedSurface`, `typeOfSecondFixedSurface`; GRIB 1
    /// `indicatorOfTypeOfLevel` (as stored; absent keys as `Int.min`).
    var types: [Int]
    /// The bottom of a layer (ecCodes' `bottomLevel`), nil for a single surface.
    var bottom: Double?

    /// GRIB 1 level types (code table 3) that are layers between two levels.
    static let edition1Layers: Set<Int> = [101, 104, 106, 108, 110, 112, 114, 116, 120, 121, 128, 141]

    static func read(_ h: ECCodesHandle, edition: Int) -> GRIBSurfaces {
        if edition == 1 {
            let type = h.rawLong("indicatorOfTypeOfLevel") ?? Int.min
            return GRIBSurfaces(types: [type], bottom: edition1Layers.contains(type) ? h.double("bottomLevel") : nil)
        }
        let first = h.rawLong("typeOfFirstFixedSurface") ?? Int.min
        let second = h.rawLong("typeOfSecondFixedSurface") ?? Int.min
        let isLayer = second != 255 && second != Int.min
        return GRIBSurfaces(types: [first, second], bottom: isLayer ? h.double("bottomLevel") : nil)
    }
}
