/// One decoded GRIB message: its keys, its values in grid order and its geometry.
public struct GRIBField: Sendable {
    public var message: GRIBMessage
    /// Values in grid order (see `GRIBGeometry`), shape `geometry.shape`; missing points (bitmap) are NaN.
    public var values: [Float]
    public var geometry: GRIBGeometry
}
