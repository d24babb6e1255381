import Torch

/// One message-passing step on a bipartite or homogeneous graph (Battaglia et al. 2018,
/// GraphCast's `InteractionNetwork` with residuals), on latents of width `hidden`:
///
///     e' = edge([e, x_s[senders], x_r[receivers]])
///     x_r' = node([x_r, aggregate(e', receivers)])
///     e ← e + e',  x_r ← x_r + x_r',  x_s ← x_s + sender(x_s)   (sender update: encoder only)
///
/// Shapes: edges `[batch, edges, hidden]`, senders `[batch, senderNodes, hidden]`, receivers
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
        let fromSenders = try senders.indexSelect(dim: 1, index: senderIndex)
        let toReceivers = try receivers.indexSelect(dim: 1, index: receiving.index)
        let messages = try edge(try Tensor.cat([edges, fromSenders, toReceivers], dim: -1))
        let aggregated = try receiving.aggregate(messages)
        let update = try node(try Tensor.cat([receivers, aggregated], dim: -1))
        let newSenders = try sender.map { try senders + $0(senders) } ?? senders
        return (try edges + messages, newSenders, try receivers + update)
    }
}
