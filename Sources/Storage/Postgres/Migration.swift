/// One versioned schema change. The full list is ``Migrations/all``.
///
/// A migration applies to one kind of scope; its statements are generated per target (a shard's
/// schema name and number are baked into DDL and `next_id()`). Statements are executed one by one
/// as unnamed statements inside one transaction, so each must be a single SQL command.
public struct Migration: Sendable {
    public enum Kind: Sendable, Hashable {
        /// Schema `public` of every physical server (outbox).
        case server
        /// Schema `public` of the first server only (username directory).
        case directory
        /// Every logical shard's schema `sNNNN`, on the server the map assigns it to.
        case shard
    }

    /// What one application of a migration targets.
    public struct Target: Sendable, Hashable {
        /// Index of the physical server.
        public var server: Int
        /// The shard schema, for ``Kind/shard`` migrations.
        public var schema: ShardSchema?

        public init(server: Int, schema: ShardSchema?) {
            self.server = server
            self.schema = schema
        }
    }

    public let version: Int
    public let name: String
    public let kind: Kind
    let statements: @Sendable (Target) -> [String]

    init(version: Int, name: String, kind: Kind, statements: @escaping @Sendable (Target) -> [String]) {
        self.version = version
        self.name = name
        self.kind = kind
        self.statements = statements
    }

    /// SQL of this migration for `target` (for review and tests; the migrator runs the same text).
    public func sql(for target: Target) -> [String] {
        statements(target)
    }

    /// `V0004`.
    public var label: String {
        let digits = String(version)
        return "V" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// Where migrations of one scope are recorded; shard scopes are recorded inside the shard's own
/// schema, so moving a schema to another server moves its history with it.
public enum MigrationScope: Sendable, Hashable, Comparable, CustomStringConvertible {
    case server
    case directory
    case shard(ShardSchema)

    public var description: String {
        switch self {
        case .server: "server"
        case .directory: "directory"
        case .shard(let schema): schema.name
        }
    }

    var kind: Migration.Kind {
        switch self {
        case .server: .server
        case .directory: .directory
        case .shard: .shard
        }
    }

    private var order: Int {
        switch self {
        case .server: -2
        case .directory: -1
        case .shard(let schema): schema.shard
        }
    }

    public static func < (lhs: MigrationScope, rhs: MigrationScope) -> Bool { lhs.order < rhs.order }
}
