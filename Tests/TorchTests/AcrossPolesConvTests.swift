import Testing
import Torch

/// `Conv2d(paddingMode: .acrossPoles)`: longitude wraps; the rows padded beyond a pole are the
/// rows across it (same latitude distance from the pole, 180° of longitude away).
@Suite("Conv2d across-poles padding")
struct AcrossPolesConvTests {
    @Test("equals a convolution of the input padded row by row over the poles by hand")
    func matchesPaddingByHand() throws {
        let rows = 5, columns = 8, ph = 2, pw = 1
        let conv = try Conv2d(2, 3, kernelSize: [5, 3], padding: [ph, pw], paddingMode: .acrossPoles,
                              generator: Generator(seed: 11))
        let x = try Tensor.randn([2, 2, rows, columns], dtype: .float64, generator: Generator(seed: 12))
        let conv64 = try conv.to(.float64)
        let y = try conv64(x)
        #expect(y.shape == [2, 3, rows, columns])

        // Padded grid by hand: padded row r (0 ..< rows + 2·ph), column c (0 ..< columns + 2·pw).
        let values: [Double] = try x.contiguous().toArray()
        var padded = [Double](repeating: .nan, count: 2 * 2 * (rows + 2 * ph) * (columns + 2 * pw))
        let height = rows + 2 * ph, width = columns + 2 * pw
        for plane in 0..<4 {
            for r in 0..<height {
                for c in 0..<width {
                    let lon = ((c - pw) % columns + columns) % columns
                    let row = r - ph
                    let (sourceRow, sourceLon): (Int, Int)
                    if row < 0 {
                        sourceRow = -row - 1; sourceLon = (lon + columns / 2) % columns
                    } else if row >= rows {
                        sourceRow = 2 * rows - row - 1; sourceLon = (lon + columns / 2) % columns
                    } else {
                        sourceRow = row; sourceLon = lon
                    }
                    padded[(plane * height + r) * width + c] = values[(plane * rows + sourceRow) * columns + sourceLon]
                }
            }
        }
        let byHand = try Tensor(padded, shape: [2, 2, height, width])
            .conv2d(weight: conv64.weight, bias: conv64.bias, padding: [0, 0])
        let difference: Double = try (y - byHand).abs().max().item()
        #expect(difference < 1e-12, "differs by \(difference)")
        // The polar rows differ from zero padding, the inner rows do not.
        let zeros = try Conv2d(2, 3, kernelSize: [5, 3], padding: [ph, pw], paddingMode: .longitudeCircular).to(.float64)
        zeros.weight = conv64.weight
        zeros.bias = conv64.bias
        let z = try zeros(x)
        let inner: Double = try (y.narrow(dim: 2, start: ph, length: rows - 2 * ph) - z.narrow(dim: 2, start: ph, length: rows - 2 * ph)).abs().max().item()
        let polar: Double = try (y.narrow(dim: 2, start: 0, length: 1) - z.narrow(dim: 2, start: 0, length: 1)).abs().max().item()
        #expect(inner < 1e-12)
        #expect(polar > 1e-3)
    }

    @Test("an odd number of longitudes or fewer rows than the padding is refused")
    func refusesUnusableGrids() throws {
        let conv = try Conv2d(1, 1, kernelSize: [3], padding: [1], paddingMode: .acrossPoles)
        #expect(throws: TorchError.self) { _ = try conv(Tensor.zeros([1, 1, 4, 7])) }
        let tall = try Conv2d(1, 1, kernelSize: [7], padding: [3], paddingMode: .acrossPoles)
        #expect(throws: TorchError.self) { _ = try tall(Tensor.zeros([1, 1, 2, 8])) }
    }
}
