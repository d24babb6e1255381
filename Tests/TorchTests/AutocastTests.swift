import Testing
import Torch

/// `Torch.withAutocast` (torch.autocast) on the CPU: products run in bfloat16 inside the block,
/// float32 again after it; the values are float32's to bfloat16 rounding.
struct AutocastTests {
    @Test func matrixProductsRunInBFloat16InsideTheBlockOnly() throws {
        try Torch.manualSeed(5)
        let a = try Tensor.randn([16, 32]), b = try Tensor.randn([32, 8])
        let exact = try a.matmul(b)
        let mixed = try Torch.withAutocast(on: .cpu) { try a.matmul(b) }
        let after = try a.matmul(b)
        #expect(exact.dtype == .float32)
        #expect(mixed.dtype == .bfloat16)
        #expect(after.dtype == .float32, "autocast is off again after the block")
        let difference = try (mixed.to(.float32) - exact).abs().max().item()
        let scale = try exact.abs().max().item()
        // bfloat16 keeps 8 significant bits: products of rounded inputs, summed over 32 terms.
        #expect(difference > 0 && difference < 0.05 * scale, "difference \(difference) of \(scale)")
    }

    @Test func onlyReducedFloatTypesAreAccepted() {
        #expect(throws: TorchError.self) { try Torch.withAutocast(on: .cpu, dtype: .float64) { 0 } }
    }
}
