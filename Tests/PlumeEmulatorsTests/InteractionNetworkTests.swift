import Testing
import Torch
@testable import PlumeEmulators

/// `InteractionNetwork` computes its edge MLP's first layer in parts (nodes projected before
/// the gather); this checks it against the definition, `edge(cat([e, x_s[s], x_r[r]]))`, in
/// float64, for batched and for static (broadcast) edge latents, with the receivers' term in
/// the edge term or not, and that the aggregation and the receivers' residual follow.
@Suite struct InteractionNetworkTests {
    @Test(arguments: [false, true])
    func splitFirstLayerEqualsTheConcatenatedDefinition(staticEdges: Bool) throws {
        let hidden = 8, batch = 3, senders = 7, receivers = 5, edgeCount = 19
        let g = try Generator(seed: 7)
        let network = try InteractionNetwork(hidden: hidden, updatesSenders: true, generator: g).to(.float64)
        let edges = try Tensor.randn(staticEdges ? [edgeCount, hidden] : [batch, edgeCount, hidden], dtype: .float64, generator: g)
        let senderLatents = try Tensor.randn([batch, senders, hidden], dtype: .float64, generator: g)
        let receiverLatents = try Tensor.randn([batch, receivers, hidden], dtype: .float64, generator: g)
        let senderIndex = try Tensor.randint(0, senders, [edgeCount], generator: g)
        let receiverIndex = try Tensor.randint(0, receivers, [edgeCount], generator: g)
        let receiving = try EdgeReceivers(index: receiverIndex, nodeCount: receivers, aggregation: .sum)

        let result = try network(term: try network.edgeTerm(edges: edges), senders: senderLatents, receivers: receiverLatents,
                                 senderIndex: senderIndex, receiving: receiving)

        let batchedEdges = staticEdges ? try edges.unsqueeze(dim: 0).expand([batch, edgeCount, hidden]) : edges
        let concatenated = try Tensor.cat([batchedEdges, senderLatents.indexSelect(dim: 1, index: senderIndex),
                                           receiverLatents.indexSelect(dim: 1, index: receiverIndex)], dim: -1)
        let messages = try network.edge(concatenated)
        let aggregated = try Tensor.zeros([batch, receivers, hidden], dtype: .float64)
            .indexAdd(dim: 1, index: receiverIndex, source: messages)
        let expectedReceivers = try receiverLatents + network.node(try Tensor.cat([receiverLatents, aggregated], dim: -1))

        #expect(result.messages.shape == [batch, edgeCount, hidden])
        let edgeError: Double = try (result.messages - messages).abs().max().item()
        let receiverError: Double = try (result.receivers - expectedReceivers).abs().max().item()
        #expect(edgeError < 1e-12, "messages differ by \(edgeError)")
        #expect(receiverError < 1e-12, "receivers differ by \(receiverError)")
        // The receivers' term computed ahead (as the encoder does with the embedded mesh) gives the same.
        let ahead = try network(term: try network.edgeTerm(edges: edges, receivers: receiverLatents, receiverIndex: receiverIndex),
                                senders: senderLatents, receivers: receiverLatents, senderIndex: senderIndex, receiving: receiving)
        let aheadError: Double = try (ahead.messages - messages).abs().max().item()
        #expect(aheadError < 1e-12, "messages with the receivers' term ahead differ by \(aheadError)")
        // The messages are not trivially small, so the comparison means something.
        let messageSize: Double = try messages.abs().max().item()
        #expect(messageSize > 0.1)
    }
}
