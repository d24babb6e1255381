import PlumeIO

/// One unit of work: a stage in a cycle (or once / after all cycles), for one member.
public struct TaskKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var stage: String
    /// `CFDate.isoDateTime` of the cycle point, or `once` / `final`.
    public var cycle: String
    /// The member, or −1 for a stage without members.
    public var member: Int

    public init(stage: String, cycle: String, member: Int = -1) {
        self.stage = stage
        self.cycle = cycle
        self.member = member
    }

    public static func < (a: TaskKey, b: TaskKey) -> Bool {
        (a.cycle, a.stage, a.member) < (b.cycle, b.stage, b.member)
    }

    public var description: String {
        stage + " " + cycle + (member >= 0 ? " member \(member)" : "")
    }

    /// A file-name-safe form: `stage/20000110T000000` or `stage/once-m3`.
    var folderName: String {
        let cyclePart = cycle.filter { $0 != "-" && $0 != ":" }
        return stage + "/" + cyclePart + (member >= 0 ? "-m\(member)" : "")
    }
}
