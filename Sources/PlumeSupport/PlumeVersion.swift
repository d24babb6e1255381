/// The version of Plume, recorded in every checkpoint and output file it writes.
public enum PlumeVersion {
    public static let current = "0.12.0-dev"

    /// This process's command line as outputs record it (the netCDF `history` line): `plume`
    /// and the arguments, without the path the executable was started from, so the same
    /// command gives the same bytes wherever Plume is installed.
    public static var commandLine: String {
        (["plume"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
    }
}
