import Foundation
import Testing
import Torch


/// Results handed from the rank threads (guarded by `lock`).
private final class ResultBox<T>: @unchecked Sendable {
    var results: [Int: Result<T, any Error>] = [:]
    let lock = NSLock()
}

/// libtorch's c10d through `ProcessGroup` and `GradientReducer`: two ranks on two threads of
/// this process, meeting over TCP on 127.0.0.1 (Gloo is indifferent to where its ranks live).
@Suite(.serialized) struct ProcessGroupTests {
    /// Runs `body(rank)` for ranks 0 and 1 on two threads; returns their results by rank.
    static func twoRanks<T>(_ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let box = ResultBox<T>()
        let done = DispatchGroup()
        for rank in 0..<2 {
            done.enter()
            Thread {
                let result = Result { try body(rank) }
                box.lock.lock(); box.results[rank] = result; box.lock.unlock()
                done.leave()
            }.start()
        }
        done.wait()
        return try (0..<2).map { rank in
            guard let result = box.results[rank] else { throw TorchError(operation: "test", message: "rank \(rank) gave no result") }
            return try result.get()
        }
    }

    static func freePort() throws -> Int { try ProcessGroup.freeLocalPort() }

    @Test func glooIsBuiltIn() {
        #expect(ProcessGroup.isAvailable(.gloo))
    }

    @Test func allReduceAndBroadcastOverTwoRanks() throws {
        let port = try Self.freePort()
        let results = try Self.twoRanks { rank -> [[Float]] in
            let group = try ProcessGroup(masterAddress: "127.0.0.1", masterPort: port, rank: rank, worldSize: 2, timeoutSeconds: 30)
            let sum = try Tensor([Float(rank + 1), Float(10 * (rank + 1))])
            let maximum = try Tensor([Float(rank), -Float(rank)])
            let broadcast = try Tensor(rank == 0 ? [Float(7), 8] : [Float(0), 0])
            try group.allReduce([sum])
            try group.allReduce([maximum], .max)
            try group.broadcast([broadcast], from: 0)
            try group.barrier()
            return [try sum.toArray(of: Float.self), try maximum.toArray(of: Float.self), try broadcast.toArray(of: Float.self)]
        }
        for rank in 0..<2 {
            #expect(results[rank][0] == [3, 30])
            #expect(results[rank][1] == [1, 0])
            #expect(results[rank][2] == [7, 8])
        }
    }

    /// After the reducer's backward pass every rank holds the mean of the ranks' gradients:
    /// loss_r = Σ w ⊙ x_r (so ∂loss_r/∂w = x_r) and, for a second parameter, Σ b² (∂ = 2b).
    @Test func reducerAveragesGradientsDuringBackward() throws {
        let port = try Self.freePort()
        let inputs: [[Float]] = [[1, 2, 3, 4], [5, -6, 7, 0.5]]
        let results = try Self.twoRanks { rank -> ([Float], [Float], GradientReducer.CommunicationTiming) in
            let group = try ProcessGroup(masterAddress: "127.0.0.1", masterPort: port, rank: rank, worldSize: 2, timeoutSeconds: 30)
            let w = try Tensor([Float](repeating: 0.5, count: 4)).requiresGrad(true)
            let b = try Tensor([Float(rank + 1), 2]).requiresGrad(true)
            let reducer = try GradientReducer(parameters: [w, b], group: group, bucketBytes: 8)
            for _ in 0..<2 {
                try w.setGrad(nil)
                try b.setGrad(nil)
                let loss = try (w * Tensor(inputs[rank])).sum() + b.square().sum()
                try reducer.prepareForBackward()
                try loss.backward()
            }
            guard let gw = w.grad, let gb = b.grad else { throw TorchError(operation: "test", message: "no gradient") }
            return (try gw.toArray(of: Float.self), try gb.toArray(of: Float.self), try reducer.timing())
        }
        let mean = (0..<4).map { (inputs[0][$0] + inputs[1][$0]) / 2 }
        for rank in 0..<2 {
            #expect(results[rank].0 == mean)
            #expect(results[rank].1 == [3, 4], "b differs by rank (1 and 2): the mean of 2b is 3; the second element 4")
            #expect(results[rank].2.backwardPasses == 2)
            #expect(results[rank].2.buckets >= 4, "8-byte buckets: at least one per parameter and pass")
            #expect(results[rank].2.overlappedSeconds + results[rank].2.exposedSeconds > 0)
        }
    }

    /// `gatherRows`: rank 0 holds row 0, rank 1 rows 1 and 2; both end with all three, exactly.
    @Test func gatherRowsGivesEveryRankEveryRow() throws {
        let port = try Self.freePort()
        let rows: [[Double]] = [[0.1, -2], [3e-300, 4], [5.5, 1e300]]
        let results = try Self.twoRanks { rank -> [[Double]] in
            let group = try ProcessGroup(masterAddress: "127.0.0.1", masterPort: port, rank: rank, worldSize: 2, timeoutSeconds: 30)
            let mine = rank == 0 ? Array(rows[0..<1]) : Array(rows[1..<3])
            return try group.gatherRows(mine, first: rank == 0 ? 0 : 1, count: 3, width: 2)
        }
        #expect(results[0] == rows && results[1] == rows)
    }

    @Test func aMissingRankFailsTheRendezvousAfterTheTimeout() throws {
        let start = Date()
        #expect(throws: TorchError.self) {
            _ = try ProcessGroup(masterAddress: "127.0.0.1", masterPort: try Self.freePort(), rank: 0, worldSize: 2, timeoutSeconds: 2)
        }
        #expect(Date().timeIntervalSince(start) < 30)
    }
}
