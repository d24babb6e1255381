import Torch

/// Reading a device setting (`cpu`, `cuda`, `cuda:N`) of a model file or the command line.
public enum EmulatorDevice {
    /// The device `text` names, or nil.
    public static func parse(_ text: String) -> Device? {
        if text == "cpu" { return .cpu }
        if text == "cuda" { return .cuda(0) }
        if text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0 { return .cuda(index) }
        return nil
    }
}
