import Testing
import Torch

/// `Tensor.uploaded`: host values onto a device (pinned memory and an asynchronous copy for
/// CUDA; on the CPU the plain copy, checked here; Scripts/device-check.sh trains through it on a GPU).
struct UploadTests {
    @Test func uploadToTheCPUHoldsTheValuesInRowMajorOrder() throws {
        let values: [Float] = [1, -2, 3.5, 4, 5, 6]
        let t = try Tensor.uploaded(values, shape: [2, 3], to: .cpu)
        #expect(t.shape == [2, 3] && t.dtype == .float32 && t.device == .cpu)
        #expect(try t.toArray(of: Float.self) == values)
        #expect(try t.select(dim: 0, index: 1).toArray(of: Float.self) == [4, 5, 6])
    }

    @Test func aShapeTheValuesCannotFillIsRefused() {
        #expect(throws: TorchError.self) { _ = try Tensor.uploaded([Float(1), 2, 3], shape: [2, 2], to: .cpu) }
    }
}
