// The sample files, temporary folders and the shell runner shared by the test targets.
@_exported import PlumeTestSupport
