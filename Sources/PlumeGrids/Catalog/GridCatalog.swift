import Foundation

/// Finds grids by name (a `Grids/NAME.yaml` definition) or by definition file path.
/// (`GridCatalog.resolve`, in PlumeIO, also takes a GRIB/netCDF data file, whose
/// coordinates define the grid.)
///
/// Definition folders searched, in order: `$PLUME_GRIDS` (colon-separated), `./Grids`,
/// the `Grids` folder of the installation (next to or above the executable), and the
/// project's `Grids` folder known at build time.
public enum GridCatalog {
    public static var searchPaths: [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["PLUME_GRIDS"] {
            paths += env.split(separator: ":").map(String.init)
        }
        paths.append(FileManager.default.currentDirectoryPath + "/Grids")
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<4 {
                paths.append(folder.appendingPathComponent("Grids").path)
                paths.append(folder.appendingPathComponent("share/plume/Grids").path)
                folder = folder.deletingLastPathComponent()
            }
        }
        let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Grids").path
        paths.append(project)
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// The grid called `name`: a YAML definition in the search path, or a path to a
    /// `.yaml` definition.
    public static func grid(_ name: String) throws(GridError) -> any Grid {
        if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            return try load(definitionAt: name, fallbackName: URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent)
        }
        for folder in searchPaths {
            let path = folder + "/" + name + ".yaml"
            if FileManager.default.fileExists(atPath: path) {
                return try load(definitionAt: path, fallbackName: name)
            }
        }
        throw .unknownGrid(name: name, searched: searchPaths)
    }

    /// Names of all definitions found in the search path.
    public static func availableNames() -> [String] {
        var names = Set<String>()
        for folder in searchPaths {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for f in files where f.hasSuffix(".yaml") { names.insert(String(f.dropLast(5))) }
        }
        return names.sorted()
    }

    static func load(definitionAt path: String, fallbackName: String) throws(GridError) -> any Grid {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(source: path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try GridDefinition.parse(text, source: path).makeGrid(fallbackName: fallbackName, source: path)
    }
}
