/// A neural-network component holding parameters, buffers and child modules.
///
/// Conformers are classes whose stored properties are found by reflection, the way PyTorch
/// finds attributes: `@Parameter` / `@Buffer` properties become named tensors, properties
/// holding modules (also optionals and arrays of modules) become children. Names join with
/// dots, array elements by index, so a model lists `encoder.blocks.3.attn.qkv.weight`.
/// A leading underscore of a property name is dropped; `@Parameter(name:)` and
/// `@Buffer(name:)` set a different name (e.g. PyTorch's `running_mean`).
public protocol Module: AnyObject {}

/// A module whose behaviour differs between training and evaluation (dropout, batch norm).
public protocol TrainingModeDependent: Module {
    var isTraining: Bool { get set }
}

/// A module mapping one tensor to one tensor, so that layers compose (`Sequential`, `MLP`).
public protocol Layer: Module {
    func callAsFunction(_ input: Tensor) throws -> Tensor
}

/// What reflection finds in a module.
enum ModuleMember {
    case parameter(String, Tensor)
    case buffer(String, Tensor)
    case child(String, any Module)
}

/// Storage of `@Parameter` and `@Buffer`, as seen by reflection.
protocol NamedTensorSlot {
    var explicitName: String? { get }
    var slotTensor: Tensor? { get }
    var isParameter: Bool { get }
}

extension Module {
    /// Parameters, buffers and children declared directly by this module, in declaration order.
    func members() -> [ModuleMember] {
        var result: [ModuleMember] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [Mirror] = []
        while let m = mirror {
            levels.append(m)
            mirror = m.superclassMirror
        }
        for level in levels.reversed() {
            for child in level.children {
                guard let label = child.label else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                Self.collect(child.value, name: name, into: &result)
            }
        }
        return result
    }

    private static func collect(_ value: Any, name: String, into result: inout [ModuleMember]) {
        if let slot = value as? any NamedTensorSlot {
            guard let tensor = slot.slotTensor else { return }
            let key = slot.explicitName ?? name
            result.append(slot.isParameter ? .parameter(key, tensor) : .buffer(key, tensor))
        } else if let module = value as? any Module {
            result.append(.child(name, module))
        } else if let modules = value as? [any Module] {
            for (i, m) in modules.enumerated() { result.append(.child("\(name).\(i)", m)) }
        }
    }

    /// Every parameter of this module and its descendants, with dotted names, in
    /// declaration order (depth first).
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        walk(prefix: "") { prefix, member in
            if case .parameter(let n, let t) = member { out.append((prefix + n, t)) }
        }
        return out
    }

    /// Every buffer (non-trained state such as running statistics), with dotted names.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        walk(prefix: "") { prefix, member in
            if case .buffer(let n, let t) = member { out.append((prefix + n, t)) }
        }
        return out
    }

    /// Parameters only.
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters and buffers: everything a checkpoint of the model holds.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        walk(prefix: "") { prefix, member in
            switch member {
            case .parameter(let n, let t), .buffer(let n, let t): out.append((prefix + n, t))
            case .child: break
            }
        }
        return out
    }

    /// This module and every descendant, with dotted paths ("" for self).
    public func namedModules() -> [(name: String, module: any Module)] {
        var out: [(String, any Module)] = [("", self)]
        walk(prefix: "") { prefix, member in
            if case .child(let n, let m) = member { out.append((prefix + n, m)) }
        }
        return out
    }

    func walk(prefix: String, _ visit: (String, ModuleMember) -> Void) {
        for member in members() {
            visit(prefix, member)
            if case .child(let n, let m) = member {
                m.walk(prefix: prefix + n + ".", visit)
            }
        }
    }

    /// Sets training mode (dropout active, batch statistics) on every descendant.
    public func train(_ on: Bool = true) {
        for (_, module) in namedModules() {
            if let m = module as? any TrainingModeDependent { m.isTraining = on }
        }
    }

    /// Sets evaluation mode on every descendant.
    public func eval() { train(false) }

    /// Clears the gradient of every parameter.
    public func zeroGrad() throws(TorchError) {
        for p in parameters() { try p.setGrad(nil) }
    }

    /// Copies values into the parameters and buffers of the same names (no autograd
    /// history), on the module's device (a state dict on another device is copied across).
    ///
    /// - Parameters:
    ///   - state: tensors by dotted name (`encoder.blocks.3.attn.qkv.weight`), as `stateDict()`.
    ///   - strict: every entry of the module must be present and every entry of `state` must
    ///     belong to the module; with `false`, missing and extra entries are skipped.
    ///   - convertingDTypes: with `false` (the default) an entry whose dtype differs from the
    ///     module's throws, so a float64 checkpoint never silently rounds into a float32 model;
    ///     with `true` values are converted to the module's dtypes (call `to(_:device:)` first
    ///     to keep the checkpoint's precision instead).
    /// - Throws: `TorchError` naming the first missing, unexpected, mis-shaped or (without
    ///   `convertingDTypes`) mis-typed entry, before anything is copied.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true, convertingDTypes: Bool = false) throws(TorchError) {
        let own = stateDict()
        let ownNames = Set(own.map(\.name))
        if strict, let extra = state.keys.sorted().first(where: { !ownNames.contains($0) }) {
            throw TorchError(operation: "loadStateDict", message: "unexpected entry '\(extra)' (the model has no such parameter or buffer)")
        }
        var copies: [(target: Tensor, source: Tensor)] = []
        for (name, tensor) in own {
            guard let source = state[name] else {
                if strict { throw TorchError(operation: "loadStateDict", message: "missing entry '\(name)'") }
                continue
            }
            guard source.shape == tensor.shape else {
                throw TorchError(operation: "loadStateDict",
                                 message: "'\(name)' has shape \(source.shape), the model expects \(tensor.shape)")
            }
            guard convertingDTypes || source.dtype == tensor.dtype else {
                throw TorchError(operation: "loadStateDict",
                                 message: "'\(name)' has dtype \(source.dtype), the model holds \(tensor.dtype); pass convertingDTypes: true to convert, or convert the model with to(_:device:) first")
            }
            copies.append((tensor, source))
        }
        try Torch.withoutGrad { () throws(TorchError) in
            for (tensor, source) in copies {
                try tensor.copyInPlace(from: source)
            }
        }
    }
}
