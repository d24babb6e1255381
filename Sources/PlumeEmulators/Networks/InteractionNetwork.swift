import Torch

/// One message-passing step on a bipartite or homogeneous graph (Battaglia et al. 2018,
/// GraphCast's `InteractionNetwork` with residuals), on latents of width `hidden`:
///
///     e' = edge([e, x_s[senders], x_r[receivers]])
///     x_r' = node([x_r, aggregate(e', receivers)])
///     e ← e + e',  x_r ← x_r + x_r',  x_s ← x_s + sender(x_s)   (sender update: encoder only)
///
/// It returns `e'`; the edge residual is added by the caller where the edges are used again
/// (the processor), not where they are not (encoder, decoder).
///
/// The edge MLP's first layer is applied in parts, as GraphCast does: `fc1([e, x_s[s], x_r[r]])
/// = W_e e + (W_s x_s)[s] + (W_r x_r)[r] + b`, projecting nodes before gathering them onto the
/// (several times more numerous) edges, which halves the work of that layer and needs no
/// concatenation; the parameters are those of the concatenated form. The part without the
/// senders is an `EdgeTerm`, which the caller passes in, so that where it is static
/// (`MeshGNNStatics`) a rollout computes it once.
///
/// Shapes: edges `[batch, edges, hidden]` or `[edges, hidden]` (static edge latents, broadcast
/// over the batch), senders `[batch, senderNodes, hidden]`, receivers
/// `[batch, receiverNodes, hidden]`. Parameters `edge.*`, `node.*`, `sender.*`.
final class InteractionNetwork: Module {
    let edge: GraphMLP
    let node: GraphMLP
    let sender: GraphMLP?

    init(hidden: Int, updatesSenders: Bool = false, generator: Generator?) throws(TorchError) {
        edge = try GraphMLP(3 * hidden, hidden: hidden, hidden, generator: generator)
        node = try GraphMLP(2 * hidden, hidden: hidden, hidden, generator: generator)
        sender = updatesSenders ? try GraphMLP(hidden, hidden: hidden, hidden, generator: generator) : nil
    }

    /// The messages `e'` and the updated senders and receivers, from `term` = `edgeTerm(…)` of
    /// this step's edges; for a homogeneous graph pass the same latents as senders and
    /// receivers and use the returned receivers. The edge residual `e + e'` is the caller's,
    /// where the edges are used again.
    func callAsFunction(term: EdgeTerm, senders: Tensor, receivers: Tensor,
                        senderIndex: Tensor, receiving: EdgeReceivers) throws -> (messages: Tensor, senders: Tensor, receivers: Tensor) {
        var firstLayer = try term.value + fromNodes(senders, part: 1).indexSelect(dim: 1, index: senderIndex)
        if !term.includesReceivers {
            firstLayer = try firstLayer + fromNodes(receivers, part: 2).indexSelect(dim: 1, index: receiving.index)
        }
        let messages = try edge.finishing(firstLayer)
        let aggregated = try receiving.aggregate(messages)
        let update = try node(try Tensor.cat([receivers, aggregated], dim: -1))
        let newSenders = try sender.map { try senders + $0(senders) } ?? senders
        return (messages, newSenders, try receivers + update)
    }

    /// The terms of `edge.fc1([e, x_s[s], x_r[r]])` that need neither the senders nor, unless
    /// `receivers` is given, the receivers: `W_e e + b`, plus `(W_r x_r)[r]` for static receiver
    /// latents `receivers` (`[receiverNodes, hidden]`, e.g. the encoder's embedded mesh). Shape
    /// `[edges, hidden]` for static edges, else `[batch, edges, hidden]`.
    func edgeTerm(edges: Tensor, receivers: Tensor? = nil, receiverIndex: Tensor? = nil) throws -> EdgeTerm {
        let width = edges.shape[edges.shape.count - 1]
        var value = try edges.linear(weight: try edge.fc1.weight.narrow(dim: 1, start: 0, length: width), bias: edge.fc1.bias)
        guard let receivers, let receiverIndex else { return EdgeTerm(value: value, includesReceivers: false) }
        value = try value + fromNodes(receivers, part: 2).indexSelect(dim: receivers.shape.count - 2, index: receiverIndex)
        return EdgeTerm(value: value, includesReceivers: true)
    }

    /// `W_s x` (part 1) or `W_r x` (part 2) of `edge.fc1` for node latents `[..., nodes, hidden]`.
    private func fromNodes(_ nodes: Tensor, part: Int) throws -> Tensor {
        let width = nodes.shape[nodes.shape.count - 1]
        return try nodes.linear(weight: try edge.fc1.weight.narrow(dim: 1, start: part * width, length: width))
    }
}

/// The part of an interaction network's first edge layer that does not need the senders:
/// `W_e e + b`, and `(W_r x_r)[r]` too when `includesReceivers`; computed ahead where it is
/// static (`MeshGNNStatics`).
struct EdgeTerm {
    /// `[edges, hidden]` or `[batch, edges, hidden]`.
    let value: Tensor
    let includesReceivers: Bool
}
