import Logging
import PostgresNIO

/// Brings every physical server to the latest schema (`darkroom migrate`).
///
/// Per server: schema `public` gets the ``Migration/Kind/server`` migrations, the first server
/// also the ``Migration/Kind/directory`` ones, and every shard the map assigns to the server gets
/// a schema `sNNNN` with the ``Migration/Kind/shard`` ones. Applied versions are recorded per
/// scope (`public.schema_migrations` for server and directory, `sNNNN.schema_migrations` inside
/// each shard, so the history moves with the schema). Each missing version is applied in its own
/// transaction holding a transaction-scoped advisory lock, after re-checking that a concurrent
/// run has not applied it meanwhile. A run that finds everything applied changes nothing.
/// Raising the shard count (with a map that keeps existing shards in place) creates just the
/// new schemas.
public struct Migrator: Sendable {
    public var migrations: [Migration]
    /// Deadline of one migration's transaction. Default 120 s.
    public var timeout: Duration

    /// `pg_advisory_xact_lock` key shared by every run ("darkroom" in ASCII).
    static let lockKey: Int64 = 0x6461_726B_726F_6F6D

    public init(migrations: [Migration] = Migrations.all, timeout: Duration = .seconds(120)) {
        precondition(zip(migrations, migrations.dropFirst()).allSatisfy { $0.version < $1.version },
                     "migrations must be in strictly increasing version order")
        self.migrations = migrations
        self.timeout = timeout
    }

    /// What ``migrate(_:logger:)`` would apply, without changing anything.
    public func plan(_ db: ShardedPostgres, logger: Logger) async throws -> MigrationReport {
        let inventories = try await inventory(db, logger: logger)
        let warnings = try checkPlacement(inventories, map: db.shardMap, endpoint: db.endpoint(ofServer:))
        let servers = inventories.map { inventory in
            MigrationReport.Server(
                server: inventory.server,
                endpoint: db.endpoint(ofServer: inventory.server),
                shards: db.shardMap.shards(onServer: inventory.server),
                steps: pendingSteps(inventory, map: db.shardMap).map(\.step))
        }
        return MigrationReport(servers: servers, warnings: warnings, isPlan: true)
    }

    /// Applies every missing version on every server; servers migrate in parallel. Throws
    /// `.migrationFailed` (after every server has stopped) if any step failed.
    public func migrate(_ db: ShardedPostgres, logger: Logger) async throws -> MigrationReport {
        let inventories = try await inventory(db, logger: logger)
        let warnings = try checkPlacement(inventories, map: db.shardMap, endpoint: db.endpoint(ofServer:))
        for warning in warnings { logger.warning("\(warning)") }

        let outcomes = await withTaskGroup(of: (Int, Result<[MigrationReport.Step], StorageError>).self) { group in
            for inventory in inventories {
                let pending = pendingSteps(inventory, map: db.shardMap)
                group.addTask {
                    do {
                        return (inventory.server, .success(try await apply(pending, server: inventory.server, db: db, logger: logger)))
                    } catch let error as StorageError {
                        return (inventory.server, .failure(error))
                    } catch {
                        return (inventory.server, .failure(StorageError(.migrationFailed, "migration of server \(inventory.server) stopped", underlying: error)))
                    }
                }
            }
            var outcomes: [Int: Result<[MigrationReport.Step], StorageError>] = [:]
            for await (server, outcome) in group { outcomes[server] = outcome }
            return outcomes
        }

        var servers: [MigrationReport.Server] = []
        var failures: [StorageError] = []
        for server in 0..<db.serverCount {
            switch outcomes[server] {
            case .success(let steps):
                servers.append(.init(server: server, endpoint: db.endpoint(ofServer: server), shards: db.shardMap.shards(onServer: server), steps: steps))
            case .failure(let error):
                failures.append(error)
            case nil:
                failures.append(StorageError(.migrationFailed, "server \(server) was not migrated"))
            }
        }
        if let first = failures.first {
            let detail = failures.map { String(reflecting: $0) }.joined(separator: " | ")
            throw StorageError(.migrationFailed, "\(failures.count) server(s) could not be migrated: \(detail)", underlying: first)
        }
        return MigrationReport(servers: servers, warnings: warnings, isPlan: false)
    }

