import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FileHandle {
    /// Everything left to read (up to end of file or the writer closing a pipe), retrying
    /// reads interrupted by a signal. Foundation's `readDataToEndOfFile()` traps on `EINTR`,
    /// which a child process's `SIGCHLD` can cause while another thread waits on a pipe.
    /// - Throws: `POSIXError` for any other read failure.
    public func readToEndRetryingInterrupts() throws -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let descriptor = fileDescriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return data
            } else if errno != EINTR {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        }
    }
}
