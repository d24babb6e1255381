/// Draws the start records of training windows, batch by batch, reproducibly from a seed.
///
/// A window of `window` steps starting at record t reads records t … t + window, so the valid
/// starts are 0 … records − 1 − window. Sampling is by epochs WITHOUT replacement: each epoch
/// is a fresh random permutation of all valid starts (Fisher–Yates driven by SplitMix64 seeded
/// from the seed and the epoch number), consumed in order; a batch that runs past the end of
/// an epoch continues with the next epoch's permutation. So every start is used once per epoch
/// (no start is over- or under-represented, as can happen with independent draws), and the
/// whole state is three integers (`State`): the permutation of an epoch is recomputed from
/// (seed, epoch) rather than stored.
public struct TrainingSampler: Sendable, Equatable {
    /// The sampler's position: saved in checkpoints.
    public struct State: Codable, Sendable, Equatable {
        public var seed: UInt64
        /// Epochs completed.
        public var epoch: Int
        /// Starts of the current epoch already drawn.
        public var position: Int

        public init(seed: UInt64, epoch: Int = 0, position: Int = 0) {
            self.seed = seed
            self.epoch = epoch
            self.position = position
        }
    }

    /// Valid start records (0 ..< startCount).
    public let startCount: Int
    /// Samples per batch.
    public let batchSize: Int
    public private(set) var state: State
    private var permutation: [Int]

    /// - Parameters:
    ///   - records: records in the file.
    ///   - window: steps of each window (the window reads `window + 1` records).
    ///   - state: where to start (a fresh `State(seed:)` or one from a checkpoint).
    /// - Throws: `EmulatorError.invalidRequest` when the file is too short for one window.
    public init(records: Int, window: Int, batchSize: Int, state: State) throws(EmulatorError) {
        guard window >= 1, batchSize >= 1 else {
            throw .invalidRequest("sampler: window (\(window)) and batch size (\(batchSize)) must be at least 1")
        }
        guard records - window >= 1 else {
            throw .invalidRequest("\(records) record(s) cannot hold a \(window)-step window (\(window + 1) records needed)")
        }
        guard state.epoch >= 0, state.position >= 0, state.position <= records - window else {
            throw .invalidRequest("sampler state (epoch \(state.epoch), position \(state.position)) is outside \(records - window) starts")
        }
        startCount = records - window
        self.batchSize = batchSize
        self.state = state
        permutation = TrainingSampler.permutation(count: startCount, seed: state.seed, epoch: state.epoch)
    }

    /// The start records of the next batch (`batchSize` of them).
    public mutating func nextBatch() -> [Int] {
        var batch: [Int] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize {
            if state.position == startCount {
                state.epoch += 1
                state.position = 0
                permutation = TrainingSampler.permutation(count: startCount, seed: state.seed, epoch: state.epoch)
            }
            batch.append(permutation[state.position])
            state.position += 1
        }
        return batch
    }

    /// The permutation of 0 ..< count of `epoch` (Fisher–Yates, unbiased bounded draws).
    static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var random = SplitMix64(seed: SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(epoch) &+ 0x632B_E59B_D9B4_E019)))
        var values = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = Int(random.next(below: UInt64(i + 1)))
            values.swapAt(i, j)
            i -= 1
        }
        return values
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fixed, portable generator, so sampling does
/// not depend on the standard library's choices.
struct SplitMix64 {
    private var x: UInt64

    init(seed: UInt64) { x = seed }

    mutating func next() -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(x)
    }

    /// SplitMix64's finaliser: a bijective mix of the 64 bits (also used to derive seeds).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0 ..< bound (rejection of the biased tail).
    mutating func next(below bound: UInt64) -> UInt64 {
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let v = next()
            if v < limit { return v % bound }
        }
    }
}
