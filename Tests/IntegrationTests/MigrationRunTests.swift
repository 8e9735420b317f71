import Logging
import PostgresNIO
import Storage
import Testing

/// `Migrator` against the stack's two servers.
@Suite(.timeLimit(.minutes(3)))
struct MigrationRunTests {
    let logger = PostgresFixture.logger

    /// Steps a fresh deployment needs: per server its scope, plus the directory on server 0,
    /// plus every shard migration for every shard the map gives the server.
    static func freshSteps(_ map: ShardMap, server: Int) -> Int {
        let perKind = { (kind: Migration.Kind) in Migrations.all.filter { $0.kind == kind }.count }
        return perKind(.server) + (server == map.directoryServer ? perKind(.directory) : 0)
            + map.shards(onServer: server).count * perKind(.shard)
    }

    @Test func sharedDatabaseMigratesThenSecondRunAppliesNothingAndChangesNothing() async throws {
        let db = ShardedPostgres(configuration: try PostgresFixture.stackConfiguration(), logger: logger)
        try await PostgresFixture.withRunning(db) { db throws in
            _ = try await Migrator().migrate(db, logger: logger)      // may or may not apply: the stack is shared
            let before = try await catalogs(db)
            let second = try await Migrator().migrate(db, logger: logger)
            #expect(second.stepCount == 0)
            #expect(second.servers.map(\.steps.count) == [0, 0])
            #expect(second.description.contains("nothing to do"))
            let after = try await catalogs(db)
            #expect(before == after)
            #expect(try await Migrator().plan(db, logger: logger).stepCount == 0)

            // V0007 is written to be re-runnable: its statements again, on an applied shard, fail nowhere and change nothing.
            let schema = try ShardSchema(shard: 0)
            let v7 = try #require(Migrations.all.first { $0.version == 7 })
            try await db.withTransaction(shard: 0) { connection, _ in
                for sql in v7.sql(for: .init(server: 0, schema: schema)) {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
                }
            }
            #expect(try await catalogs(db) == after)
        }
    }

