import CTorch

extension Tensor {
    /// Same values in `shape` (one entry may be −1); a view when possible.
    public func reshape(_ shape: [Int]) throws(TorchError) -> Tensor {
        try produce("reshape(\(self.shape) → \(shape))") { ct_reshape(handle, int64s(shape), Int32(shape.count), $0) }
    }

    /// A view with `shape`; throws when the strides do not allow one.
    public func view(_ shape: [Int]) throws(TorchError) -> Tensor {
        try produce("view(\(self.shape) → \(shape))") { ct_view(handle, int64s(shape), Int32(shape.count), $0) }
    }

    public func permute(_ dims: [Int]) throws(TorchError) -> Tensor {
        try produce("permute(\(shape), \(dims))") { ct_permute(handle, int64s(dims), Int32(dims.count), $0) }
    }

    public func transpose(_ dim0: Int, _ dim1: Int) throws(TorchError) -> Tensor {
        try produce("transpose(\(dim0), \(dim1))") { ct_transpose(handle, Int64(dim0), Int64(dim1), $0) }
    }

    /// Broadcast view to `shape` (−1 keeps a size).
    public func expand(_ shape: [Int]) throws(TorchError) -> Tensor {
        try produce("expand(\(self.shape) → \(shape))") { ct_expand(handle, int64s(shape), Int32(shape.count), $0) }
    }

    public func repeated(_ repeats: [Int]) throws(TorchError) -> Tensor {
        try produce("repeat(\(repeats))") { ct_repeat(handle, int64s(repeats), Int32(repeats.count), $0) }
    }

    public func squeeze(dim: Int) throws(TorchError) -> Tensor {
        try produce("squeeze(dim: \(dim))") { ct_squeeze(handle, Int64(dim), $0) }
    }

    public func unsqueeze(dim: Int) throws(TorchError) -> Tensor {
        try produce("unsqueeze(dim: \(dim))") { ct_unsqueeze(handle, Int64(dim), $0) }
    }

    public func flatten(startDim: Int = 0, endDim: Int = -1) throws(TorchError) -> Tensor {
        try produce("flatten") { ct_flatten(handle, Int64(startDim), Int64(endDim), $0) }
    }

    /// `length` entries of `dim` from `start` (a view).
    public func narrow(dim: Int, start: Int, length: Int) throws(TorchError) -> Tensor {
        try produce("narrow(dim: \(dim), start: \(start), length: \(length)) of \(shape)") {
            ct_narrow(handle, Int64(dim), Int64(start), Int64(length), $0)
        }
    }

    /// Entries `start..<end` by `step` of `dim` (a view).
    public func slice(dim: Int, start: Int, end: Int, step: Int = 1) throws(TorchError) -> Tensor {
        try produce("slice(dim: \(dim), \(start)..<\(end))") {
            ct_slice(handle, Int64(dim), Int64(start), Int64(end), Int64(step), $0)
        }
    }

    /// Entry `index` of `dim`, removing that dimension (a view).
    public func select(dim: Int, index: Int) throws(TorchError) -> Tensor {
        try produce("select(dim: \(dim), index: \(index)) of \(shape)") { ct_select(handle, Int64(dim), Int64(index), $0) }
    }

    /// Periodic shift: element i of `dims[k]` moves to i + shifts[k].
    public func roll(shifts: [Int], dims: [Int]) throws(TorchError) -> Tensor {
        guard shifts.count == dims.count else {
            throw TorchError(operation: "roll", message: "\(shifts.count) shifts for \(dims.count) dims")
        }
        return try produce("roll") { ct_roll(handle, int64s(shifts), int64s(dims), Int32(dims.count), $0) }
    }

    public func flip(dims: [Int]) throws(TorchError) -> Tensor {
        try produce("flip") { ct_flip(handle, int64s(dims), Int32(dims.count), $0) }
    }

    /// Lower triangle (entries with column ≤ row + diagonal), zeros elsewhere.
    public func tril(diagonal: Int = 0) throws(TorchError) -> Tensor {
        try produce("tril") { ct_tril(handle, Int64(diagonal), $0) }
    }

    public func triu(diagonal: Int = 0) throws(TorchError) -> Tensor {
        try produce("triu") { ct_triu(handle, Int64(diagonal), $0) }
    }

    /// Joins tensors along an existing dimension.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws(TorchError) -> Tensor {
        let handles: [ct_tensor?] = tensors.map(\.handle)
        return try withExtendedLifetime(tensors) { () throws(TorchError) -> Tensor in
            try produce("cat(\(tensors.map(\.shape)), dim: \(dim))") { ct_cat(handles, Int32(handles.count), Int64(dim), $0) }
        }
    }

    /// Joins tensors of equal shape along a new dimension.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws(TorchError) -> Tensor {
        let handles: [ct_tensor?] = tensors.map(\.handle)
        return try withExtendedLifetime(tensors) { () throws(TorchError) -> Tensor in
            try produce("stack(\(tensors.map(\.shape)), dim: \(dim))") { ct_stack(handles, Int32(handles.count), Int64(dim), $0) }
        }
    }

    /// Pieces of `size` entries along `dim` (the last may be smaller); views.
    public func split(size: Int, dim: Int = 0) throws(TorchError) -> [Tensor] {
        try produceList("split(size: \(size), dim: \(dim))") { ct_split(handle, Int64(size), Int64(dim), $0, $1) }
    }

    /// At most `chunks` nearly equal pieces along `dim`; views.
    public func chunk(_ chunks: Int, dim: Int = 0) throws(TorchError) -> [Tensor] {
        try produceList("chunk(\(chunks), dim: \(dim))") { ct_chunk(handle, Int64(chunks), Int64(dim), $0, $1) }
    }
}
