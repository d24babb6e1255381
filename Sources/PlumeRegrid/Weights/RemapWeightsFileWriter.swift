import Foundation
import PlumeGrids
import PlumeIO

/// Writes weights and the grids they map between in a SCRIP or ESMF layout, mirroring the
/// variables, attributes and types CDO (SCRIP) and ESMF_RegridWeightGen (ESMF) write.
struct RemapWeightsFileWriter {
    let layout: RemapWeightsFileLayout
    let path: String

    func write(_ weights: RemapWeights, source: any Grid, destination: any Grid) throws(RemapError) {
        if let problem = weights.consistencyProblem() {
            throw .invalidWeights(file: path, variable: "RemapWeights.\(problem.field)", reason: "weights to write are inconsistent: \(problem.reason)")
        }
        guard source.cellCount == weights.sourceCount else {
            throw .gridMismatch(reason: "weights map from \(weights.sourceCount) source cells, grid '\(source.name)' has \(source.cellCount)")
        }
        guard destination.cellCount == weights.destinationCount else {
            throw .gridMismatch(reason: "weights map to \(weights.destinationCount) destination cells, grid '\(destination.name)' has \(destination.cellCount)")
        }
        let limit = Int(Int32.max)
        guard weights.sourceCount < limit, weights.destinationCount < limit, weights.linkCount < limit else {
            throw .invalidWeights(file: path, variable: layout.linkDimension,
                                  reason: "\(weights.linkCount) links between \(weights.sourceCount) and \(weights.destinationCount) cells exceed the 32-bit indices of \(layout.format.rawValue) files")
        }

        var dataset = Dataset()
        let src = try sideVariables(layout.source, grid: source, shape: weights.sourceShape,
                                    area: weights.sourceArea, fraction: weights.sourceFraction)
        let dst = try sideVariables(layout.destination, grid: destination, shape: weights.destinationShape,
                                    area: weights.destinationArea, fraction: weights.destinationFraction)

        // Dimensions in CDO's order: sizes, corners, ranks, links.
        dataset.dimensions = [Dimension(name: layout.source.sizeDimension, length: weights.sourceCount),
                              Dimension(name: layout.destination.sizeDimension, length: weights.destinationCount)]
        if let n = src.cornerCount { dataset.dimensions.append(Dimension(name: layout.source.cornerDimension, length: n)) }
        if let n = dst.cornerCount { dataset.dimensions.append(Dimension(name: layout.destination.cornerDimension, length: n)) }
        dataset.dimensions += [Dimension(name: layout.source.rankDimension, length: weights.sourceShape.count),
                               Dimension(name: layout.destination.rankDimension, length: weights.destinationShape.count),
                               Dimension(name: layout.linkDimension, length: weights.linkCount)]
        if let wd = layout.weightCountDimension { dataset.dimensions.append(Dimension(name: wd, length: 1)) }

        // Variables in CDO's order: each kind for source then destination, then the links.
        for k in 0..<max(src.variables.count, dst.variables.count) {
            if k < src.variables.count { dataset.variables.append(src.variables[k]) }
            if k < dst.variables.count { dataset.variables.append(dst.variables[k]) }
        }
        var sourceAddress = [Int32](repeating: 0, count: weights.linkCount)
        var destinationAddress = [Int32](repeating: 0, count: weights.linkCount)
        for i in 0..<weights.destinationCount {
            for k in weights.rowStart[i]..<weights.rowStart[i + 1] {
                destinationAddress[k] = Int32(i + 1)
                sourceAddress[k] = weights.sourceIndex[k] + 1
            }
        }
        let n = weights.linkCount
        let sourceVariable = Variable(name: layout.sourceAddress, dimensions: [layout.linkDimension], shape: [n], data: .int32(sourceAddress))
        let destinationVariable = Variable(name: layout.destinationAddress, dimensions: [layout.linkDimension], shape: [n], data: .int32(destinationAddress))
        let matrix: Variable
        if let wd = layout.weightCountDimension {
            matrix = Variable(name: layout.matrix, dimensions: [layout.linkDimension, wd], shape: [n, 1], data: .float64(weights.weights))
        } else {
            matrix = Variable(name: layout.matrix, dimensions: [layout.linkDimension], shape: [n], data: .float64(weights.weights))
        }
        // ESMF_RegridWeightGen writes col, row, S; CDO src_address, dst_address, remap_matrix.
        dataset.variables += [sourceVariable, destinationVariable, matrix]
        dataset.attributes = globalAttributes(weights, source: source, destination: destination)

        let writer = NetCDFWriter(deflateLevel: 1, source: "Plume",
                                  historyLine: "\(layout.format.rawValue) remapping weights \(source.name) -> \(destination.name)")
        do {
            try writer.write(dataset, to: path)
        } catch {
            let text = (error as? PlumeIOError)?.description ?? "\(error)"
            throw .io(file: path, reason: text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text)
        }
    }

