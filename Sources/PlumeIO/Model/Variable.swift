/// A variable: its name, dimensions, element type, attributes and, when loaded, its values.
public struct Variable: Sendable, Equatable {
    public var name: String
    /// Dimension names, slowest-varying first (row-major), e.g. `["time", "level", "latitude", "longitude"]`.
    public var dimensions: [String]
    /// Lengths of `dimensions`, in the same order.
    public var shape: [Int]
    public var dataType: DataType
    public var attributes: [Attribute]
    /// Values in memory (row-major); `nil` for metadata read from a file without values.
    public var data: VariableData?

    public init(
        name: String, dimensions: [String], shape: [Int], dataType: DataType,
        attributes: [Attribute] = [], data: VariableData? = nil
    ) {
        self.name = name
        self.dimensions = dimensions
        self.shape = shape
        self.dataType = dataType
        self.attributes = attributes
        self.data = data
    }

    /// A variable whose type and shape come from its values.
    public init(name: String, dimensions: [String], shape: [Int], attributes: [Attribute] = [], data: VariableData) {
        self.init(name: name, dimensions: dimensions, shape: shape, dataType: data.dataType, attributes: attributes, data: data)
    }

    /// Number of elements (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// The `units` attribute, when present.
    public var units: String? { attributes["units"]?.text }
}
