import CTorch

/// Operation codes of `ct_reduce` (see ctorch.h).
enum ReduceOp: Int32 {
    case sum = 0, mean, prod, amax, amin, std, variance, logsumexp, norm, any, all, stdBiased, varianceBiased
}

extension Tensor {
    func reduce(_ op: ReduceOp, _ dims: [Int], keepDim: Bool) throws(TorchError) -> Tensor {
        try produce("\(op)(\(shape), dims: \(dims))") {
            ct_reduce(op.rawValue, handle, int64s(dims), Int32(dims.count), keepDim ? 1 : 0, $0)
        }
    }

    /// Sum over `dims` (all when empty).
    public func sum(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.sum, dims, keepDim: keepDim) }
    public func mean(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.mean, dims, keepDim: keepDim) }
    public func prod(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.prod, dims, keepDim: keepDim) }
    /// Largest value over `dims` (all when empty).
    public func max(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.amax, dims, keepDim: keepDim) }
    public func min(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.amin, dims, keepDim: keepDim) }
    /// Standard deviation, unbiased (n − 1) unless `unbiased` is false.
    public func std(dims: [Int] = [], unbiased: Bool = true, keepDim: Bool = false) throws(TorchError) -> Tensor {
        try reduce(unbiased ? .std : .stdBiased, dims, keepDim: keepDim)
    }
    public func variance(dims: [Int] = [], unbiased: Bool = true, keepDim: Bool = false) throws(TorchError) -> Tensor {
        try reduce(unbiased ? .variance : .varianceBiased, dims, keepDim: keepDim)
    }
    public func logSumExp(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.logsumexp, dims, keepDim: keepDim) }
    /// Euclidean (2-) norm over `dims`.
    public func norm(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.norm, dims, keepDim: keepDim) }
    public func any(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.any, dims, keepDim: keepDim) }
    public func all(dims: [Int] = [], keepDim: Bool = false) throws(TorchError) -> Tensor { try reduce(.all, dims, keepDim: keepDim) }

    /// Largest values along `dim` and their indices.
    public func max(dim: Int, keepDim: Bool = false) throws(TorchError) -> (values: Tensor, indices: Tensor) {
        try produce2("max(dim: \(dim))") { ct_max_dim(handle, Int64(dim), keepDim ? 1 : 0, $0, $1) }
    }
    public func min(dim: Int, keepDim: Bool = false) throws(TorchError) -> (values: Tensor, indices: Tensor) {
        try produce2("min(dim: \(dim))") { ct_min_dim(handle, Int64(dim), keepDim ? 1 : 0, $0, $1) }
    }
    public func argmax(dim: Int, keepDim: Bool = false) throws(TorchError) -> Tensor {
        try produce("argmax(dim: \(dim))") { ct_argmax(handle, Int64(dim), keepDim ? 1 : 0, $0) }
    }
    public func argmin(dim: Int, keepDim: Bool = false) throws(TorchError) -> Tensor {
        try produce("argmin(dim: \(dim))") { ct_argmin(handle, Int64(dim), keepDim ? 1 : 0, $0) }
    }
    public func cumsum(dim: Int) throws(TorchError) -> Tensor {
        try produce("cumsum(dim: \(dim))") { ct_cumsum(handle, Int64(dim), $0) }
    }
    public func sort(dim: Int = -1, descending: Bool = false) throws(TorchError) -> (values: Tensor, indices: Tensor) {
        try produce2("sort(dim: \(dim))") { ct_sort(handle, Int64(dim), descending ? 1 : 0, $0, $1) }
    }
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true) throws(TorchError) -> (values: Tensor, indices: Tensor) {
        try produce2("topk(\(k), dim: \(dim))") { ct_topk(handle, Int64(k), Int64(dim), largest ? 1 : 0, $0, $1) }
    }
}
