extension RemapWeights {
    /// The first inconsistency of these weights as (field, reason), or nil when the
    /// compressed rows, indices, shapes and per-cell arrays all fit together.
    func consistencyProblem() -> (field: String, reason: String)? {
        guard sourceCount >= 0, destinationCount >= 0 else {
            return ("sourceCount", "cell counts must not be negative (\(sourceCount), \(destinationCount))")
        }
        if sourceShape.reduce(1, *) != sourceCount {
            return ("sourceShape", "shape \(sourceShape) holds \(sourceShape.reduce(1, *)) cells, sourceCount is \(sourceCount)")
        }
        if destinationShape.reduce(1, *) != destinationCount {
            return ("destinationShape", "shape \(destinationShape) holds \(destinationShape.reduce(1, *)) cells, destinationCount is \(destinationCount)")
        }
        guard rowStart.count == destinationCount + 1 else {
            return ("rowStart", "has \(rowStart.count) offsets, expected destinationCount + 1 = \(destinationCount + 1)")
        }
        guard rowStart.first == 0, rowStart.last == weights.count else {
            return ("rowStart", "must run from 0 to the link count \(weights.count), runs from \(rowStart.first ?? -1) to \(rowStart.last ?? -1)")
        }
        for i in 0..<destinationCount where rowStart[i + 1] < rowStart[i] {
            return ("rowStart", "decreases at destination cell \(i) (\(rowStart[i]) then \(rowStart[i + 1]))")
        }
        guard sourceIndex.count == weights.count else {
            return ("sourceIndex", "has \(sourceIndex.count) entries for \(weights.count) weights")
        }
        if let k = sourceIndex.firstIndex(where: { $0 < 0 || Int($0) >= sourceCount }) {
            return ("sourceIndex", "link \(k) refers to source cell \(sourceIndex[k]), outside 0..<\(sourceCount)")
        }
        if let k = weights.firstIndex(where: { !$0.isFinite }) {
            return ("weights", "link \(k) has weight \(weights[k])")
        }
        for (name, array, count) in [("sourceArea", sourceArea, sourceCount), ("destinationArea", destinationArea, destinationCount),
                                     ("sourceFraction", sourceFraction, sourceCount),
                                     ("destinationFraction", destinationFraction, destinationCount)] {
            if array.count != count { return (name, "has \(array.count) values for \(count) cells") }
            if let k = array.firstIndex(where: { !$0.isFinite }) { return (name, "cell \(k) has \(array[k])") }
        }
        return nil
    }
}
