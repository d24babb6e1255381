/// The one data model shared by every format Plume reads and writes: dimensions,
/// variables and attributes, with nested groups (netCDF-4 and HDF5).
///
/// A dataset read from a file holds metadata only (`Variable.data == nil`) until values
/// are asked for; one assembled from GRIB messages, or built to be written, holds values.
public struct Dataset: Sendable, Equatable {
    /// What the dataset was read from (`"netCDF-4"`, `"GRIB"`, …); empty when built in memory.
    public var format: String
    public var dimensions: [Dimension]
    public var variables: [Variable]
    public var attributes: [Attribute]
    public var groups: [Group]

    public init(
        format: String = "", dimensions: [Dimension] = [], variables: [Variable] = [],
        attributes: [Attribute] = [], groups: [Group] = []
    ) {
        self.format = format
        self.dimensions = dimensions
        self.variables = variables
        self.attributes = attributes
        self.groups = groups
    }

    /// The variable called `name` in the root group, if present.
    public func variable(_ name: String) -> Variable? {
        variables.first { $0.name == name }
    }

    /// The dimension called `name` in the root group, if present.
    public func dimension(_ name: String) -> Dimension? {
        dimensions.first { $0.name == name }
    }

    /// Coordinate variables: one-dimensional variables named like their dimension.
    public var coordinateVariables: [Variable] {
        variables.filter { $0.dimensions.count == 1 && $0.dimensions[0] == $0.name }
    }

    /// Data variables: those that are neither coordinate variables nor named in another
    /// variable's `coordinates` attribute nor scalar coordinates.
    public var dataVariables: [Variable] {
        let auxiliary = Set(variables.flatMap { ($0.attributes["coordinates"]?.text ?? "").split(separator: " ").map(String.init) })
        return variables.filter { !($0.dimensions.count == 1 && $0.dimensions[0] == $0.name) && !auxiliary.contains($0.name) }
    }
}

/// A named group of a netCDF-4 or HDF5 file.
public struct Group: Sendable, Equatable {
    public var name: String
    public var dataset: Dataset

    public init(name: String, dataset: Dataset) {
        self.name = name
        self.dataset = dataset
    }
}
