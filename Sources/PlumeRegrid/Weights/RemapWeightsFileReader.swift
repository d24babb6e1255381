import Foundation
import PlumeGrids
import PlumeIO

/// Reads and validates one SCRIP or ESMF weight file. Every failure is a `RemapError`
/// naming the file and the variable (or dimension, or attribute) at fault.
struct RemapWeightsFileReader {
    let path: String
    let file: NetCDFFile
    let layout: RemapWeightsFileLayout

    /// Opens `path` and recognises its layout by its variables.
    init(path: String) throws(RemapError) {
        self.path = path
        do {
            // NetCDFFile refuses classic files cut short (the library would read zeros).
            file = try NetCDFFile(path: path)
        } catch PlumeIOError.truncated(_, let variable, let end, let size) {
            throw .invalidWeights(file: path, variable: variable,
                                  reason: "the file is truncated: it has \(size) bytes, its header puts the end of this variable's data at byte \(end)")
        } catch {
            let reason = Self.reason(error, path)
            throw .io(file: path, reason: reason.contains("HDF error") ? reason + " (the file may be truncated or damaged)" : reason)
        }
        let names = Set(file.dataset.variables.map(\.name))
        if names.isSuperset(of: ["S", "row", "col"]) {
            layout = .esmf
        } else if names.contains("remap_matrix") || names.contains("src_address") || names.contains("dst_address") {
            layout = .scrip
        } else {
            throw .invalidWeights(file: path, variable: "remap_matrix",
                                  reason: "not a weight file: neither SCRIP variables (remap_matrix, src_address, dst_address) nor ESMF ones (S, row, col); the file has: \(Self.list(names.sorted()))")
        }
    }

    /// The weights and grid descriptions, validated.
    func read() throws(RemapError) -> RemapWeightsFile.Contents {
        let mapMethod = try globalText("map_method", required: true) ?? ""
        guard let method = RemapMethod.fromWeightFileText(mapMethod) else {
            throw .invalidWeights(file: path, variable: "map_method",
                                  reason: "method \"\(mapMethod)\" is not supported; Plume reads conservative, bilinear and nearest-neighbour (or distance-weighted) weights")
        }
        let normalization = try globalText("normalization", required: layout.format == .scrip) ?? "none"
        guard ["none", "fracarea", "destarea"].contains(normalization) else {
            throw .invalidWeights(file: path, variable: "normalization", reason: "\"\(normalization)\" is none of none, fracarea, destarea")
        }

        let source = try side(layout.source)
        let destination = try side(layout.destination)

        // Links.
        let linkCount = try dimension(layout.linkDimension)
        let sourceAddress = try integers(layout.sourceAddress, shape: [linkCount], range: 1...max(1, source.count))
        let destinationAddress = try integers(layout.destinationAddress, shape: [linkCount], range: 1...max(1, destination.count))
        if linkCount > 0 && (source.count == 0 || destination.count == 0) {
            throw .invalidWeights(file: path, variable: layout.linkDimension, reason: "\(linkCount) links between grids of \(source.count) and \(destination.count) cells")
        }
        let weights = try matrixFirstColumn(linkCount: linkCount)

        // Compressed rows by destination; links keep their file order within a row.
        var rowStart = [Int](repeating: 0, count: destination.count + 1)
        for d in destinationAddress { rowStart[d] += 1 }  // 1-based d: counts land at d-1+1
        for i in 0..<destination.count { rowStart[i + 1] += rowStart[i] }
        var fill = rowStart
        var sourceIndex = [Int32](repeating: 0, count: linkCount)
        var values = [Double](repeating: 0, count: linkCount)
        for k in 0..<linkCount {
            let i = destinationAddress[k] - 1
            sourceIndex[fill[i]] = Int32(sourceAddress[k] - 1)
            values[fill[i]] = weights[k]
            fill[i] += 1
        }
        let result = RemapWeights(
            method: method, sourceCount: source.count, destinationCount: destination.count,
            sourceShape: source.description.shape, destinationShape: destination.description.shape,
            rowStart: rowStart, sourceIndex: sourceIndex, weights: values,
            sourceArea: source.area, destinationArea: destination.area,
            sourceFraction: source.fraction, destinationFraction: destination.fraction)
        if let problem = result.consistencyProblem() {
            throw .invalidWeights(file: path, variable: problem.field, reason: problem.reason)
        }
        return RemapWeightsFile.Contents(
            format: layout.format, weights: result, source: source.description, destination: destination.description,
            normalization: normalization, mapMethod: mapMethod, attributes: file.dataset.attributes)
    }

