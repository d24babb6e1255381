import ArgumentParser
import Foundation
import PlumePipeline

/// `plume status`: the tasks of a run folder and their states.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's tasks (stage × cycle): state, attempts, time, host and pid, the Slurm array task that ran it, and why a task failed or waits.")

    @Argument(help: "Run folder (holding .plume/catalog.sqlite), or a pipeline file (its run folder).")
    var target: String

    func run() throws {
        let folder = try Self.runFolder(target)
        guard FileManager.default.fileExists(atPath: folder + "/.plume/catalog.sqlite") else {
            throw ValidationError("\(folder): no run catalog (.plume/catalog.sqlite); has plume run run there?")
        }
        let catalog = try RunCatalog(runFolder: folder)
        print(StatusTable.render(try catalog.tasks()))
    }

    /// The run folder named by `text`: a folder, or a pipeline file's run folder.
    static func runFolder(_ text: String) throws -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isFolder), !isFolder.boolValue {
            return try PipelineFile.parse(String(decoding: FileManager.default.contents(atPath: text) ?? Data(), as: UTF8.self), path: text).runFolder
        }
        return URL(fileURLWithPath: text).standardizedFileURL.path
    }
}
