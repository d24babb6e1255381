import Testing
@testable import PlumeEmulators

/// The floor on the one-step-change deviation per level.
@Suite struct NormalisationStatisticsTests {
    /// `make demo`'s 12 days: the top level changes by 1e-5 against 2 at the surface. Floored at
    /// 1e-3 of the largest (2.0245e-3); levels above the floor and the means are untouched.
    @Test func quietLevelsAreFlooredAtAThousandthOfTheLargest() {
        let demo = NormalisationStatistics.Moments(mean: [0.09, 0.08, -1.7e-6], std: [2.0245, 0.036, 1.16e-5])
        let floored = NormalisationStatistics.flooredChange(demo)
        #expect(floored.mean == demo.mean)
        #expect(floored.std[0] == 2.0245 && floored.std[1] == 0.036)
        #expect(abs(floored.std[2] - 2.0245e-3) < 1e-12)
        // CarbonBench-mini's 500 days: smallest level 0.9% of the largest, nothing changes.
        let lowRes = NormalisationStatistics.Moments(mean: [0, 0], std: [2.56, 0.0227])
        #expect(NormalisationStatistics.flooredChange(lowRes) == lowRes)
    }
}