    // MARK: - One grid

    private struct SideContents {
        var count: Int
        var description: RemapGridDescription
        var area: [Double]
        var fraction: [Double]
    }

    private func side(_ names: RemapWeightsFileLayout.Side) throws(RemapError) -> SideContents {
        let n = try dimension(names.sizeDimension)
        guard n < Int(Int32.max) else {
            throw .invalidWeights(file: path, variable: names.sizeDimension, reason: "\(n) cells: more than Plume's 32-bit cell indices hold")
        }

        // Shape: grid_dims in Fortran order (fastest first), required in SCRIP files.
        var shape = [n]
        if has(names.dims) || layout.format == .scrip {
            let rank = try dimension(names.rankDimension)
            guard rank >= 1 else {
                throw .invalidWeights(file: path, variable: names.rankDimension, reason: "grid rank must be at least 1, is \(rank)")
            }
            let dims = try integers(names.dims, shape: [rank], range: 0...n)
            guard dims.reduce(1, *) == n else {
                throw .invalidWeights(file: path, variable: names.dims, reason: "dimensions \(dims) hold \(dims.reduce(1, *)) cells, '\(names.sizeDimension)' is \(n)")
            }
            shape = dims.reversed()
        }

        let latitudes = try angles(names.centreLatitude, shape: [n], isLatitude: true)
        let longitudes = try angles(names.centreLongitude, shape: [n], isLatitude: false)
        let centres = zip(latitudes, longitudes).map { GeoPoint(latitude: $0, longitude: $1) }

        var corners: [[GeoPoint]]?
        switch (has(names.cornerLatitude), has(names.cornerLongitude)) {
        case (true, true):
            let nv = try dimension(names.cornerDimension)
            guard nv >= 1 else { throw .invalidWeights(file: path, variable: names.cornerDimension, reason: "cells need at least one corner") }
            let lat = try angles(names.cornerLatitude, shape: [n, nv], isLatitude: true)
            let lon = try angles(names.cornerLongitude, shape: [n, nv], isLatitude: false)
            corners = (0..<n).map { i in (0..<nv).map { GeoPoint(latitude: lat[i * nv + $0], longitude: lon[i * nv + $0]) } }
        case (false, false):
            corners = nil
        case (true, false):
            throw missing(names.cornerLongitude, because: "'\(names.cornerLatitude)' is present")
        case (false, true):
            throw missing(names.cornerLatitude, because: "'\(names.cornerLongitude)' is present")
        }

        let mask = has(names.mask) ? try integers(names.mask, shape: [n], range: nil).map { Int32(clamping: $0) }
                                   : [Int32](repeating: 1, count: n)
        let area = has(names.area) ? try reals(names.area, shape: [n]) : [Double](repeating: 0, count: n)
        if let k = area.firstIndex(where: { $0 < 0 }) {
            throw .invalidWeights(file: path, variable: names.area, reason: "cell \(k) has negative area \(area[k])")
        }
        let fraction = has(names.fraction) ? try reals(names.fraction, shape: [n]) : [Double](repeating: 1, count: n)
        return SideContents(count: n, description: RemapGridDescription(shape: shape, centres: centres, corners: corners, mask: mask),
                            area: area, fraction: fraction)
    }

    private func matrixFirstColumn(linkCount: Int) throws(RemapError) -> [Double] {
        let name = layout.matrix
        guard let v = file.dataset.variable(name) else { throw missing(name) }
        var columns = 1
        if let wd = layout.weightCountDimension, v.shape.count == 2 {
            columns = try dimension(wd)
            guard columns >= 1 else { throw .invalidWeights(file: path, variable: wd, reason: "needs at least one weight per link") }
            guard v.shape == [linkCount, columns] else {
                throw .invalidWeights(file: path, variable: name, reason: "has shape \(v.shape) (\(v.dimensions.joined(separator: ", "))), expected [\(layout.linkDimension) = \(linkCount), \(wd) = \(columns)]")
            }
        }
        let all = try reals(name, shape: columns == 1 && v.shape.count == 1 ? [linkCount] : [linkCount, columns])
        return columns == 1 ? all : stride(from: 0, to: all.count, by: columns).map { all[$0] }
    }

    // MARK: - Variables, dimensions, attributes

    private func has(_ name: String) -> Bool { file.dataset.variable(name) != nil }

