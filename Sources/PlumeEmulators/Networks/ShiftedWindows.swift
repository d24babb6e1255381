import Torch

/// How a Swin block cuts its token grid `[batch, lat, lon, channels]` into windows, and which
/// token pairs of a shifted window may attend to each other.
///
/// A shifted block rolls the grid by `−shift` before cutting it (and by `+shift` after), so its
/// windows straddle the previous block's window borders. Longitude is periodic: tokens rolled
/// across the date line of the grid are true neighbours and attend to each other freely.
/// Latitude is not: the rows rolled from the first (southernmost) rows to the end of the grid
/// share a window with the last (northernmost) rows, and the mask keeps the two apart.
struct ShiftedWindows {
    /// Token grid `[lat, lon]` (in patches).
    let grid: [Int]
    /// Window `[lat, lon]` (in patches).
    let window: [Int]
    /// Roll `[lat, lon]`, 0 for an unshifted block.
    let shift: [Int]

    var windowCount: Int { (grid[0] / window[0]) * (grid[1] / window[1]) }
    var tokensPerWindow: Int { window[0] * window[1] }

    /// `[batch, lat, lon, channels]` → `[batch, windows, tokens, channels]`, windows in row-major
    /// order (latitude first), tokens row-major within a window.
    func partition(_ x: Tensor) throws -> Tensor {
        let b = x.shape[0], c = x.shape[3]
        return try x.reshape([b, grid[0] / window[0], window[0], grid[1] / window[1], window[1], c])
            .permute([0, 1, 3, 2, 4, 5])
            .reshape([b, windowCount, tokensPerWindow, c])
    }

    /// Inverse of `partition`: `[batch, windows, tokens, channels]` → `[batch, lat, lon, channels]`.
    func merge(_ windows: Tensor) throws -> Tensor {
        let b = windows.shape[0], c = windows.shape[3]
        return try windows.reshape([b, grid[0] / window[0], grid[1] / window[1], window[0], window[1], c])
            .permute([0, 1, 3, 2, 4, 5])
            .reshape([b, grid[0], grid[1], c])
    }

    /// Boolean `[windows, 1, tokens, tokens]`, `true` where query token may attend to key token:
    /// in the rolled grid, rows `lat − shift[0] ..< lat` (which came from the southern edge)
    /// and the other rows form separate groups. `nil` when the block is not shifted in latitude.
    func latitudeMask() throws -> Tensor? {
        guard shift[0] > 0 else { return nil }
        let n = tokensPerWindow, columns = grid[1] / window[1]
        var allowed: [Bool] = []
        allowed.reserveCapacity(windowCount * n * n)
        for w in 0..<windowCount {
            let windowRow = w / columns
            let group = (0..<n).map { token in windowRow * window[0] + token / window[1] >= grid[0] - shift[0] }
            for i in 0..<n {
                for j in 0..<n { allowed.append(group[i] == group[j]) }
            }
        }
        return try Tensor(allowed, shape: [windowCount, 1, n, n])
    }
}
