import PlumeGrids
import PlumeIO

/// Weight files in the SCRIP and ESMF netCDF formats, so that weights made by CDO
/// (`gencon`, `genbil`, `gennn`, …), ESMF_RegridWeightGen or TempestRemap can be applied by
/// Plume, and Plume's weights by `cdo remap,GRID,WEIGHTS`.
///
/// - SCRIP (as CDO writes it): dimensions `src_grid_size`, `dst_grid_size`,
///   `src/dst_grid_corners` (optional), `src/dst_grid_rank`, `num_links`, `num_wgts`;
///   variables `src/dst_grid_dims` (Fortran order: longitudes first), `…_center_lat/lon`,
///   `…_corner_lat/lon`, `…_imask`, `…_area`, `…_frac`, `src_address`, `dst_address`
///   (1-based) and `remap_matrix[num_links, num_wgts]` (the first column is used);
///   global attributes `title`, `normalization`, `map_method`, `conventions` "SCRIP",
///   `source_grid`, `dest_grid`. Angles in the units of each variable's `units`.
/// - ESMF: dimensions `n_a`, `n_b`, `n_s`, `nv_a`, `nv_b`, `src/dst_grid_rank`; variables
///   `S`, `row`, `col` (1-based), `frac_a/b`, `area_a/b`, `xc_a/b`, `yc_a/b`, `xv_a/b`,
///   `yv_a/b`, `mask_a/b`, `src/dst_grid_dims`. Angles in degrees unless `units` says otherwise.
///
/// Reading validates everything (dimensions, shapes, 1-based indices in range, finite
/// values, units) and throws `RemapError` naming the file and the variable.
public enum RemapWeightsFile {
    /// The two weight file layouts.
    public enum Format: String, Sendable, CaseIterable {
        /// SCRIP conventions, as CDO reads and writes them; coordinates in radians.
        case scrip
        /// ESMF_RegridWeightGen's layout (`S`, `row`, `col`); coordinates in degrees.
        case esmf
    }

    /// Everything a weight file holds: the weights and the two grids it describes.
    public struct Contents: Sendable, Equatable {
        /// The layout the file uses.
        public var format: Format
        /// The weights, validated. Areas are 0 where the file has none (CDO writes areas only
        /// for conservative maps); fractions are 1 where it has none.
        public var weights: RemapWeights
        /// The source grid as the file describes it.
        public var source: RemapGridDescription
        /// The destination grid as the file describes it.
        public var destination: RemapGridDescription
        /// `normalization` ("fracarea", "destarea" or "none").
        public var normalization: String
        /// The `map_method` text as written.
        public var mapMethod: String
        /// Every global attribute of the file.
        public var attributes: [Attribute]
    }

    /// Reads the weights of a SCRIP or ESMF file (the format is recognised by its variables).
    public static func read(_ path: String) throws(RemapError) -> RemapWeights {
        try readContents(path).weights
    }

    /// Reads a SCRIP or ESMF weight file: the weights and the grids it describes.
    public static func readContents(_ path: String) throws(RemapError) -> Contents {
        try RemapWeightsFileReader(path: path).read()
    }

    /// Which layout the file at `path` uses: ESMF when it has `S`, `row` and `col`, SCRIP
    /// when it has `remap_matrix`, `src_address` and `dst_address`.
    public static func format(of path: String) throws(RemapError) -> Format {
        try RemapWeightsFileReader(path: path).layout.format
    }

    /// Writes `weights` between `source` and `destination` as a SCRIP or ESMF file, atomically
    /// (under a temporary name, renamed when complete).
    ///
    /// SCRIP files are written as CDO writes them (coordinates in radians, `units`
    /// "radians", `int` addresses and dimensions, `double` matrix) and are accepted by
    /// `cdo remap,GRID,WEIGHTS`; corners are added as `src/dst_grid_corners`. ESMF files hold
    /// coordinates in degrees. Throws `RemapError.gridMismatch` when the grids' cell counts
    /// differ from the weights'.
    public static func write(_ weights: RemapWeights, source: any Grid, destination: any Grid,
                             to path: String, format: Format) throws(RemapError) {
        try RemapWeightsFileWriter(layout: .of(format), path: path)
            .write(weights, source: source, destination: destination)
    }
}
