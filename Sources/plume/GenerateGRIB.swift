import Foundation
import PlumeIO

/// GRIB 2 copies of the weather files (`plume generate weather --format grib|both`): each
/// CF netCDF split file is read back and written through `GRIBWriter.write(dataset:…)` as
/// `<name>.grib2` beside it (shortNames u, v, gh and vo as paramId 138 at isobaricInhPa 500, the
/// equivalent-barotropic level standing for the one layer; the static orography is left out),
/// one message per field and 6-hourly time. Only lat-lon and regular Gaussian output grids can be written.
enum GenerateGRIB {
    /// ecCodes shortNames of the weather variables.
    static let parameters: [String: GRIBOutputField.Parameter] = [
        "u": .shortName("u"), "v": .shortName("v"), "h": .shortName("gh"), "vorticity": .paramId(138)]

    /// Writes `<file without .nc>.grib2` for each netCDF file; returns the GRIB paths.
    static func convert(_ files: [String]) throws -> [String] {
        var written: [String] = []
        for path in files {
            let file = try NetCDFFile(path: path)
            var dataset = file.dataset
            // GRIB fields need a time: the static orography stays in the netCDF files only.
            dataset.variables.removeAll { $0.name == "orography" }
            for i in dataset.variables.indices {
                dataset.variables[i].data = .float64(try file.read(dataset.variables[i].name))
                // The one layer, labelled as the equivalent-barotropic level 500 hPa (a surface
                // level would turn gh into orog; ecCodes has no single-layer vo).
                if parameters[dataset.variables[i].name] != nil {
                    dataset.variables[i].attributes.set("coordinates", .text("isobaricInhPa"))
                }
            }
            dataset.variables.append(Variable(name: "isobaricInhPa", dimensions: [], shape: [],
                                              attributes: [Attribute("units", .text("hPa")),
                                                           Attribute("standard_name", .text("air_pressure"))],
                                              data: .float64([500])))
            let grib = (path as NSString).deletingPathExtension + ".grib2"
            try GRIBWriter.write(dataset: dataset, to: grib, parameterMap: parameters)
            written.append(grib)
        }
        return written
    }
}
