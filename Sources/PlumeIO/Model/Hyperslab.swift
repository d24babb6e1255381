/// A rectangular selection of a variable: `count[d]` elements starting at `start[d]`,
/// every `stride[d]`-th one, for each dimension `d`.
public struct Hyperslab: Sendable, Equatable {
    public var start: [Int]
    public var count: [Int]
    public var stride: [Int]

    public init(start: [Int], count: [Int], stride: [Int]? = nil) {
        self.start = start
        self.count = count
        self.stride = stride ?? Array(repeating: 1, count: start.count)
    }

    /// The whole of a variable of the given shape.
    public static func all(_ shape: [Int]) -> Hyperslab {
        Hyperslab(start: shape.map { _ in 0 }, count: shape)
    }

    /// Number of elements selected.
    public var elementCount: Int { count.reduce(1, *) }

    /// Checks the selection against a variable's shape; returns a reason when it does not fit.
    func problem(forShape shape: [Int]) -> String? {
        guard start.count == shape.count, count.count == shape.count, stride.count == shape.count else {
            return "expected \(shape.count) start/count/stride entries (one per dimension), got \(start.count)/\(count.count)/\(stride.count)"
        }
        for d in 0..<shape.count {
            if start[d] < 0 || count[d] < 0 || stride[d] < 1 {
                return "dimension \(d): start \(start[d]), count \(count[d]), stride \(stride[d]) must be ≥ 0, ≥ 0, ≥ 1"
            }
            if count[d] > 0 && start[d] + (count[d] - 1) * stride[d] >= shape[d] {
                return "dimension \(d): start \(start[d]) + (count \(count[d]) − 1) × stride \(stride[d]) goes past its length \(shape[d])"
            }
        }
        return nil
    }
}
