import Torch

/// What a `MeshGNN` forward pass computes from its parameters and graphs alone, not from the
/// input: the receiving sides of the three edge sets (with their in-degrees), the embedded mesh
/// nodes and multimesh edges, and the input-independent terms of the encoder's, first
/// processor step's and decoder's edge layers.
///
/// Shapes (E_g2m, E_mm, E_m2g edges, M mesh nodes): `meshLatent` `[M, hidden]`, `meshEdges`
/// `[E_mm, hidden]`, the terms `[edges, hidden]`; all broadcast over the batch.
struct MeshGNNStatics {
    let toMesh: EdgeReceivers
    let onMesh: EdgeReceivers
    let toGrid: EdgeReceivers
    let meshLatent: Tensor
    let meshEdges: Tensor
    /// The encoder's `W_e e + b + (W_r x_r)[r]` on the grid → mesh edges.
    let encoderTerm: EdgeTerm
    /// The first processor step's `W_e e + b` on the multimesh edges (nil without processor steps).
    let processorTerm: EdgeTerm?
    /// The decoder's `W_e e + b` on the mesh → grid edges.
    let decoderTerm: EdgeTerm
}

/// The `MeshGNNStatics` of the last forward pass without gradients, kept while the values of
/// every parameter and buffer stay the same (`ValueStamp`s): a rollout computes them once
/// instead of at every step. Forward passes that record gradients never use it, so training
/// differentiates through the statics as before.
final class MeshGNNStaticsCache {
    private var stamps: [ValueStamp] = []
    private var statics: MeshGNNStatics?

    /// The cached statics when `tensors` are unchanged since they were computed, else those
    /// `compute` gives (kept for the next call).
    func statics(for tensors: [Tensor], compute: () throws -> MeshGNNStatics) throws -> MeshGNNStatics {
        let now = try tensors.map { (t: Tensor) throws(TorchError) -> ValueStamp in try t.valueStamp() }
        if let statics, now == stamps { return statics }
        let fresh = try compute()
        statics = fresh
        stamps = now
        return fresh
    }
}
