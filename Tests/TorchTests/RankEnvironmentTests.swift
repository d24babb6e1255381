import Testing
import Torch

/// Reading a rank's place in a data-parallel job from torchrun's and srun's variables.
struct RankEnvironmentTests {
    @Test func torchrunVariables() throws {
        let e = try #require(try RankEnvironment.detect(["RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1",
                                                         "MASTER_ADDR": "node07", "MASTER_PORT": "29500"]))
        #expect(e.rank == 3 && e.worldSize == 4 && e.localRank == 1)
        #expect(e.masterAddress == "node07" && e.masterPort == 29500)
    }

    @Test func noVariablesIsOneProcess() throws {
        #expect(try RankEnvironment.detect(["HOME": "/root"]) == nil)
        // The batch script of a multi-task Slurm job is not a rank (srun sets SLURM_STEP_NUM_TASKS).
        #expect(try RankEnvironment.detect(["SLURM_PROCID": "0", "SLURM_NTASKS": "4", "SLURM_JOB_ID": "17"]) == nil)
    }

    /// An srun step: rank and world from SLURM_PROCID / SLURM_STEP_NUM_TASKS, the master from
    /// the step's first node (the host list expanded as `scontrol show hostnames` does), the
    /// port from the job id.
    @Test func srunStep() throws {
        var asked: [String] = []
        let e = try #require(try RankEnvironment.detect(
            ["SLURM_PROCID": "5", "SLURM_STEP_NUM_TASKS": "8", "SLURM_LOCALID": "1", "SLURM_JOB_ID": "123456",
             "SLURM_STEP_NODELIST": "gpu[03-06]"],
            expandHosts: { list in asked.append(list); return ["gpu03", "gpu04", "gpu05", "gpu06"] }))
        #expect(asked == ["gpu[03-06]"])
        #expect(e.rank == 5 && e.worldSize == 8 && e.localRank == 1)
        #expect(e.masterAddress == "gpu03")
        #expect(e.masterPort == 20000 + 123456 % 20000)
        #expect(try RankEnvironment.slurmHostnames("solo") == ["solo"])
    }

    @Test func unusableVariablesNameTheVariable() {
        func message(_ environment: [String: String]) -> String {
            do { _ = try RankEnvironment.detect(environment); return "no error" } catch { return "\(error)" }
        }
        #expect(message(["RANK": "0", "WORLD_SIZE": "2", "MASTER_PORT": "1234"]).contains("MASTER_ADDR"))
        #expect(message(["RANK": "x", "WORLD_SIZE": "2"]).contains("RANK=x: expected an integer"))
        #expect(message(["RANK": "2", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "1"]).contains("rank 2 is outside a world of 2"))
        #expect(message(["RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "h", "MASTER_PORT": "70000"]).contains("outside 1…65535"))
    }
}
