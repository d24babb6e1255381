import Testing
import Torch
@testable import PlumeEmulators

/// A `MeshGNN` forward pass without gradients reuses the input-independent part of the
/// previous one (`MeshGNNStaticsCache`) only while no parameter or buffer has changed.
@Suite struct MeshGNNStaticsTests {
    static func model(seed: UInt64) throws -> MeshGNN {
        var configuration = MeshGNNConfiguration()
        configuration.hidden = 8
        configuration.processorSteps = 2
        configuration.meshLevel = 1
        configuration.aggregation = "mean"
        return try MeshGNN(configuration: configuration, inputChannels: 3, outputChannels: 2,
                           grid: .regular(rows: 8, columns: 16), generator: try Generator(seed: seed))
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
        try (a - b).abs().max().item()
    }

    @Test func cachedForwardEqualsFreshForward() throws {
        let model = try Self.model(seed: 1)
        let input = try Tensor.randn([2, 3, 8, 16], generator: try Generator(seed: 2))
        let fresh = try model(input).detach()                                   // gradients on: no cache
        let first = try Torch.withoutGrad { () throws -> Tensor in try model(input) }
        let second = try Torch.withoutGrad { () throws -> Tensor in try model(input) }   // from the cache
        #expect(try Self.maxDifference(first, fresh) == 0)
        #expect(try Self.maxDifference(second, fresh) == 0)
    }

    @Test func parameterChangeInvalidatesTheCache() throws {
        let model = try Self.model(seed: 1)
        let input = try Tensor.randn([1, 3, 8, 16], generator: try Generator(seed: 2))
        let before = try Torch.withoutGrad { () throws -> Tensor in try model(input) }
        // The multimesh edge embedding feeds only the statics.
        let parameter = try #require(model.namedParameters().first { $0.name == "embedding.multimesh.fc1.weight" }?.tensor)
        try Torch.withoutGrad { () throws(TorchError) in try parameter.mulInPlace(1.5) }
        let after = try Torch.withoutGrad { () throws -> Tensor in try model(input) }
        let fresh = try model(input).detach()
        #expect(try Self.maxDifference(after, before) > 1e-4)
        #expect(try Self.maxDifference(after, fresh) == 0)
    }

    @Test func loadedStateInvalidatesTheCache() throws {
        let model = try Self.model(seed: 1), other = try Self.model(seed: 7)
        let input = try Tensor.randn([1, 3, 8, 16], generator: try Generator(seed: 2))
        _ = try Torch.withoutGrad { () throws -> Tensor in try model(input) }
        var state: [String: Tensor] = [:]
        for (name, tensor) in other.stateDict() { state[name] = tensor }
        try model.loadStateDict(state)
        let loaded = try Torch.withoutGrad { () throws -> Tensor in try model(input) }
        let expected = try Torch.withoutGrad { () throws -> Tensor in try other(input) }
        #expect(try Self.maxDifference(loaded, expected) == 0)
    }
}
