import ArgumentParser
import Foundation
import PlumeIO

struct IOBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "io", abstract: "placeholder")
    func run() throws {}
}