    // MARK: - Reading what is applied

    /// Which scopes exist on one server and which versions each has.
    struct Inventory: Sendable {
        var server: Int
        /// Shard schemas that have a bookkeeping table on this server.
        var shards: Set<Int> = []
        var applied: [MigrationScope: Set<Int>] = [:]
    }

    private func inventory(_ db: ShardedPostgres, logger: Logger) async throws -> [Inventory] {
        try await withThrowingTaskGroup(of: Inventory.self) { group in
            for server in 0..<db.serverCount {
                group.addTask { try await inventory(server: server, db: db, logger: logger) }
            }
            var all: [Inventory] = []
            for try await inventory in group { all.append(inventory) }
            return all.sorted { $0.server < $1.server }
        }
    }

    private func inventory(server: Int, db: ShardedPostgres, logger: Logger) async throws -> Inventory {
        let hosted = Set(db.shardMap.shards(onServer: server))
        return try await db.withConnection(server: server, timeout: timeout, logger: logger) { connection in
            var inventory = Inventory(server: server)
            let tables = try await connection.query("""
                SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = 'schema_migrations' AND c.relkind = 'r'
                """, logger: logger)
            var hasPublic = false
            for try await name in tables.decode(String.self) {
                if name == "public" {
                    hasPublic = true
                } else if let schema = ShardSchema(name: name) {
                    inventory.shards.insert(schema.shard)
                }
            }
            if hasPublic {
                let rows = try await connection.query("SELECT scope, version FROM public.schema_migrations", logger: logger)
                for try await (scope, version) in rows.decode((String, Int).self) {
                    switch scope {
                    case "server": inventory.applied[.server, default: []].insert(version)
                    case "directory": inventory.applied[.directory, default: []].insert(version)
                    default: throw StorageError(.migrationFailed, "unknown scope '\(scope)' in public.schema_migrations on server \(server)")
                    }
                }
            }
            // Only the shards this server should host matter for applying; one UNION ALL per batch.
            let present = inventory.shards.intersection(hosted).sorted()
            for batch in stride(from: 0, to: present.count, by: 500).map({ present[$0..<min($0 + 500, present.count)] }) {
                let sql = batch.map { shard in
                    "SELECT \(shard)::integer AS shard, version FROM \(ShardSchema(validShard: shard).name).schema_migrations"
                }.joined(separator: " UNION ALL ")
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                for try await (shard, version) in rows.decode((Int, Int).self) {
                    inventory.applied[.shard(ShardSchema(validShard: shard)), default: []].insert(version)
                }
            }
            return inventory
        }
    }

    /// Refuses a map that would create an empty shard on one server while the shard's schema
    /// (and data) lives on another: that is how a changed shard count or a reordered URL list
    /// shows up. Returns warnings for stale copies and shards beyond the shard count.
    func checkPlacement(_ inventories: [Inventory], map: ShardMap, endpoint: (Int) -> String) throws(StorageError) -> [String] {
        var warnings: [String] = []
        var misplaced: [String] = []
        for inventory in inventories {
            for shard in inventory.shards.sorted() {
                let name = ShardSchema(validShard: shard).name
                guard let home = try? map.server(forShard: shard) else {
                    warnings.append("\(name) exists on server \(inventory.server) but the shard count is \(map.shardCount); it is not used")
                    continue
                }
                guard home != inventory.server else { continue }
                if inventories[home].shards.contains(shard) {
                    warnings.append("\(name) exists on server \(inventory.server) and on server \(home) (the map's); the copy on server \(inventory.server) is stale")
                } else {
                    misplaced.append("\(name) exists on server \(inventory.server) (\(endpoint(inventory.server))) but the map \(map.spec) assigns it to server \(home)")
                }
            }
        }
        if !misplaced.isEmpty {
            throw StorageError(.migrationFailed, "the shard map disagrees with where shards live; move the schemas or fix the map: " + misplaced.joined(separator: "; "))
        }
        return warnings
    }

