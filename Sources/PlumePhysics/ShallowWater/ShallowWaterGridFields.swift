import Torch

/// The grid-point fields of a `ShallowWaterState`: tensors [..., nlat, nlon] (rows north →
/// south, columns eastward from 0° as in the transform), float64.
public struct ShallowWaterGridFields {
    /// Eastward wind, m s⁻¹.
    public var u: Tensor
    /// Northward wind, m s⁻¹.
    public var v: Tensor
    /// Fluid depth h = Φ/g, m (the free surface is h + h_s with orography).
    public var h: Tensor
    /// Relative vorticity ζ, s⁻¹.
    public var vorticity: Tensor
    /// Divergence δ, s⁻¹.
    public var divergence: Tensor

    public init(u: Tensor, v: Tensor, h: Tensor, vorticity: Tensor, divergence: Tensor) {
        self.u = u
        self.v = v
        self.h = h
        self.vorticity = vorticity
        self.divergence = divergence
    }

    /// The fields of ensemble member `member` (or of the only state when unbatched) as
    /// row-major arrays [nlat·nlon].
    public func gridState(member: Int = 0) throws(TorchError) -> ShallowWaterGridState {
        func pick(_ t: Tensor) throws(TorchError) -> [Double] {
            let flat = try t.reshape([-1, t.shape[t.rank - 2], t.shape[t.rank - 1]])
            return try flat.select(dim: 0, index: member).contiguous().toArray(of: Double.self)
        }
        return ShallowWaterGridState(u: try pick(u), v: try pick(v), h: try pick(h))
    }
}
