import Foundation
import GRDB

/// The run catalog, `RUN/.plume/catalog.sqlite` (SQLite in WAL mode, shared safely by the
/// processes of a sharded campaign): every task's state, attempts, timings, config and
/// input hashes, its outputs with size and SHA-256, and the error of a failure.
public final class RunCatalog: @unchecked Sendable {
    /// A task's row.
    public struct TaskRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "tasks"
        public var stage: String
        public var cycle: String
        public var member: Int
        /// `done`, `failed`, `running`, `interrupted`, `blocked`, `waiting`.
        public var state: String
        public var attempts: Int
        /// UTC, ISO 8601.
        public var started: String?
        public var finished: String?
        public var seconds: Double?
        /// Of `seconds`, the time the stage's command itself ran (all attempts); the rest is
        /// the engine's (promotion, hashing, catalog).
        public var commandSeconds: Double?
        public var configHash: String
        public var inputsHash: String
        /// JSON: the input digests by name.
        public var inputs: String
        /// Digest of the output (`ContentDigest.combined`).
        public var outputHash: String?
        public var error: String?
        public var host: String?
        /// The engine's pid and the child's, while running.
        public var pid: Int?
        public var childPid: Int?
        /// The Slurm job that ran the task, when it ran under Slurm: `ARRAYJOB_TASK` for an
        /// array task (as squeue and the `%A_%a` log names write it), else the job id
        /// (`SlurmJob.current`). Nil in catalogs from before the column existed.
        public var slurmJob: String? = nil