    // MARK: - Applying

    struct PendingStep: Sendable {
        var scope: MigrationScope
        var migration: Migration
        var step: MigrationReport.Step { .init(scope: scope, version: migration.version, name: migration.name) }
    }

    func pendingSteps(_ inventory: Inventory, map: ShardMap) -> [PendingStep] {
        var scopes: [MigrationScope] = [.server]
        if inventory.server == map.directoryServer { scopes.append(.directory) }
        scopes += map.shards(onServer: inventory.server).map { .shard(ShardSchema(validShard: $0)) }
        return scopes.flatMap { scope in
            let applied = inventory.applied[scope] ?? []
            return migrations
                .filter { $0.kind == scope.kind && !applied.contains($0.version) }
                .map { PendingStep(scope: scope, migration: $0) }
        }
    }

    private func apply(_ steps: [PendingStep], server: Int, db: ShardedPostgres, logger: Logger) async throws -> [MigrationReport.Step] {
        var done: [MigrationReport.Step] = []
        for pending in steps {
            let target = Migration.Target(server: server, schema: pending.scope.schema)
            let applied: Bool
            do {
                applied = try await db.withTransaction(server: server, timeout: timeout, logger: logger) { connection in
                    _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
                    for sql in Self.bookkeepingSQL(pending.scope) {
                        _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
                    }
                    let recorded = try await connection.query(Self.recordedQuery(pending.scope, version: pending.migration.version), logger: logger).collect()
                    guard recorded.isEmpty else { return false }   // a concurrent run got here first
                    for sql in pending.migration.sql(for: target) {
                        _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
                    }
                    _ = try await connection.query(Self.recordQuery(pending.scope, migration: pending.migration), logger: logger).collect()
                    return true
                }
            } catch {
                throw StorageError(.migrationFailed, "server \(server) (\(db.endpoint(ofServer: server))): \(pending.step) failed: \(String(reflecting: error))", underlying: error)
            }
            if applied {
                logger.info("applied migration", metadata: ["db.server": "\(server)", "scope": "\(pending.scope)", "version": "\(pending.migration.label)", "name": "\(pending.migration.name)"])
                done.append(pending.step)
            }
        }
        return done
    }

    static func bookkeepingSQL(_ scope: MigrationScope) -> [String] {
        switch scope {
        case .server, .directory:
            return ["""
                CREATE TABLE IF NOT EXISTS public.schema_migrations (
                    scope text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (scope, version)
                )
                """]
        case .shard(let schema):
            return [
                "CREATE SCHEMA IF NOT EXISTS \(schema.name)",
                """
                CREATE TABLE IF NOT EXISTS \(schema.name).schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
            ]
        }
    }

    static func recordedQuery(_ scope: MigrationScope, version: Int) -> PostgresQuery {
        switch scope {
        case .server, .directory:
            return "SELECT 1 FROM public.schema_migrations WHERE scope = \(scope.description) AND version = \(version)"
        case .shard(let schema):
            return "SELECT 1 FROM \(schema).schema_migrations WHERE version = \(version)"
        }
    }

    static func recordQuery(_ scope: MigrationScope, migration: Migration) -> PostgresQuery {
        switch scope {
        case .server, .directory:
            return "INSERT INTO public.schema_migrations (scope, version, name) VALUES (\(scope.description), \(migration.version), \(migration.name))"
        case .shard(let schema):
            return "INSERT INTO \(schema).schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))"
        }
    }
}

extension MigrationScope {
    var schema: ShardSchema? {
        if case .shard(let schema) = self { return schema }
        return nil
    }
}
