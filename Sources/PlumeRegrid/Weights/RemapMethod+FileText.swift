/// The wording of methods and normalisations in SCRIP and ESMF weight files.
extension RemapMethod {
    /// The method named by a weight file's `map_method` text, as CDO, SCRIP, ESMF or
    /// TempestRemap write it; nil for methods Plume does not represent.
    ///
    /// "Conservative remapping" (also "… using clipping on sphere", ESMF's "Second-order
    /// conservative": their first weight column is a plain matrix) → `.conservative`;
    /// "Bilinear remapping" → `.bilinear`; "Nearest neighbor", "Nearest source to
    /// destination" and CDO's "Distance weighted avg of nearest neighbors" → `.nearest`
    /// (the last is an inverse-distance average of 4 neighbours: still a plain matrix).
    /// Bicubic (its extra weight columns multiply gradients), patch recovery and
    /// largest-area-fraction maps return nil.
    static func fromWeightFileText(_ text: String) -> RemapMethod? {
        let t = text.lowercased()
        if t.contains("bicubic") || t.contains("patch") || t.contains("largest") { return nil }
        if t.contains("conserv") { return .conservative }
        if t.contains("bilinear") { return .bilinear }
        if t.contains("nearest") || t.contains("neighbo") || t.contains("distance weighted") { return .nearest }
        return nil
    }

    /// `map_method` text as CDO writes it in SCRIP files (CDO matches its first word).
    var scripMapMethod: String {
        switch self {
        case .conservative: "Conservative remapping"
        case .bilinear: "Bilinear remapping"
        case .nearest: "Nearest neighbor"
        }
    }

    /// `map_method` text as ESMF_RegridWeightGen writes it.
    var esmfMapMethod: String {
        switch self {
        case .conservative: "Conservative remapping"
        case .bilinear: "Bilinear remapping"
        case .nearest: "Nearest source to destination"
        }
    }
}

extension RemapWeights {
    /// The SCRIP/ESMF `normalization` of these weights.
    ///
    /// Plume's conservative weights are overlap / destination area ("destarea"); where every
    /// destination cell is fully covered that equals "fracarea" (overlap / covered area),
    /// which is what CDO writes for global grids and applies without rescaling. CDO divides
    /// "destarea" results by `dst_grid_frac`. Other methods: "none".
    var fileNormalization: String {
        guard method == .conservative else { return "none" }
        return destinationFraction.allSatisfy { $0 == 1 } ? "fracarea" : "destarea"
    }
}