    private func dimension(_ name: String) throws(RemapError) -> Int {
        guard let d = file.dataset.dimension(name) else {
            throw .invalidWeights(file: path, variable: name,
                                  reason: "dimension missing; \(formatName) weight file needs it (the file has dimensions: \(Self.list(file.dataset.dimensions.map(\.name))))")
        }
        return d.length
    }

    private func globalText(_ name: String, required: Bool) throws(RemapError) -> String? {
        switch file.dataset.attributes[name] {
        case .text(let s)?: return s.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\0")))
        case nil where !required: return nil
        case nil: throw .invalidWeights(file: path, variable: name, reason: "global attribute missing; \(formatName) weight file needs it")
        case let value?: throw .invalidWeights(file: path, variable: name, reason: "global attribute should be text, is \(value)")
        }
    }

    /// Values of a numeric variable of exactly `shape`, all finite.
    private func reals(_ name: String, shape: [Int]) throws(RemapError) -> [Double] {
        guard let v = file.dataset.variable(name) else { throw missing(name) }
        guard v.dataType.isNumeric else {
            throw .invalidWeights(file: path, variable: name, reason: "holds \(v.dataType.rawValue) values, expected numbers")
        }
        guard v.shape == shape else {
            throw .invalidWeights(file: path, variable: name, reason: "has shape \(v.shape) (\(v.dimensions.joined(separator: ", "))), expected \(shape)")
        }
        let values: [Double]
        do {
            values = try file.readRaw(name)
        } catch {
            throw .invalidWeights(file: path, variable: name, reason: "cannot be read: \(Self.reason(error, path))")
        }
        guard values.count == shape.reduce(1, *) else {
            throw .invalidWeights(file: path, variable: name, reason: "read \(values.count) values, expected \(shape.reduce(1, *))")
        }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw .invalidWeights(file: path, variable: name, reason: "entry \(k) is \(values[k])")
        }
        return values
    }

    /// Whole numbers, each in `range` when given.
    private func integers(_ name: String, shape: [Int], range: ClosedRange<Int>?) throws(RemapError) -> [Int] {
        let values = try reals(name, shape: shape)
        var out = [Int](repeating: 0, count: values.count)
        for (k, x) in values.enumerated() {
            guard x == x.rounded(), abs(x) < 9e15 else {
                throw .invalidWeights(file: path, variable: name, reason: "entry \(k) is \(x), expected a whole number")
            }
            let i = Int(x)
            if let range, !range.contains(i) {
                throw .invalidWeights(file: path, variable: name,
                                      reason: "entry \(k) is \(i), outside \(range.lowerBound)…\(range.upperBound)")
            }
            out[k] = i
        }
        return out
    }

    /// Angles converted to degrees by the variable's `units`; latitudes checked to lie in [−90°, 90°].
    private func angles(_ name: String, shape: [Int], isLatitude: Bool) throws(RemapError) -> [Double] {
        var values = try reals(name, shape: shape)
        let unit: AngleUnit
        if let text = file.dataset.variable(name)?.attributes["units"]?.text {
            guard let u = AngleUnit(units: text) else {
                throw .invalidWeights(file: path, variable: name, reason: "units \"\(text)\" are neither radians nor degrees")
            }
            unit = u
        } else if let u = layout.defaultAngleUnit {
            unit = u
        } else {
            throw .invalidWeights(file: path, variable: name, reason: "has no units attribute (expected \"radians\" or \"degrees\")")
        }
        if unit == .radians {
            let f = unit.toDegrees
            for k in values.indices { values[k] *= f }
        }
        if isLatitude, let k = values.firstIndex(where: { abs($0) > 90 + 1e-6 }) {
            throw .invalidWeights(file: path, variable: name, reason: "latitude \(k) is \(values[k])°, outside [−90°, 90°] (units \(unit))")
        }
        return values
    }

    private func missing(_ name: String, because: String? = nil) -> RemapError {
        let why = because.map { " (\($0))" } ?? ""
        return .invalidWeights(file: path, variable: name,
                               reason: "variable missing; \(formatName) weight file needs it\(why) (the file has: \(Self.list(file.variableNames)))")
    }

    /// "a SCRIP" or "an ESMF", for messages.
    private var formatName: String { layout.format == .scrip ? "a SCRIP" : "an ESMF" }

    private static func list(_ names: [String]) -> String { names.isEmpty ? "nothing" : names.joined(separator: ", ") }

    /// The message of a netCDF reader error without its leading file name.
    private static func reason(_ error: any Error, _ path: String) -> String {
        let text = (error as? PlumeIOError)?.description ?? "\(error)"
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
