import CTorch

/// A seedable CPU random generator (Philox/MT19937 as in PyTorch): the same seed gives the
/// same numbers as `torch.Generator().manual_seed(seed)`.
public final class Generator {
    let handle: ct_generator

    public init(seed: UInt64) throws(TorchError) {
        var g: ct_generator?
        guard ct_generator_new(seed, &g) == 0, let g else { throw TorchError.last("Generator(seed:)") }
        handle = g
    }

    deinit { ct_generator_free(handle) }

    /// The generator's full state (a uint8 tensor), to save with a checkpoint.
    public func state() throws(TorchError) -> Tensor {
        try produce("Generator.state") { ct_generator_get_state(handle, $0) }
    }

    /// Restores a state returned by `state()`.
    public func setState(_ state: Tensor) throws(TorchError) {
        try check(ct_generator_set_state(handle, state.handle), "Generator.setState")
    }
}
