import Runtime
import API
import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Helpers for the PostgreSQL suites (no tests here): the stack's servers, a running
/// `ShardedPostgres`, throw-away databases, catalog snapshots.
enum PostgresFixture {
    static let logger = Logger(label: "test.postgres")

    /// The stack's servers and shard count, from DARKROOM_PG_URLS / DARKROOM_SHARD_COUNT.
    static func stackConfiguration() throws -> ShardedPostgresConfiguration {
        let postgres = try TestStack.configuration().postgres
        try #require(postgres.urls.count >= 2, "the test stack has two PostgreSQL servers; DARKROOM_PG_URLS names \(postgres.urls.count)")
        return try ShardedPostgresConfiguration(urls: postgres.urls, shardCount: postgres.shardCount, shardMapSpec: postgres.shardMap)
    }

    /// Runs `db`'s pools for the duration of `body`.
    static func withRunning<T: Sendable>(_ db: ShardedPostgres, _ body: (ShardedPostgres) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await db.run() }
            defer { group.cancelAll() }
            return try await body(db)
        }
    }

    /// The stack's shared database, migrated (idempotent, so suites may race to do it).
    static func withStack<T: Sendable>(_ body: (ShardedPostgres) async throws -> T) async throws -> T {
        let db = ShardedPostgres(configuration: try stackConfiguration(), logger: logger)
        return try await withRunning(db) { db in
            _ = try await Migrator().migrate(db, logger: logger)
            return try await body(db)
        }
    }

    /// Creates an empty database with a fresh name on every stack server, hands `body` their
    /// URLs, and drops them afterwards (also when `body` throws).
    static func withScratchDatabases<T: Sendable>(_ body: ([String]) async throws -> T) async throws -> T {
        let stack = try stackConfiguration()
        let name = "darkroom_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let admin = ShardedPostgres(configuration: stack, logger: logger)
        return try await withRunning(admin) { admin in
            for server in 0..<admin.serverCount {
                // CREATE DATABASE takes no parameters; the name is ours, [a-z0-9_] only.
                _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), server: server, timeout: .seconds(30))
            }
            let urls = stack.servers.map { server in
                var url = server
                url.database = name
                return url.urlString
            }
            let result: Result<T, any Error>
            do { result = .success(try await body(urls)) } catch { result = .failure(error) }
            for server in 0..<admin.serverCount {
                _ = try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), server: server, timeout: .seconds(30))
            }
            return try result.get()
        }
    }

    /// Every table, column, function, index and constraint of `public` and the shard schemas,
    /// plus the recorded versions: equal snapshots mean an identical schema.
    static func catalog(_ db: ShardedPostgres, server: Int) async throws -> [String] {
        let query: PostgresQuery = """
            SELECT 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public' OR table_schema ~ '^s[0-9]{4}$'
            UNION ALL
            SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(p.prosrc)
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' OR n.nspname ~ '^s[0-9]{4}$'
            UNION ALL
            SELECT 'index ' || schemaname || '.' || indexname || ' ' || indexdef
              FROM pg_indexes WHERE schemaname = 'public' OR schemaname ~ '^s[0-9]{4}$'
            UNION ALL
            SELECT 'constraint ' || c.conrelid::regclass::text || '.' || c.conname || ' ' || pg_get_constraintdef(c.oid)
              FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' OR n.nspname ~ '^s[0-9]{4}$'
            UNION ALL
            SELECT 'sequence ' || sequence_schema || '.' || sequence_name || ' ' || minimum_value || '..' || maximum_value || ' cycle=' || cycle_option
              FROM information_schema.sequences WHERE sequence_schema = 'public' OR sequence_schema ~ '^s[0-9]{4}$'
            ORDER BY 1
            """
        var lines: [String] = []
        for row in try await db.query(query, server: server) {
            lines.append(try row.decode(String.self))
        }
        lines += try await recordedVersions(db, server: server)
        return lines
    }

    /// `scope Vnnnn` for every recorded migration on `server`.
    static func recordedVersions(_ db: ShardedPostgres, server: Int) async throws -> [String] {
        var lines: [String] = []
        let hasPublic = try await db.query("SELECT to_regclass('public.schema_migrations') IS NOT NULL", server: server)
        if try hasPublic.first?.decode(Bool.self) == true {
            for row in try await db.query("SELECT scope, version FROM public.schema_migrations ORDER BY 1, 2", server: server) {
                let (scope, version) = try row.decode((String, Int).self)
                lines.append("recorded \(scope) \(version)")
            }
        }
        for shard in db.shardMap.shards(onServer: server) {
            let schema = try ShardSchema(shard: shard)
            let exists = try await db.query("SELECT to_regclass(\(schema.name + ".schema_migrations")) IS NOT NULL", server: server)
            guard try exists.first?.decode(Bool.self) == true else { continue }
            for row in try await db.query(shard: shard, { "SELECT version FROM \($0).schema_migrations ORDER BY 1" }) {
                lines.append("recorded \(schema) \(try row.decode(Int.self))")
            }
        }
        return lines
    }

    /// Shard schemas present on `server`.
    static func shardSchemas(_ db: ShardedPostgres, server: Int) async throws -> [String] {
        try await db.query("SELECT nspname FROM pg_namespace WHERE nspname ~ '^s[0-9]{4}$' ORDER BY 1", server: server)
            .map { try $0.decode(String.self) }
    }
}

extension PostgresServerURL {
    /// Back to URL form (with the password), for building a configuration from parts.
    var urlString: String {
        let credentials = password.map { "\(user):\($0)" } ?? user
        return "postgres://\(credentials)@\(host):\(port)/\(database)"
    }
}