        public var key: TaskKey { TaskKey(stage: stage, cycle: cycle, member: member) }
    }

    /// One file of a task's output.
    public struct OutputRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
        public static let databaseTableName = "outputs"
        public var stage: String
        public var cycle: String
        public var member: Int
        public var path: String
        public var size: Int64
        public var sha256: String
        public var modified: Int64
    }

    struct FileHashRecord: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "file_hashes"
        var path: String
        var size: Int64
        var modified: Int64
        var sha256: String
    }

    public let path: String
    let pool: DatabasePool

    /// Opens (creating) the catalog of `runFolder`.
    public init(runFolder: String) throws(PipelineError) {
        let folder = runFolder + "/.plume"
        path = folder + "/catalog.sqlite"
        // Processes starting together (the shards of a campaign) create the catalog one at a
        // time: the schema is made under a lock, then everyone shares the database.
        let setupLock = try RunLock.acquire(folder: runFolder, name: "catalog-setup", waitingUpTo: 60, pollSeconds: 0.05)
        defer { setupLock?.release() }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.create(table: "tasks") { t in
                    t.column("stage", .text).notNull()
                    t.column("cycle", .text).notNull()
                    t.column("member", .integer).notNull()
                    t.column("state", .text).notNull()
                    t.column("attempts", .integer).notNull()
                    t.column("started", .text)
                    t.column("finished", .text)
                    t.column("seconds", .double)
                    t.column("commandSeconds", .double)
                    t.column("configHash", .text).notNull()
                    t.column("inputsHash", .text).notNull()
                    t.column("inputs", .text).notNull()
                    t.column("outputHash", .text)
                    t.column("error", .text)
                    t.column("host", .text)
                    t.column("pid", .integer)
                    t.column("childPid", .integer)
                    t.primaryKey(["stage", "cycle", "member"])
                }
                try db.create(table: "outputs") { t in
                    t.column("stage", .text).notNull()
                    t.column("cycle", .text).notNull()
                    t.column("member", .integer).notNull()
                    t.column("path", .text).notNull()
                    t.column("size", .integer).notNull()
                    t.column("sha256", .text).notNull()
                    t.column("modified", .integer).notNull()
                    t.primaryKey(["stage", "cycle", "member", "path"])
                }
                try db.create(table: "file_hashes") { t in
                    t.column("path", .text).primaryKey()
                    t.column("size", .integer).notNull()
                    t.column("modified", .integer).notNull()
                    t.column("sha256", .text).notNull()
                }
            }
            // v2: the Slurm job of a task (`plume status` shows it). Older catalogs gain the
            // column, empty, when a newer plume opens them.
            migrator.registerMigration("v2-slurm-job") { db in
                try db.alter(table: "tasks") { t in t.add(column: "slurmJob", .text) }
            }
            try migrator.migrate(pool)
        } catch {
            throw .catalog(path: folder + "/catalog.sqlite", reason: "\(error)")
        }
    }

    func fail(_ error: any Error) -> PipelineError { .catalog(path: path, reason: "\(error)") }

    /// Every task row.
    public func tasks() throws(PipelineError) -> [TaskRecord] {
        do { return try pool.read { try TaskRecord.order(Column("cycle"), Column("stage"), Column("member")).fetchAll($0) } } catch { throw fail(error) }
    }

    public func task(_ key: TaskKey) throws(PipelineError) -> TaskRecord? {
        do {
            return try pool.read { try TaskRecord.fetchOne($0, key: ["stage": key.stage, "cycle": key.cycle, "member": key.member]) }
        } catch { throw fail(error) }
    }

    public func outputs(_ key: TaskKey) throws(PipelineError) -> [OutputRecord] {
        do {
            return try pool.read {
                try OutputRecord.filter(Column("stage") == key.stage && Column("cycle") == key.cycle && Column("member") == key.member)
                    .order(Column("path")).fetchAll($0)
            }
        } catch { throw fail(error) }
    }

    public func allOutputs() throws(PipelineError) -> [OutputRecord] {
        do { return try pool.read { try OutputRecord.order(Column("path")).fetchAll($0) } } catch { throw fail(error) }
    }

    /// The rows and output files of one cycle key (`once`, `final` or a cycle point), or of
    /// every task when `cycle` is nil, by task.
    public func snapshot(cycle: String? = nil) throws(PipelineError) -> (rows: [TaskKey: TaskRecord], outputs: [TaskKey: [OutputRecord]]) {
        do {
            return try pool.read { db in
                let rows = try (cycle.map { TaskRecord.filter(Column("cycle") == $0) } ?? TaskRecord.all()).fetchAll(db)
                let outputs = try (cycle.map { OutputRecord.filter(Column("cycle") == $0) } ?? OutputRecord.all()).order(Column("path")).fetchAll(db)
                var byTask: [TaskKey: [OutputRecord]] = [:]
                for output in outputs { byTask[TaskKey(stage: output.stage, cycle: output.cycle, member: output.member), default: []].append(output) }
                return (Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a }), byTask)
            }
        } catch { throw fail(error) }
    }

    /// Writes a task row (replacing it).
    public func save(_ record: TaskRecord) throws(PipelineError) {
        do { try pool.write { try record.save($0) } } catch { throw fail(error) }
    }

    /// Records a completed task and its outputs in one transaction.
    public func complete(_ record: TaskRecord, outputs: [OutputRecord]) throws(PipelineError) {
        do {
            try pool.write { db in
                try OutputRecord.filter(Column("stage") == record.stage && Column("cycle") == record.cycle && Column("member") == record.member).deleteAll(db)
                for output in outputs { try output.insert(db) }
                try record.save(db)
            }
        } catch { throw fail(error) }
    }

    /// The SHA-256 of an input file, from the cache when its size and modification time are
    /// unchanged.
    public func fileHash(_ path: String) throws(PipelineError) -> String {
        guard let info = ContentDigest.fileInfo(path) else { return try ContentDigest.input(path) }  // a folder
        do {
            if let cached = try pool.read({ try FileHashRecord.fetchOne($0, key: path) }), cached.size == info.size, cached.modified == info.modified {
                return cached.sha256
            }
        } catch { throw fail(error) }
        let sha = try ContentDigest.file(path)
        do {
            try pool.write { try FileHashRecord(path: path, size: info.size, modified: info.modified, sha256: sha).save($0) }
        } catch { throw fail(error) }
        return sha
    }
}