    @Test func freshDatabasesGetEverySchemaOnTheRightServer() async throws {
        try await PostgresFixture.withScratchDatabases { urls throws in
            let db = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 8), logger: logger)
            try await PostgresFixture.withRunning(db) { db throws in
                let map = db.shardMap
                let plan = try await Migrator().plan(db, logger: logger)
                #expect(plan.isPlan)
                #expect(plan.servers.map(\.steps.count) == [Self.freshSteps(map, server: 0), Self.freshSteps(map, server: 1)])
                #expect(try await PostgresFixture.shardSchemas(db, server: 0).isEmpty)   // a plan changes nothing

                let first = try await Migrator().migrate(db, logger: logger)
                #expect(first.servers.map(\.steps.count) == [Self.freshSteps(map, server: 0), Self.freshSteps(map, server: 1)])
                #expect(try await PostgresFixture.shardSchemas(db, server: 0) == ["s0000", "s0001", "s0002", "s0003"])
                #expect(try await PostgresFixture.shardSchemas(db, server: 1) == ["s0004", "s0005", "s0006", "s0007"])

                let catalog0 = try await PostgresFixture.catalog(db, server: 0)
                let catalog1 = try await PostgresFixture.catalog(db, server: 1)
                // The directory only on the first server; an outbox everywhere.
                #expect(catalog0.contains { $0.hasPrefix("column public.usernames.username text") })
                #expect(!catalog1.contains { $0.contains("public.usernames") })
                #expect(catalog0.contains { $0.hasPrefix("column public.outbox.payload jsonb null=NO") })
                #expect(catalog1.contains { $0.hasPrefix("column public.outbox.payload jsonb null=NO") })
                #expect(catalog1.contains { $0.hasPrefix("index public.outbox_unpublished_idx") && $0.contains("WHERE (published_at IS NULL)") })
                // Every shard schema has every table and its own next_id().
                for (server, catalog) in [(0, catalog0), (1, catalog1)] {
                    for shard in map.shards(onServer: server) {
                        let s = try ShardSchema(shard: shard).name
                        for table in ["users", "media", "media_hashtags", "followers", "following", "likes", "comments", "devices", "linked_accounts"] {
                            #expect(catalog.contains { $0.hasPrefix("column \(s).\(table).") }, "\(s).\(table) on server \(server)")
                        }
                        #expect(catalog.contains { $0.hasPrefix("function \(s).next_id(OUT result bigint)") })
                        #expect(catalog.contains { $0.hasPrefix("column \(s).media.id bigint null=NO default=\(s).next_id()") })
                        #expect(catalog.contains { $0.hasPrefix("column \(s).media.content_sha256 bytea null=NO") })
                        #expect(catalog.contains { $0.hasPrefix("column \(s).media.created_at timestamp with time zone null=NO") })
                        #expect(catalog.contains { $0.hasPrefix("index \(s).media_owner_content_key CREATE UNIQUE INDEX") && $0.contains("WHERE (deleted_at IS NULL)") })
                        #expect(catalog.contains { $0.hasPrefix("index \(s).media_owner_id_idx") && $0.contains("(owner_id, id DESC)") })
                    }
                    // No shard of the other server leaked here.
                    let foreign = map.shards(onServer: 1 - server).map { try! ShardSchema(shard: $0).name }
                    #expect(!catalog.contains { line in foreign.contains { line.contains(" \($0).") } })
                }

                let second = try await Migrator().migrate(db, logger: logger)
                #expect(second.stepCount == 0)
                #expect(try await PostgresFixture.catalog(db, server: 0) == catalog0)
                #expect(try await PostgresFixture.catalog(db, server: 1) == catalog1)
            }
        }
    }

    @Test func concurrentRunsApplyEachVersionOnce() async throws {
        try await PostgresFixture.withScratchDatabases { urls throws in
            let configuration = try ShardedPostgresConfiguration(urls: urls, shardCount: 8)
            // Two processes' worth: separate pools, so the advisory lock is what keeps them apart.
            let a = ShardedPostgres(configuration: configuration, logger: logger)
            let b = ShardedPostgres(configuration: configuration, logger: logger)
            try await PostgresFixture.withRunning(a) { a in
                try await PostgresFixture.withRunning(b) { b in
                    async let first = Migrator().migrate(a, logger: logger)
                    async let second = Migrator().migrate(b, logger: logger)
                    let (reportA, reportB) = try await (first, second)
                    let expected = Self.freshSteps(configuration.shardMap, server: 0) + Self.freshSteps(configuration.shardMap, server: 1)
                    #expect(reportA.stepCount + reportB.stepCount == expected)
                    let applied = reportA.servers.flatMap { s in s.steps.map { "\(s.server) \($0)" } }
                        + reportB.servers.flatMap { s in s.steps.map { "\(s.server) \($0)" } }
                    #expect(Set(applied).count == applied.count)
                    #expect(try await Migrator().migrate(a, logger: logger).stepCount == 0)
                }
            }
        }
    }

    @Test func moreShardsCreateOnlyTheNewSchemasAndAShiftingMapIsRefused() async throws {
        try await PostgresFixture.withScratchDatabases { urls throws in
            let eight = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 8), logger: logger)
            try await PostgresFixture.withRunning(eight) { db throws in
                _ = try await Migrator().migrate(db, logger: logger)
                // Some data that must survive the growth.
                _ = try await db.query(shard: 5) { "INSERT INTO \($0).users (username, password_hash) VALUES ('keep', 'x')" }
            }

            // The default split of 16 shards would move 4-7 to server 0, where they do not exist.
            let shifted = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 16), logger: logger)
            try await PostgresFixture.withRunning(shifted) { db throws in
                await #expect {
                    _ = try await Migrator().migrate(db, logger: logger)
                } throws: { error in
                    guard let error = error as? StorageError else { return false }
                    return error.code == .migrationFailed && error.message.contains("s0004 exists on server 1")
                }
                #expect(try await PostgresFixture.shardSchemas(db, server: 0) == ["s0000", "s0001", "s0002", "s0003"])
            }

            let spec = "0-3:0,4-7:1,8-11:0,12-15:1"
            let sixteen = ShardedPostgres(configuration: try ShardedPostgresConfiguration(urls: urls, shardCount: 16, shardMapSpec: spec), logger: logger)
            try await PostgresFixture.withRunning(sixteen) { db throws in
                let report = try await Migrator().migrate(db, logger: logger)
                let shardSteps = Migrations.all.filter { $0.kind == .shard }.count
                #expect(report.stepCount == 8 * shardSteps)
                let touched = Set(report.servers.flatMap { $0.steps.map { $0.scope.description } })
                #expect(touched == Set((8..<16).map { try! ShardSchema(shard: $0).name }))
                #expect(try await PostgresFixture.shardSchemas(db, server: 0) == ["s0000", "s0001", "s0002", "s0003", "s0008", "s0009", "s0010", "s0011"])
                #expect(try await PostgresFixture.shardSchemas(db, server: 1) == ["s0004", "s0005", "s0006", "s0007", "s0012", "s0013", "s0014", "s0015"])
                let kept = try await db.query(shard: 5) { "SELECT count(*) FROM \($0).users WHERE username = 'keep'" }
                #expect(try kept.first?.decode(Int.self) == 1)
                let id = try await db.mintID(shard: 13)
                #expect(id.shard == 13)
                #expect(try await Migrator().migrate(db, logger: logger).stepCount == 0)
            }
        }
    }

    private func catalogs(_ db: ShardedPostgres) async throws -> [[String]] {
        var all: [[String]] = []
        for server in 0..<db.serverCount {
            all.append(try await PostgresFixture.catalog(db, server: server))
        }
        return all
    }
}
