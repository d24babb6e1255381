import Testing
@testable import PlumeEmulators

@Suite struct EmulatorGridTests {
    @Test func regularLowResMatchesCarbonBench() {
        let grid = EmulatorGrid.regular(rows: 32, columns: 64)
        #expect(grid.shape == [32, 64])
        #expect(grid.latitudes.first == -87.1875)
        #expect(grid.latitudes.last == 87.1875)
        #expect(grid.longitudes[1] == 5.625)
    }
}
