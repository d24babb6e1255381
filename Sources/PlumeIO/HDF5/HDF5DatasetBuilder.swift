/// Assembles a plain HDF5 file into Plume's data model with values.
///
/// Groups become nested `Group`s; each numeric dataset a `Variable` named by its last path
/// component (compound members `dataset.member`) whose `dataType` is the stored type and
/// whose values are widened as `HDF5File.values` describes. A dimension with an attached
/// HDF5 dimension scale is named after the scale dataset (so a 1-D scale is a coordinate
/// variable); the others get, per group, one dimension per distinct length, named
/// `phony_dim_N` (numbered through the file) as netCDF-C names them. String datasets,
/// which `VariableData` cannot hold, are returned by path beside the dataset.
extension HDF5File {
    struct Contents {
        var dataset: Dataset
        /// Values of string datasets by absolute path.
        var strings: [String: [String]]
        /// The catalogue's problems plus the datasets whose values could not be read.
        var problems: [PlumeIOError]
    }

    func contents() -> Contents {
        var builder = Builder(file: self)
        let dataset = builder.build("/")
        return Contents(dataset: dataset, strings: builder.strings, problems: problems + builder.problems)
    }

    private struct Builder {
        let file: HDF5File
        var strings: [String: [String]] = [:]
        var problems: [PlumeIOError] = []
        var dimensionCount = 0

        static func parent(_ path: String) -> String {
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
            return String(path[..<slash])
        }

        static func leaf(_ path: String) -> String {
            path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        }

        mutating func build(_ group: String) -> Dataset {
            var dataset = Dataset(format: "HDF5", attributes: file.groupAttributes[group] ?? [])
            var dimensionByLength: [Int: String] = [:]
            for e in file.datasets where Self.parent(e.path) == group {
                do {
                    if e.dataType == .string {
                        strings[e.path] = try file.strings(e.path)
                        continue
                    }
                    let data = try file.values(e.path)
                    var names: [String] = []
                    for (d, length) in e.shape.enumerated() {
                        // A dimension scale names the dimension after itself, unless that
                        // name is taken by a dimension of another length.
                        if d < e.dimensionScales.count, let scale = e.dimensionScales[d] {
                            let name = Self.leaf(scale)
                            if let existing = dataset.dimensions.first(where: { $0.name == name }) {
                                if existing.length == length {
                                    names.append(name)
                                    continue
                                }
                            } else {
                                dataset.dimensions.append(Dimension(name: name, length: length))
                                names.append(name)
                                continue
                            }
                        }
                        if let name = dimensionByLength[length] {
                            names.append(name)
                        } else {
                            let name = "phony_dim_\(dimensionCount)"
                            dimensionCount += 1
                            dimensionByLength[length] = name
                            dataset.dimensions.append(Dimension(name: name, length: length))
                            names.append(name)
                        }
                    }
                    dataset.variables.append(Variable(name: Self.leaf(e.path), dimensions: names, shape: e.shape,
                                                      dataType: e.dataType, attributes: e.attributes, data: data))
                } catch {
                    problems.append(PlumeIOError(error, file: file.path, context: "dataset '\(e.path)'"))
                }
            }
            for g in file.groups where g != "/" && Self.parent(g) == group {
                dataset.groups.append(Group(name: Self.leaf(g), dataset: build(g)))
            }
            return dataset
        }
    }
}
