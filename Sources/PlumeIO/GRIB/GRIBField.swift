/// One decoded GRIB message: its keys, its values in grid order and its geometry.
public struct GRIBField: Sendable {
    public var message: GRIBMessage
    /// Values in grid order (see `GRIBGeometry`), shape `geometry.shape`; missing points (bitmap) are NaN.
    public var values: [Float]
    public var geometry: GRIBGeometry
    /// The same values in double precision when float32 cannot hold what the message packs
    /// (`GRIBPrecision`: IEEE 64-bit data, or a packing step finer than float32's spacing at
    /// the field's largest value); nil when `values` loses nothing.
    public var preciseValues: [Double]? = nil
}
