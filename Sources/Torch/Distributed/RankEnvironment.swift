import Foundation

/// A data-parallel job's variables that cannot be used: names the variable and what was expected.
public struct RankEnvironmentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where this process stands in a data-parallel job, read from the variables its launcher set:
/// torchrun's (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT`, also set by
/// `plume train --nproc`), or an `srun` step's (`SLURM_PROCID`, `SLURM_STEP_NUM_TASKS`,
/// `SLURM_LOCALID`; the master is the step's first node, the port `MASTER_PORT` or one derived
/// from `SLURM_JOB_ID`).
public struct RankEnvironment: Equatable, Sendable {
    public let rank: Int
    public let worldSize: Int
    /// The rank among those on this machine (the CUDA device of a GPU rank).
    public let localRank: Int
    public let masterAddress: String
    public let masterPort: Int
    /// Which launcher set the variables (for messages).
    public let source: String

    /// The rank environment in `environment`, or nil for a single process.
    /// - Throws: `RankEnvironmentError` naming the variable whose value is not usable.
    public static func detect(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                              expandHosts: (String) throws -> [String] = RankEnvironment.slurmHostnames) throws -> RankEnvironment? {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw RankEnvironmentError("\(name)=\(text): expected an integer") }
            return value
        }
        if let rank = try integer("RANK") {
            guard let world = try integer("WORLD_SIZE") else { throw RankEnvironmentError("RANK is set but WORLD_SIZE is not") }
            guard let address = environment["MASTER_ADDR"], !address.isEmpty else {
                throw RankEnvironmentError("RANK/WORLD_SIZE are set but MASTER_ADDR is not (the host of rank 0)")
            }
            guard let port = try integer("MASTER_PORT") else { throw RankEnvironmentError("RANK/WORLD_SIZE are set but MASTER_PORT is not") }
            return try checked(RankEnvironment(rank: rank, worldSize: world, localRank: try integer("LOCAL_RANK") ?? rank,
                                               masterAddress: address, masterPort: port, source: "RANK/WORLD_SIZE"))
        }
        // An srun step (SLURM_STEP_NUM_TASKS is set by srun, not in the batch script itself).
        if let world = try integer("SLURM_STEP_NUM_TASKS"), world > 1, let rank = try integer("SLURM_PROCID") {
            let address: String
            if let given = environment["MASTER_ADDR"], !given.isEmpty {
                address = given
            } else {
                guard let list = environment["SLURM_STEP_NODELIST"] ?? environment["SLURM_JOB_NODELIST"], !list.isEmpty else {
                    throw RankEnvironmentError("SLURM_PROCID is set but neither MASTER_ADDR nor SLURM_STEP_NODELIST / SLURM_JOB_NODELIST")
                }
                guard let first = try expandHosts(list).first else { throw RankEnvironmentError("SLURM_STEP_NODELIST=\(list): no host") }
                address = first
            }
            let port = try integer("MASTER_PORT") ?? (20000 + (try integer("SLURM_JOB_ID") ?? 0) % 20000)
            return try checked(RankEnvironment(rank: rank, worldSize: world, localRank: try integer("SLURM_LOCALID") ?? 0,
                                               masterAddress: address, masterPort: port, source: "srun (SLURM_PROCID)"))
        }
        return nil
    }

    private static func checked(_ e: RankEnvironment) throws -> RankEnvironment {
        guard e.worldSize >= 1, e.rank >= 0, e.rank < e.worldSize else {
            throw RankEnvironmentError("\(e.source): rank \(e.rank) is outside a world of \(e.worldSize)")
        }
        guard (1...65535).contains(e.masterPort) else { throw RankEnvironmentError("\(e.source): master port \(e.masterPort) is outside 1…65535") }
        return e
    }

    /// A Slurm host list expanded by `scontrol show hostnames` (plain names without it).
    public static func slurmHostnames(_ list: String) throws -> [String] {
        if !list.contains("["), !list.contains(",") { return [list] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["scontrol", "show", "hostnames", list]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch {
            throw RankEnvironmentError("cannot run scontrol to expand the Slurm host list \(list): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RankEnvironmentError("scontrol show hostnames \(list) failed") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
