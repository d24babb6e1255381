import CTorch

extension Tensor {
    /// Entries of `dim` at `index` (int64, one-dimensional).
    public func indexSelect(dim: Int, index: Tensor) throws(TorchError) -> Tensor {
        try produce("indexSelect(dim: \(dim))") { ct_index_select(handle, Int64(dim), index.handle, $0) }
    }

    /// `out[i][j] = self[index[i][j]][j]` for dim 0 (and so on), as `torch.gather`.
    public func gather(dim: Int, index: Tensor) throws(TorchError) -> Tensor {
        try produce("gather(dim: \(dim))") { ct_gather(handle, Int64(dim), index.handle, $0) }
    }

    /// A copy of `self` with `source` added at `index` along `dim` (`torch.scatter_add`).
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws(TorchError) -> Tensor {
        try produce("scatterAdd(dim: \(dim))") { ct_scatter_add(handle, Int64(dim), index.handle, source.handle, $0) }
    }

    /// A copy of `self` with slices of `source` added at the entries `index` of `dim`
    /// (`torch.index_add`): the sum aggregation of graph message passing.
    public func indexAdd(dim: Int, index: Tensor, source: Tensor) throws(TorchError) -> Tensor {
        try produce("indexAdd(dim: \(dim))") { ct_index_add(handle, Int64(dim), index.handle, source.handle, $0) }
    }

    public func maskedSelect(_ mask: Tensor) throws(TorchError) -> Tensor {
        try produce("maskedSelect") { ct_masked_select(handle, mask.handle, $0) }
    }

    /// Indices of non-zero entries, [count, rank].
    public func nonzero() throws(TorchError) -> Tensor {
        try produce("nonzero") { ct_nonzero(handle, $0) }
    }
}
