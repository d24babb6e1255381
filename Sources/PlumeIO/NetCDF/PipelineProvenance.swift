import Foundation

/// The provenance a pipeline stage's outputs carry: `plume run` starts each stage command
/// with `PLUME_PROVENANCE` (`key=value` pairs separated by newlines: the pipeline, the stage,
/// the cycle, the SHA-256 of the task's config and of its inputs), and every netCDF file the
/// command writes gets them as `plume_*` global attributes. No time and no host: the same
/// task gives the same bytes.
enum PipelineProvenance {
    static let current: [(String, String)] = {
        guard let text = ProcessInfo.processInfo.environment["PLUME_PROVENANCE"] else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let equals = line.firstIndex(of: "=") else { return nil }
            let key = line[..<equals], value = line[line.index(after: equals)...]
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else { return nil }
            return ("plume_" + key, String(value))
        }
    }()
}
