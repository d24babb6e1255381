/// The version of Plume, recorded in every checkpoint and output file it writes.
public enum PlumeVersion {
    public static let current = "0.12.0-dev"
}
