import CTorch

/// What a tensor's values are at one moment, for caches of results computed from them: two
/// stamps of the same tensor are equal only if its values have not been modified in between.
///
/// It is libtorch's version counter, which every in-place operation bumps (optimiser steps,
/// `copy_`, `loadStateDict`), together with the address of the first element, which changes
/// when the tensor is given new data (`setData`, `Module.to(dtype:)`, `to(device:)`).
public struct ValueStamp: Hashable, Sendable {
    /// libtorch's version counter of the tensor.
    public let version: Int64
    /// The address of the tensor's first element.
    public let address: UInt
}

extension Tensor {
    /// The tensor's `ValueStamp` now.
    public func valueStamp() throws(TorchError) -> ValueStamp {
        var version: Int64 = 0
        var address: UInt = 0
        try check(ct_value_stamp(handle, &version, &address), "valueStamp")
        return ValueStamp(version: version, address: address)
    }
}
