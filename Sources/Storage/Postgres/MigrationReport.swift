/// What ``Migrator/migrate(_:logger:)`` did (or ``Migrator/plan(_:logger:)`` would do).
public struct MigrationReport: Sendable, CustomStringConvertible {
    public struct Step: Sendable, Hashable, CustomStringConvertible {
        public var scope: MigrationScope
        public var version: Int
        public var name: String

        public var description: String {
            let digits = String(version)
            return "\(scope) V\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits) \(name)"
        }
    }

    public struct Server: Sendable {
        public var server: Int
        /// The URL without password.
        public var endpoint: String
        /// Shards the map assigns to this server.
        public var shards: [Int]
        /// Applied by this run (or pending, for a plan), in order.
        public var steps: [Step]
    }

    public var servers: [Server]
    /// Things worth an operator's look that did not stop the run (e.g. a stale copy of a shard).
    public var warnings: [String]
    /// True for ``Migrator/plan(_:logger:)``: nothing was changed.
    public var isPlan: Bool

    public var stepCount: Int { servers.reduce(0) { $0 + $1.steps.count } }

    public var description: String {
        var lines: [String] = []
        for server in servers {
            let verb = isPlan ? "pending" : "applied"
            let count = server.steps.count
            let head = "server \(server.server) (\(server.endpoint), \(server.shards.count) shard(s)): \(count) migration(s) \(verb)"
            lines.append(count == 0 ? head + ", up to date" : head)
            lines.append(contentsOf: server.steps.map { "  \($0)" })
        }
        lines.append(contentsOf: warnings.map { "warning: \($0)" })
        lines.append(stepCount == 0 ? "nothing to do: every scope is up to date" : "\(stepCount) migration(s) \(isPlan ? "pending" : "applied") in all")
        return lines.joined(separator: "\n")
    }
}
