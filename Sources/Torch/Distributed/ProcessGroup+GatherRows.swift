extension ProcessGroup {
    /// Every rank's rows, on every rank: this rank holds rows `first ..< first + mine.count` of
    /// `count` rows of `width` values each; the others hold the rest. A sum all-reduce of the
    /// `[count, width]` table in which each rank's other rows are zero, so the gathered values
    /// are exactly the ones each rank computed (x + 0 = x): every rank ends with the same table,
    /// bit for bit. Used to share ensemble members that the ranks computed in parts.
    public func gatherRows<T: TensorElement & Numeric>(_ mine: [[T]], first: Int, count: Int, width: Int) throws(TorchError) -> [[T]] {
        guard first >= 0, first + mine.count <= count, mine.allSatisfy({ $0.count == width }) else {
            throw TorchError(operation: "\(describe) gather rows",
                             message: "rows \(first) ..< \(first + mine.count) of \(count), widths \(Set(mine.map(\.count)).sorted()), expected \(width)")
        }
        var flat = [T](repeating: .zero, count: count * width)
        for (k, row) in mine.enumerated() { flat.replaceSubrange((first + k) * width..<(first + k + 1) * width, with: row) }
        let table = try Tensor(flat, shape: [count, width])
        try allReduce([table])
        let values = try table.toArray(of: T.self)
        return (0..<count).map { Array(values[$0 * width..<($0 + 1) * width]) }
    }
}
