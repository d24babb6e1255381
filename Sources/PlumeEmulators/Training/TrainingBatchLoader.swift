import Foundation

/// Reads the windows of the coming batches on a background thread into a bounded queue, so
/// that reading overlaps training. Only the records of queued batches are ever in memory.
///
/// The loader owns a copy of the sampler: it draws `batches` batches from the sampler's state
/// and attaches to each the sampler state after it, which the trainer stores in checkpoints;
/// restarting from that state reproduces the same batches. With `prefetch` 0 the reads happen
/// on the calling thread inside `next()`.
///
/// In data-parallel training every rank draws the same global batch (the sampler's batch is
/// the per-rank batch × the world size) and reads only its own slice, `shard.index` of
/// `shard.count` equal parts: rank r of W reads samples r·B ..< (r + 1)·B.
final class TrainingBatchLoader: @unchecked Sendable {
    private let file: EmulatorDataFile
    private let variables: [String]
    private let steps: Int
    private let capacity: Int
    private let shard: (index: Int, count: Int)
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Result<TrainingWindow, EmulatorError>] = []
    private var stopped = false
    private var sampler: TrainingSampler
    private var remaining: Int
    private var thread: Thread?
    /// Seconds `next()` has spent waiting for data (reading, with `prefetch` 0).
    private(set) var waitSeconds = 0.0

    /// - Parameters:
    ///   - variables: timed variables to read (prognostic and forcing).
    ///   - steps: steps of each window.
    ///   - batches: batches to produce in all.
    ///   - prefetch: batches read ahead (queue bound); 0 reads synchronously.
    ///   - shard: this rank's part of each batch (the sampler's batch size must be a multiple of `count`).
    init(file: EmulatorDataFile, variables: [String], steps: Int, sampler: TrainingSampler, batches: Int, prefetch: Int,
         shard: (index: Int, count: Int) = (0, 1)) {
        self.shard = shard
        self.file = file
        self.variables = variables
        self.steps = steps
        self.sampler = sampler
        remaining = max(0, batches)
        capacity = prefetch
        if prefetch > 0 {
            let thread = Thread { [self] in self.produceAll() }
            thread.name = "plume-train-loader"
            self.thread = thread
            thread.start()
        }
    }

    /// The next batch's window; blocks until it is read.
    /// - Throws: the read error of that batch, or `invalidRequest` past the last batch.
    func next() throws(EmulatorError) -> TrainingWindow {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { waitSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        if capacity == 0 {
            guard remaining > 0 else { throw .invalidRequest("training loader: no batch left") }
            remaining -= 1
            return try produceOne().get()
        }
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stopped || (remaining == 0 && thread == nil) { throw .invalidRequest("training loader: no batch left") }
            condition.wait()
        }
        let result = queue.removeFirst()
        condition.broadcast()
        return try result.get()
    }

    /// Stops the background thread (it finishes the read in progress) and drops queued batches.
    func stop() {
        condition.lock()
        stopped = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// One batch drawn and read (the sampler is advanced; with a thread, under no lock — only
    /// the loader thread touches it then).
    private func produceOne() -> Result<TrainingWindow, EmulatorError> {
        let global = sampler.nextBatch()
        let part = global.count / max(shard.count, 1)
        let starts = Array(global[(shard.index * part)..<((shard.index + 1) * part)])
        do {
            var window = try TrainingWindow.read(file, starts: starts, steps: steps, variables: variables)
            window.samplerAfter = sampler.state
            return .success(window)
        } catch {
            return .failure(error)
        }
    }

    private func produceAll() {
        while true {
            condition.lock()
            while queue.count >= capacity && !stopped { condition.wait() }
            if stopped || remaining == 0 {
                thread = nil
                condition.broadcast()
                condition.unlock()
                return
            }
            remaining -= 1
            condition.unlock()
            let result = produceOne()
            condition.lock()
            if !stopped { queue.append(result) }
            if case .failure = result { remaining = 0 }
            condition.broadcast()
            condition.unlock()
        }
    }
}
