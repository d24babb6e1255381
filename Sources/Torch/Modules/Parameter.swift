/// A trainable tensor of a module (`requiresGrad` is set on assignment).
///
///     @Parameter var weight: Tensor
///     @Parameter var bias: Tensor?          // absent when nil
@propertyWrapper
public struct Parameter<Value: OptionalTensor>: NamedTensorSlot {
    public var wrappedValue: Value {
        didSet { _ = try? wrappedValue.tensor?.requiresGrad(true) }
    }
    let explicitName: String?

    public init(wrappedValue: Value, name: String? = nil) {
        self.wrappedValue = wrappedValue
        self.explicitName = name
        _ = try? wrappedValue.tensor?.requiresGrad(true)
    }

    var slotTensor: Tensor? { wrappedValue.tensor }
    var isParameter: Bool { true }
}

/// Module state that is saved and loaded but not trained (running statistics, masks).
@propertyWrapper
public struct Buffer<Value: OptionalTensor>: NamedTensorSlot {
    public var wrappedValue: Value
    let explicitName: String?

    public init(wrappedValue: Value, name: String? = nil) {
        self.wrappedValue = wrappedValue
        self.explicitName = name
    }

    var slotTensor: Tensor? { wrappedValue.tensor }
    var isParameter: Bool { false }
}

/// `Tensor` or `Tensor?`: what `@Parameter` and `@Buffer` can hold.
public protocol OptionalTensor {
    var tensor: Tensor? { get }
}

extension Tensor: OptionalTensor {
    public var tensor: Tensor? { self }
}

extension Optional: OptionalTensor where Wrapped == Tensor {
    public var tensor: Tensor? { self }
}
