import Testing
import Torch

/// `ValueStamp`: equal while a tensor's values are untouched, different after an in-place
/// change or new data.
@Suite struct ValueStampTests {
    @Test func changesWithInPlaceUpdatesOnly() throws {
        let t = try Tensor.zeros([3, 4])
        let before = try t.valueStamp()
        _ = try t + 1                     // out of place: t untouched
        _ = try t.toArray(of: Float.self)
        #expect(try t.valueStamp() == before)
        try t.addInPlace(1.0)
        let afterAdd = try t.valueStamp()
        #expect(afterAdd != before)
        #expect(afterAdd.version > before.version)
        try Torch.withoutGrad { () throws(TorchError) in try t.mulInPlace(2.0) }   // also without gradients
        #expect(try t.valueStamp() != afterAdd)
    }

    @Test func changesWithNewData() throws {
        let linear = try Linear(3, 2)
        let weight = linear.weight
        let before = try weight.valueStamp()
        _ = try linear.to(.float64)
        #expect(try linear.weight.valueStamp() != before)
        #expect(linear.weight.dtype == .float64)
    }
}
