/// A named dimension of a dataset.
public struct Dimension: Sendable, Equatable {
    public var name: String
    /// Current length (for an unlimited dimension: the number of records written).
    public var length: Int
    public var isUnlimited: Bool

    public init(name: String, length: Int, isUnlimited: Bool = false) {
        self.name = name
        self.length = length
        self.isUnlimited = isUnlimited
    }
}
