import Torch

/// One message-passing step on a bipartite or homogeneous graph (Battaglia et al. 2018,
/// GraphCast's `InteractionNetwork` with residuals), on latents of width `hidden`:
///
///     e' = edge([e, x_s[senders], x_r[receivers]])
///     x_r' = node([x_r, aggregate(e', receivers)])
///     e ← e + e',  x_r ← x_r + x_r',  x_s ← x_s + sender(x_s)   (sender update: encoder only)
///
/// The edge MLP's first layer is applied in parts, as GraphCast does: `fc1([e, x_s[s], x_r[r]])
/// = W_e e + (W_s x_s)[s] + (W_r x_r)[r] + b`, projecting nodes before gathering them onto the
/// (several times more numerous) edges, which halves the work of that layer and needs no
/// concatenation; the parameters are those of the concatenated form.
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

    /// Updated (edges, senders, receivers); for a homogeneous graph pass the same latents as
    /// senders and receivers and use the returned receivers.
    func callAsFunction(edges: Tensor, senders: Tensor, receivers: Tensor,
                        senderIndex: Tensor, receiving: EdgeReceivers) throws -> (edges: Tensor, senders: Tensor, receivers: Tensor) {
        let messages = try edge.finishing(try edgeFirstLayer(edges: edges, senders: senders, receivers: receivers,
                                                             senderIndex: senderIndex, receiverIndex: receiving.index))
        let aggregated = try receiving.aggregate(messages)
        let update = try node(try Tensor.cat([receivers, aggregated], dim: -1))
        let newSenders = try sender.map { try senders + $0(senders) } ?? senders
        return (try edges + messages, newSenders, try receivers + update)
    }

    /// `edge.fc1` of `[edges, senders[senderIndex], receivers[receiverIndex]]` without
    /// concatenating: `[batch, edges, hidden]`.
    private func edgeFirstLayer(edges: Tensor, senders: Tensor, receivers: Tensor,
                                senderIndex: Tensor, receiverIndex: Tensor) throws -> Tensor {
        let weight = edge.fc1.weight
        let width = edges.shape[edges.shape.count - 1]
        let fromEdges = try edges.linear(weight: try weight.narrow(dim: 1, start: 0, length: width), bias: edge.fc1.bias)
        let fromSenders = try senders.linear(weight: try weight.narrow(dim: 1, start: width, length: width))
            .indexSelect(dim: 1, index: senderIndex)
        let fromReceivers = try receivers.linear(weight: try weight.narrow(dim: 1, start: 2 * width, length: width))
            .indexSelect(dim: 1, index: receiverIndex)
        return try fromEdges + fromSenders + fromReceivers
    }
}
