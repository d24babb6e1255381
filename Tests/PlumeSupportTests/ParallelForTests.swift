import PlumeSupport
import Testing

@Suite struct ParallelForTests {
    @Test(arguments: [(0, 0), (1, 0), (1000, 0), (1000, 1 << 40)])
    func everyIndexRunsOnce(count: Int, minimumWork: Int) {
        var hits = [Int](repeating: 0, count: count)
        hits.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let out = SharedMutablePointer(base: base)
            parallelFor(count, minimumWork: minimumWork, work: 10_000) { i in out.base[i] += i + 1 }
        }
        #expect(hits == (0..<count).map { $0 + 1 })
    }
}