    private func globalAttributes(_ weights: RemapWeights, source: any Grid, destination: any Grid) -> [Attribute] {
        // CDO copies names into 64-byte buffers: keep them shorter.
        func short(_ s: String) -> String { String(decoding: Array(s.utf8.prefix(63)), as: UTF8.self) }
        switch layout.format {
        case .scrip:
            return [Attribute("title", .text("Plume remapping")),
                    Attribute("normalization", .text(weights.fileNormalization)),
                    Attribute("map_method", .text(weights.method.scripMapMethod)),
                    Attribute("conventions", .text("SCRIP")),
                    Attribute("source_grid", .text(short(source.name))),
                    Attribute("dest_grid", .text(short(destination.name)))]
        case .esmf:
            return [Attribute("title", .text("Plume remapping weights")),
                    Attribute("normalization", .text(weights.fileNormalization)),
                    Attribute("map_method", .text(weights.method.esmfMapMethod)),
                    Attribute("conventions", .text("NCAR-CSM")),
                    Attribute("domain_a", .text(source.name)),
                    Attribute("domain_b", .text(destination.name))]
        }
    }

    private struct SideVariables {
        /// grid_dims, centre lat, centre lon, [corner lat, corner lon,] mask, area, fraction.
        var variables: [Variable]
        var cornerCount: Int?
    }

    private func sideVariables(_ names: RemapWeightsFileLayout.Side, grid: any Grid, shape: [Int],
                               area: [Double], fraction: [Double]) throws(RemapError) -> SideVariables {
        let n = grid.cellCount
        let f = layout.writesRadians ? Double.pi / 180 : 1
        let angleUnits = Attribute("units", .text(layout.writesRadians ? "radians" : "degrees"))
        let unitless = Attribute("units", .text("unitless"))
        let centres = grid.centres()
        guard centres.count == n else {
            throw .gridMismatch(reason: "grid '\(grid.name)' gives \(centres.count) centres for \(n) cells")
        }
        var variables = [
            Variable(name: names.dims, dimensions: [names.rankDimension], shape: [shape.count],
                     data: .int32(shape.reversed().map { Int32($0) })),
            Variable(name: names.centreLatitude, dimensions: [names.sizeDimension], shape: [n],
                     attributes: [angleUnits], data: .float64(centres.map { $0.latitude * f })),
            Variable(name: names.centreLongitude, dimensions: [names.sizeDimension], shape: [n],
                     attributes: [angleUnits], data: .float64(centres.map { $0.longitude * f })),
        ]
        let corners = grid.corners()
        let nv = corners.first?.count ?? 0
        var cornerCount: Int?
        if corners.count == n, nv > 0 {
            guard corners.allSatisfy({ $0.count == nv }) else {
                throw .gridMismatch(reason: "grid '\(grid.name)' gives cells different numbers of corners; weight files need the same count for every cell")
            }
            var lat = [Double](), lon = [Double]()
            lat.reserveCapacity(n * nv)
            lon.reserveCapacity(n * nv)
            for cell in corners {
                for p in cell {
                    lat.append(p.latitude * f)
                    lon.append(p.longitude * f)
                }
            }
            variables += [
                Variable(name: names.cornerLatitude, dimensions: [names.sizeDimension, names.cornerDimension], shape: [n, nv],
                         attributes: [angleUnits], data: .float64(lat)),
                Variable(name: names.cornerLongitude, dimensions: [names.sizeDimension, names.cornerDimension], shape: [n, nv],
                         attributes: [angleUnits], data: .float64(lon)),
            ]
            cornerCount = nv
        }
        variables += [
            Variable(name: names.mask, dimensions: [names.sizeDimension], shape: [n], attributes: [unitless],
                     data: .int32([Int32](repeating: 1, count: n))),
            Variable(name: names.area, dimensions: [names.sizeDimension], shape: [n],
                     attributes: [Attribute("units", .text("square radians"))], data: .float64(area)),
            Variable(name: names.fraction, dimensions: [names.sizeDimension], shape: [n], attributes: [unitless],
                     data: .float64(fraction)),
        ]
        return SideVariables(variables: variables, cornerCount: cornerCount)
    }
}
