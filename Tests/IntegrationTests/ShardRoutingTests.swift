import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage
import Testing

/// Rows land on the server the shard map names, and the schema's constraints hold.
@Suite(.timeLimit(.minutes(2)))
struct ShardRoutingTests {
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Inserts a user on `shard` the way signup does: the row on the shard, the name in the directory.
    static func createUser(_ db: ShardedPostgres, username: String, shard: Int) async throws -> ShardedID {
        let id = try await db.withTransaction(shard: shard) { connection, schema in
            let rows = try await connection.query(
                "INSERT INTO \(schema).users (username, password_hash) VALUES (\(username), 'x') RETURNING id",
                logger: PostgresFixture.logger)
            return try await rows.decode(ShardedID.self).first { _ in true }!
        }
        _ = try await db.query(
            "INSERT INTO public.usernames (username, user_id) VALUES (\(username), \(id))",
            server: db.shardMap.directoryServer)
        return id
    }

    @Test(arguments: 0..<8)
    func aUserRowLivesOnlyOnTheServerItsIdRoutesTo(shard: Int) async throws {
        try await PostgresFixture.withStack { db throws in
            let username = Self.uniqueName("route\(shard)")
            let id = try await Self.createUser(db, username: username, shard: shard)
            #expect(id.shard == shard)

            // Routing from the id alone finds it.
            let home = try db.server(forShard: db.shardMap.shard(of: id))
            #expect(home == (shard < 4 ? 0 : 1))
            let found = try await db.query(shard: id.shard) { "SELECT username FROM \($0).users WHERE id = \(id)" }
            #expect(try found.first?.decode(String.self) == username)

            // The other server has neither the row nor the shard at all.
            let other = 1 - home
            let schema = try ShardSchema(shard: shard)
            let exists = try await db.query("SELECT to_regclass(\(schema.name + ".users")) IS NOT NULL", server: other)
            #expect(try exists.first?.decode(Bool.self) == false)

            // The directory on server 0 maps the name back to the id.
            let directory = try await db.query(
                "SELECT user_id FROM public.usernames WHERE lower(username) = lower(\(username.uppercased()))",
                server: 0)
            #expect(try directory.first?.decode(ShardedID.self) == id)
        }
    }

    @Test func newUsersShardHelperPlacesTheRowThere() async throws {
        try await PostgresFixture.withStack { db throws in
            let username = Self.uniqueName("Hashed")
            let shard = db.shardMap.shardForNewUser(username: username)
            let id = try await Self.createUser(db, username: username, shard: shard)
            #expect(id.shard == shard)
        }
    }

    @Test func usernamesAreUniqueIgnoringCase() async throws {
        try await PostgresFixture.withStack { db throws in
            let username = Self.uniqueName("Case")
            _ = try await Self.createUser(db, username: username, shard: 1)
            await #expect {
                _ = try await db.query("INSERT INTO public.usernames (username, user_id) VALUES (\(username.uppercased()), \(Int64(1)))", server: 0)
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.code == .conflict && error.serverCode == "23505"
            }
        }
    }

    @Test func sameBytesTwiceByOneOwnerIsAConflictUntilDeleted() async throws {
        try await PostgresFixture.withStack { db throws in
            let owner = try await Self.createUser(db, username: Self.uniqueName("owner"), shard: 6)
            let hash = [UInt8](repeating: 7, count: 32)
            @Sendable func insert() async throws -> ShardedID {
                let rows = try await db.query(shard: owner.shard) { s in
                    "INSERT INTO \(s).media (owner_id, content_sha256, width, height, renditions) VALUES (\(owner), \(ByteBuffer(bytes: hash)), 10, 10, '[]') RETURNING id"
                }
                return try rows.first!.decode(ShardedID.self)
            }
            let media = try await insert()
            #expect(media.shard == owner.shard)
            await #expect {
                _ = try await insert()
            } throws: { ($0 as? StorageError)?.code == .conflict }
            // The idempotent form used by uploads returns nothing instead of failing.
            let again = try await db.query(shard: owner.shard) { s in
                "INSERT INTO \(s).media (owner_id, content_sha256, width, height, renditions) VALUES (\(owner), \(ByteBuffer(bytes: hash)), 10, 10, '[]') ON CONFLICT (owner_id, content_sha256) WHERE deleted_at IS NULL DO NOTHING RETURNING id"
            }
            #expect(again.isEmpty)
            _ = try await db.query(shard: owner.shard) { "UPDATE \($0).media SET deleted_at = now() WHERE id = \(media)" }
            let reupload = try await insert()
            #expect(reupload != media)
        }
    }

    @Test func aRowWithAnotherShardsIdIsRefused() async throws {
        try await PostgresFixture.withStack { db throws in
            // An id minted on shard 2 written into shard 3: a routing bug the schema catches.
            let foreign = try await db.mintID(shard: 2)
            await #expect {
                _ = try await db.query(shard: 3) { "INSERT INTO \($0).users (id, username, password_hash) VALUES (\(foreign), 'misrouted', 'x')" }
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.code == .queryFailed && error.serverCode == "23514"
            }
        }
    }

    @Test func aFailedTransactionLeavesNothingBehind() async throws {
        try await PostgresFixture.withStack { db throws in
            let username = Self.uniqueName("rollback")
            await #expect {
                _ = try await db.withTransaction(shard: 4) { connection, schema in
                    _ = try await connection.query("INSERT INTO \(schema).users (username, password_hash) VALUES (\(username), 'x')", logger: PostgresFixture.logger).collect()
                    throw StorageError(.rejected, "abort on purpose")
                }
            } throws: { ($0 as? StorageError)?.code == .rejected }
            let rows = try await db.query(shard: 4) { "SELECT 1 FROM \($0).users WHERE username = \(username)" }
            #expect(rows.isEmpty)
        }
    }

    @Test func shardsOutsideTheMapAreRejectedBeforeAnyQuery() async throws {
        try await PostgresFixture.withStack { db throws in
            let foreign = try ShardedID(millisecondsSinceEpoch: 1, shard: 4000, sequence: 0)
            await #expect {
                _ = try await db.query(shard: foreign.shard) { "SELECT 1 FROM \($0).users" }
            } throws: { ($0 as? StorageError)?.code == .invalidArgument }
        }
    }
}
