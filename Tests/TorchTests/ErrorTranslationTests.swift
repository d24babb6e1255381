import Testing
import Torch

// Acceptance: failing libtorch calls throw a Swift `TorchError` carrying libtorch's own
// message (and naming the Plume call in `operation`); none aborts the process. Each case
// below runs in this test process, so an abort (an uncaught C++ exception, a TORCH_CHECK
// escaping the C shim) would end the whole run instead of failing one case.

/// A call that must fail, with what its `TorchError` must say.
struct TorchFailingCall: Sendable, CustomTestStringConvertible {
    let name: String
    /// Expected prefix of `TorchError.operation` (the Plume call).
    let operation: String
    /// A distinctive substring of libtorch's message (1.13 wording).
    let message: String
    let call: @Sendable () throws -> Void

    init(_ name: String, operation: String, message: String, _ call: @escaping @Sendable () throws -> Void) {
        self.name = name
        self.operation = operation
        self.message = message
        self.call = call
    }

    var testDescription: String { name }
}

/// The thrown error, or nil (with an issue recorded) when the call succeeded or threw
/// something other than a `TorchError`.
private func torchError(of call: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> TorchError? {
    do {
        try call()
        Issue.record("the call did not throw", sourceLocation: sourceLocation)
    } catch let error as TorchError {
        return error
    } catch {
        Issue.record("threw \(type(of: error)), not TorchError: \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

private let failingCalls: [TorchFailingCall] = [
    TorchFailingCall("matmul with mismatched inner sizes", operation: "matmul(", message: "shapes cannot be multiplied (2x3 and 4x5)") {
        _ = try Tensor.ones([2, 3]).matmul(Tensor.ones([4, 5]))
    },
    TorchFailingCall("add with non-broadcastable shapes", operation: "add(",
                message: "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1") {
        _ = try Tensor.ones([2, 3]) + Tensor.ones([4])
    },
    TorchFailingCall("reshape to a wrong element count", operation: "reshape(", message: "shape '[4]' is invalid for input of size 6") {
        _ = try Tensor.ones([2, 3]).reshape([4])
    },
    TorchFailingCall("view of a non-contiguous tensor", operation: "view(", message: "view size is not compatible with input tensor's size and stride") {
        _ = try Tensor.ones([2, 3]).transpose(0, 1).view([6])
    },
    TorchFailingCall("conv2d with the wrong channel count", operation: "conv2d(",
                message: "expected input[1, 3, 5, 5] to have 4 channels, but got 3 channels instead") {
        _ = try Tensor.ones([1, 3, 5, 5]).conv2d(weight: Tensor.ones([2, 4, 3, 3]))
    },
    TorchFailingCall("cat with mismatched shapes", operation: "cat(", message: "Sizes of tensors must match except in dimension 0") {
        _ = try Tensor.cat([Tensor.ones([2, 3]), Tensor.ones([4, 5])])
    },
    TorchFailingCall("stack with mismatched shapes", operation: "stack(", message: "stack expects each tensor to be equal size") {
        _ = try Tensor.stack([Tensor.ones([2, 3]), Tensor.ones([3, 2])])
    },
    TorchFailingCall("indexSelect with an index out of range", operation: "indexSelect(", message: "index out of range in self") {
        _ = try Tensor.ones([2, 3]).indexSelect(dim: 0, index: Tensor([Int64(5)]))
    },
    TorchFailingCall("gather with an index of the wrong rank", operation: "gather(",
                message: "Index tensor must have the same number of dimensions as input tensor") {
        _ = try Tensor.ones([2, 3]).gather(dim: 0, index: Tensor([Int64(0)]))
    },
    TorchFailingCall("backward on a non-scalar without a gradient", operation: "backward",
                message: "grad can be implicitly created only for scalar outputs") {
        let x = try Tensor.ones([3]).requiresGrad(true)
        try (x * 2.0).backward()
    },
    TorchFailingCall("backward twice without retainGraph", operation: "backward",
                message: "Trying to backward through the graph a second time") {
        let x = try Tensor.ones([3]).requiresGrad(true)
        let y = try (x * x).sum()
        try y.backward()
        try y.backward()
    },
    TorchFailingCall("softmax over a dimension out of range", operation: "softmax(dim: 5)",
                message: "Dimension out of range (expected to be in range of [-2, 1], but got 5)") {
        _ = try Tensor.ones([2, 3]).softmax(dim: 5)
    },
    TorchFailingCall("layerNorm with a mismatched normalized shape", operation: "layerNorm(",
                message: "Given normalized_shape=[4], expected input with shape [*, 4]") {
        _ = try Tensor.ones([2, 3]).layerNorm([4])
    },
    TorchFailingCall("embedding with an index out of range", operation: "embedding(", message: "index out of range in self") {
        _ = try Tensor.ones([3, 2]).embedding(Tensor([Int64(7)]))
    },
    TorchFailingCall("viewAsComplex with a last dimension other than 2", operation: "viewAsComplex(",
                message: "Tensor must have a last dimension of size 2") {
        _ = try Tensor.ones([3, 3]).viewAsComplex()
    },
    TorchFailingCall("squeeze of a dimension out of range", operation: "squeeze(dim: 5)", message: "Dimension out of range") {
        _ = try Tensor.ones([2, 3]).squeeze(dim: 5)
    },
    TorchFailingCall("bmm of 2-D tensors", operation: "bmm(", message: "batch1 must be a 3D tensor") {
        _ = try Tensor.ones([2, 3]).bmm(Tensor.ones([3, 2]))
    },
    TorchFailingCall("crossEntropy with a class index out of range", operation: "crossEntropy(", message: "Target 7 is out of bounds") {
        _ = try Tensor.ones([2, 3]).crossEntropy(Tensor([Int64(7), 0]))
    },
    TorchFailingCall("expand to an incompatible size", operation: "expand(",
                message: "The expanded size of the tensor (4) must match the existing size (3)") {
        _ = try Tensor.ones([2, 3]).expand([4, 4])
    },
    TorchFailingCall("einsum with inconsistent subscript sizes", operation: "einsum(", message: "subscript j has size 4 for operand 1") {
        _ = try Tensor.einsum("ij,jk->ik", Tensor.ones([2, 3]), Tensor.ones([4, 5]))
    },
    TorchFailingCall("narrow past the end", operation: "narrow(", message: "start (2) + length (5) exceeds dimension size (3)") {
        _ = try Tensor.ones([2, 3]).narrow(dim: 1, start: 2, length: 5)
    },
    TorchFailingCall("item of a tensor with several elements", operation: "item()", message: "a Tensor with 6 elements cannot be converted to Scalar") {
        _ = try Tensor.ones([2, 3]).item()
    },
    TorchFailingCall("maxPool2d with a kernel larger than the input", operation: "maxPool2d(", message: "Output size is too small") {
        _ = try Tensor.ones([1, 1, 2, 2]).maxPool2d(kernel: [3])
    },
    TorchFailingCall("conv2d mixing float64 input and float32 weight", operation: "conv2d(", message: "expected scalar type Double but found Float") {
        _ = try Tensor.ones([1, 1, 3, 3], dtype: .float64).conv2d(weight: Tensor.ones([1, 1, 2, 2]))
    },
    TorchFailingCall("reflect padding wider than the input", operation: "pad(", message: "Padding size should be less than the corresponding input dimension") {
        _ = try Tensor.ones([1, 1, 3, 3]).pad([3, 3, 3, 3], mode: .reflect)
    },
    TorchFailingCall("rfft of a complex tensor", operation: "rfft(", message: "rfft expects a real input tensor") {
        _ = try Tensor.ones([4, 2]).viewAsComplex().rfft()
    },
    TorchFailingCall("requiresGrad on an integer tensor", operation: "requiresGrad(true)",
                message: "Only Tensors of floating point and complex dtype can require gradients") {
        try Tensor([Int64(1), 2]).requiresGrad(true)
    },
    TorchFailingCall("in-place update of a leaf that requires grad", operation: "add_",
                message: "a leaf Variable that requires grad is being used in an in-place operation") {
        try Tensor.ones([3]).requiresGrad(true).addInPlace(1.0)
    },
    TorchFailingCall("gradients with respect to a tensor outside the graph", operation: "gradients(of:withRespectTo:)",
                message: "One of the differentiated Tensors does not require grad") {
        let y = try Tensor.ones([3]).requiresGrad(true)
        _ = try Tensor.gradients(of: [(y * 2.0).sum()], withRespectTo: [Tensor.ones([3])])
    },
    TorchFailingCall("Generator.setState with a float tensor", operation: "Generator.setState", message: "RNG state must be a torch.ByteTensor") {
        try Generator(seed: 1).setState(Tensor.zeros([3]))
    },
    TorchFailingCall("randint with an empty range", operation: "randint", message: "random_ expects 'from' to be less than 'to'") {
        _ = try Tensor.randint(5, 2, [3])
    },
]

@Suite("Error translation: libtorch failures become Swift errors")
struct ErrorTranslationTests {
    @Test("a failing call throws TorchError with libtorch's message", arguments: failingCalls)
    func failingCallThrows(_ case_: TorchFailingCall) throws {
        let error = try #require(torchError(of: case_.call))
        #expect(error.message.contains(case_.message), "message: \(error.message)")
        #expect(error.operation.hasPrefix(case_.operation), "operation: \(error.operation)")
        #expect(error.description == "\(error.operation): \(error.message)")
    }

    @Test("there are at least twelve distinct failing calls")
    func enoughCases() {
        #expect(Set(failingCalls.map(\.name)).count >= 12)
        #expect(Set(failingCalls.map(\.message)).count >= 12)
    }

    @Test("moving a tensor to a CUDA device that does not exist throws")
    func missingCUDADevice() throws {
        let x = try Tensor.ones([2])
        if Device.isCUDAAvailable {
            // With CUDA: an ordinal past the last device.
            let error = try #require(torchError { _ = try x.to(device: .cuda(Device.cudaDeviceCount + 7)) })
            #expect(error.operation.hasPrefix("to("))
            let text = error.message.lowercased()
            #expect(text.contains("cuda") || text.contains("device"), "message: \(error.message)")
        } else {
            // CPU-only libtorch (Debian's): no CUDA backend at all.
            let error = try #require(torchError { _ = try x.to(device: .cuda(0)) })
            #expect(error.operation.hasPrefix("to("), "operation: \(error.operation)")
            #expect(error.message.contains("'CUDA' backend"), "message: \(error.message)")
        }
    }

    @Test("after a failure the process and the inputs are intact")
    func recoversAfterFailure() throws {
        let a = try Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape: [2, 3])
        _ = torchError { _ = try a.matmul(Tensor.ones([4, 5], dtype: .float64)) }
        // A failed in-place update leaves the destination unchanged.
        _ = torchError { try a.copyInPlace(from: Tensor.ones([4], dtype: .float64)) }
        #expect(try a.toArray(of: Double.self) == [1, 2, 3, 4, 5, 6])
        // The next call works normally and computes the right thing.
        let b = try a.matmul(a.transpose(0, 1))
        #expect(try b.toArray(of: Double.self) == [14, 32, 32, 77])
        // And a second, different failure reports its own message, not the previous one.
        let second = try #require(torchError { _ = try a.softmax(dim: 9) })
        #expect(second.message.contains("Dimension out of range"))
        #expect(!second.message.contains("cannot be multiplied"))
    }

    @Test("failures on concurrent threads each keep their own message")
    func concurrentFailures() async throws {
        let outcomes = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<25 {  // each libtorch failure costs ~2 ms (c10::Error records a backtrace)
                        let expected = task.isMultiple(of: 2) ? "cannot be multiplied" : "is invalid for input of size"
                        let error: TorchError?
                        do {
                            if task.isMultiple(of: 2) {
                                _ = try Tensor.ones([2, 3]).matmul(Tensor.ones([4, 5]))
                            } else {
                                _ = try Tensor.ones([2, 3]).reshape([7])
                            }
                            error = nil
                        } catch let e as TorchError {
                            error = e
                        } catch {
                            return false
                        }
                        guard let error, error.message.contains(expected) else { return false }
                    }
                    return true
                }
            }
            var all: [Bool] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 8 && outcomes.allSatisfy { $0 })
    }
}
