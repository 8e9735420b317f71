@testable import Storage
import Testing

@Suite struct MigrationTests {
    @Test func versionsAreUniqueAndIncreasing() {
        let versions = Migrations.all.map(\.version)
        #expect(versions == versions.sorted())
        #expect(Set(versions).count == versions.count)
        #expect(versions.first == 1)
        #expect(Migrations.latestVersion == versions.last)
        #expect(Migrations.all.map(\.label).first == "V0001")
    }

    @Test func everyKindHasMigrations() {
        let kinds = Set(Migrations.all.map(\.kind))
        #expect(kinds == [.server, .directory, .shard])
    }

    @Test(arguments: [0, 7, 8191])
    func shardMigrationsTouchOnlyTheirOwnSchema(shard: Int) throws {
        let schema = try ShardSchema(shard: shard)
        let sql = Migrations.all.filter { $0.kind == .shard }
            .flatMap { $0.sql(for: .init(server: 1, schema: schema)) }
            .joined(separator: "\n")
        let mentioned = Set(sql.matches(of: /\bs[0-9]{4}\b/).map { String($0.output) })
        #expect(mentioned == [schema.name])
        // Tables live in the shard schema, never in public or search_path.
        #expect(!sql.contains("public."))
        #expect(sql.contains("CREATE TABLE \(schema.name).users"))
    }

    @Test func nextIDBakesInEpochAndShard() throws {
        let schema = try ShardSchema(shard: 4321)
        let sql = Migrations.v0003IDs.sql(for: .init(server: 0, schema: schema)).joined(separator: "\n")
        #expect(sql.contains("our_epoch CONSTANT bigint := \(ShardedID.epochMilliseconds)"))
        #expect(sql.contains("shard_id CONSTANT bigint := 4321"))
        #expect(sql.contains("<< 23"))
        #expect(sql.contains("MAXVALUE 1023"))
    }

    @Test func tablesThatMintIdsCheckTheirShardBits() throws {
        let schema = try ShardSchema(shard: 5)
        let sql = Migrations.all.filter { $0.kind == .shard }.flatMap { $0.sql(for: .init(server: 0, schema: schema)) }
        for table in ["users", "media", "comments"] {
            let create = try #require(sql.first { $0.hasPrefix("CREATE TABLE s0005.\(table) (") })
            #expect(create.contains("DEFAULT s0005.next_id() CHECK (((id >> 10) & 8191) = 5)"), "\(table)")
        }
    }

    /// A re-run of V0007's statements (a schema restored or moved half-migrated) changes nothing and fails nowhere.
    @Test func privateExifLocationIsRerunnable() throws {
        let sql = Migrations.v0007PrivateExifLocation.sql(for: .init(server: 0, schema: try ShardSchema(shard: 9)))
        #expect(sql.count == 2)
        #expect(sql[0].contains("ADD COLUMN IF NOT EXISTS exif_lat") && sql[0].contains("ADD COLUMN IF NOT EXISTS exif_lng"))
        #expect(sql[1].contains("IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint"))
        #expect(sql[1].contains("'s0009.media'::regclass"))
    }

    @Test func outboxIDsOfServersDoNotOverlap() {
        let first = Migrations.v0001Outbox.sql(for: .init(server: 0, schema: nil)).joined()
        let second = Migrations.v0001Outbox.sql(for: .init(server: 1, schema: nil)).joined()
        #expect(first.contains("setval('public.outbox_id_seq', 1, false)"))
        #expect(second.contains("setval('public.outbox_id_seq', \((Int64(1) << 50) + 1), false)"))
    }

    // MARK: - Planning (pure)

    @Test func freshServersGetEverythingTheirScopesNeed() throws {
        let map = try ShardMap(shardCount: 8, serverCount: 2)
        let migrator = Migrator()
        let first = migrator.pendingSteps(.init(server: 0), map: map)
        let second = migrator.pendingSteps(.init(server: 1), map: map)
        let shardVersions = Migrations.all.filter { $0.kind == .shard }.count
        #expect(first.count == 1 + 1 + 4 * shardVersions)      // server + directory + 4 shards
        #expect(second.count == 1 + 4 * shardVersions)         // no directory on server 1
        #expect(first.map(\.scope).first == .server)
        #expect(!second.contains { $0.scope == .directory })
        #expect(Set(second.compactMap { $0.scope.schema?.shard }) == [4, 5, 6, 7])
    }

    @Test func appliedVersionsAreSkippedAndOnlyNewShardsArePending() throws {
        // 8 shards fully migrated; the count grows to 16 with the old shards kept in place.
        let all = Set(Migrations.all.map(\.version))
        var inventory = Migrator.Inventory(server: 1, shards: [4, 5, 6, 7])
        inventory.applied[.server] = all
        for shard in 4...7 { inventory.applied[.shard(try ShardSchema(shard: shard))] = all }
        let grown = try ShardMap(spec: "0-3:0,4-7:1,8-11:0,12-15:1", shardCount: 16, serverCount: 2)
        let pending = Migrator().pendingSteps(inventory, map: grown)
        #expect(Set(pending.compactMap { $0.scope.schema?.shard }) == [12, 13, 14, 15])
        #expect(!pending.contains { $0.scope == .server })

        let same = try ShardMap(shardCount: 8, serverCount: 2)
        #expect(Migrator().pendingSteps(inventory, map: same).isEmpty)
    }

    @Test func aMapThatWouldStrandAShardIsRefused() throws {
        // Shards 4-7 live on server 1; going to 16 shards with the default split would put them on server 0.
        let inventories = [Migrator.Inventory(server: 0, shards: [0, 1, 2, 3]), Migrator.Inventory(server: 1, shards: [4, 5, 6, 7])]
        let shifted = try ShardMap(shardCount: 16, serverCount: 2)
        #expect {
            _ = try Migrator().checkPlacement(inventories, map: shifted, endpoint: { "server \($0)" })
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .migrationFailed && error.message.contains("s0004 exists on server 1")
        }
        let kept = try ShardMap(spec: "0-3:0,4-7:1,8-11:0,12-15:1", shardCount: 16, serverCount: 2)
        #expect(try Migrator().checkPlacement(inventories, map: kept, endpoint: { "server \($0)" }).isEmpty)
    }

    @Test func staleCopiesAndRetiredShardsOnlyWarn() throws {
        let inventories = [Migrator.Inventory(server: 0, shards: [0, 1, 2, 3, 4]), Migrator.Inventory(server: 1, shards: [4, 5, 6, 7, 9])]
        let map = try ShardMap(shardCount: 8, serverCount: 2)
        let warnings = try Migrator().checkPlacement(inventories, map: map, endpoint: { "server \($0)" })
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("s0004") && $0.contains("stale") })
        #expect(warnings.contains { $0.contains("s0009") })
    }

    @Test func sqlStateMapping() {
        #expect(StorageError.code(forSQLState: "23505", phase: .leased) == .conflict)
        #expect(StorageError.code(forSQLState: "57014", phase: .leased) == .timeout)
        #expect(StorageError.code(forSQLState: "08006", phase: .leased) == .unavailable)
        #expect(StorageError.code(forSQLState: "28P01", phase: .leasing) == .accessDenied)
        #expect(StorageError.code(forSQLState: "42P01", phase: .leased) == .queryFailed)
        #expect(StorageError.code(forSQLState: "23503", phase: .leased) == .queryFailed)
    }
}
