import Foundation

/// The names of dimensions and variables of a weight file format (SCRIP or ESMF), for one
/// grid side and for the links. Both formats hold the same content under different names.
struct RemapWeightsFileLayout: Sendable {
    /// Names describing one grid (source "a"/`src_`, destination "b"/`dst_`).
    struct Side: Sendable {
        var sizeDimension: String
        var cornerDimension: String
        var rankDimension: String
        var dims: String
        var centreLatitude: String
        var centreLongitude: String
        var cornerLatitude: String
        var cornerLongitude: String
        var mask: String
        var area: String
        var fraction: String
    }

    var format: RemapWeightsFile.Format
    var source: Side
    var destination: Side
    var linkDimension: String
    /// SCRIP's `num_wgts` (the matrix is [num_links, num_wgts]); nil for ESMF's 1-D `S`.
    var weightCountDimension: String?
    var sourceAddress: String
    var destinationAddress: String
    var matrix: String
    /// Whether coordinates are written in radians (SCRIP, as CDO writes) or degrees (ESMF).
    var writesRadians: Bool
    /// Units assumed when a coordinate variable has no `units` attribute; nil: required.
    var defaultAngleUnit: AngleUnit?

    static let scrip: RemapWeightsFileLayout = {
        func side(_ p: String) -> Side {
            Side(sizeDimension: "\(p)_grid_size", cornerDimension: "\(p)_grid_corners", rankDimension: "\(p)_grid_rank",
                 dims: "\(p)_grid_dims", centreLatitude: "\(p)_grid_center_lat", centreLongitude: "\(p)_grid_center_lon",
                 cornerLatitude: "\(p)_grid_corner_lat", cornerLongitude: "\(p)_grid_corner_lon",
                 mask: "\(p)_grid_imask", area: "\(p)_grid_area", fraction: "\(p)_grid_frac")
        }
        return RemapWeightsFileLayout(
            format: .scrip, source: side("src"), destination: side("dst"), linkDimension: "num_links",
            weightCountDimension: "num_wgts", sourceAddress: "src_address", destinationAddress: "dst_address",
            matrix: "remap_matrix", writesRadians: true, defaultAngleUnit: nil)
    }()

    static let esmf: RemapWeightsFileLayout = {
        func side(_ s: String, _ p: String) -> Side {
            Side(sizeDimension: "n_\(s)", cornerDimension: "nv_\(s)", rankDimension: "\(p)_grid_rank",
                 dims: "\(p)_grid_dims", centreLatitude: "yc_\(s)", centreLongitude: "xc_\(s)",
                 cornerLatitude: "yv_\(s)", cornerLongitude: "xv_\(s)",
                 mask: "mask_\(s)", area: "area_\(s)", fraction: "frac_\(s)")
        }
        return RemapWeightsFileLayout(
            format: .esmf, source: side("a", "src"), destination: side("b", "dst"), linkDimension: "n_s",
            weightCountDimension: nil, sourceAddress: "col", destinationAddress: "row",
            matrix: "S", writesRadians: false, defaultAngleUnit: .degrees)
    }()

    static func of(_ format: RemapWeightsFile.Format) -> RemapWeightsFileLayout {
        switch format {
        case .scrip: scrip
        case .esmf: esmf
        }
    }
}

/// Units of angles in weight files, from a `units` attribute.
enum AngleUnit: Sendable {
    case degrees, radians

    /// "radians"/"radian"/"rad" or "degrees", "degrees_north", "degrees_east", "deg"…; nil otherwise.
    init?(units: String) {
        let u = units.trimmingCharacters(in: .whitespaces).lowercased()
        if u.hasPrefix("rad") {
            self = .radians
        } else if u.hasPrefix("deg") {
            self = .degrees
        } else {
            return nil
        }
    }

    /// Factor converting values in this unit to degrees.
    var toDegrees: Double { self == .degrees ? 1 : 180 / .pi }
}
