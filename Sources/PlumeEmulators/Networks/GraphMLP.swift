import Torch

/// The MLP of every `MeshGNN` block: Linear – SiLU – Linear – LayerNorm (the LayerNorm left
/// out for the output head). `[..., inFeatures]` → `[..., outFeatures]`; parameters
/// `fc1.*`, `fc2.*`, `norm.*`.
final class GraphMLP: Layer {
    let fc1: Linear
    let fc2: Linear
    let norm: LayerNorm?

    init(_ inFeatures: Int, hidden: Int, _ outFeatures: Int, layerNorm: Bool = true,
         generator: Generator?) throws(TorchError) {
        fc1 = try Linear(inFeatures, hidden, generator: generator)
        fc2 = try Linear(hidden, outFeatures, generator: generator)
        norm = layerNorm ? try LayerNorm([outFeatures]) : nil
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try finishing(try fc1(input))
    }

    /// The layers after `fc1` (SiLU – Linear – LayerNorm) applied to `fc1`'s output, for
    /// callers that compute `fc1` in parts (`InteractionNetwork`).
    func finishing(_ firstLayer: Tensor) throws -> Tensor {
        let x = try fc2(try firstLayer.silu())
        guard let norm else { return x }
        return try norm(x)
    }
}
