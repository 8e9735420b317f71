import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Deadlines, error mapping and readiness of `ShardedPostgres` calls.
@Suite(.timeLimit(.minutes(2)))
struct PostgresCallTests {
    let logger = PostgresFixture.logger

    @Test func pingReportsEveryServerReady() async throws {
        try await PostgresFixture.withStack { db throws in
            let statuses = await db.ping()
            #expect(statuses.map(\.server) == [0, 1])
            #expect(statuses.allSatisfy { $0.isReady }, "\(statuses.map { String(reflecting: $0.error) })")
            #expect(statuses.map(\.shards) == [[0, 1, 2, 3], [4, 5, 6, 7]])
            #expect(statuses.allSatisfy { !$0.endpoint.contains("darkroom:darkroom") })
        }
    }

    /// One server unreachable: its shards fail with `.unavailable` within the deadline, the other
    /// server's shards keep working, and ping names the missing one.
    @Test func anUnreachableServerFailsItsShardsOnly() async throws {
        let stack = try PostgresFixture.stackConfiguration()
        // Port 1 on loopback: nothing listens, connections are refused.
        let urls = [stack.servers[0].urlString, "postgres://darkroom:darkroom@127.0.0.1:1/darkroom"]
        var configuration = try ShardedPostgresConfiguration(urls: urls, shardCount: 8)
        configuration.callTimeout = .seconds(1)
        let db = ShardedPostgres(configuration: configuration, logger: logger)
        try await PostgresFixture.withStack { _ in }   // server 0's shards must exist
        try await PostgresFixture.withRunning(db) { db throws in
            for shard in 4..<8 {
                await #expect {
                    _ = try await db.mintID(shard: shard)
                } throws: { error in
                    guard let error = error as? StorageError else { return false }
                    return error.code == .unavailable && !String(describing: error).contains("127.0.0.1")
                }
            }
            for shard in 0..<4 {
                #expect(try await db.mintID(shard: shard).shard == shard)
            }
            let statuses = await db.ping()
            #expect(statuses.map(\.isReady) == [true, false])
            #expect(statuses[1].error?.code == .unavailable)
            #expect(statuses[1].shards == [4, 5, 6, 7])
        }
    }

    /// A statement outliving the deadline ends the call with `.timeout`; its connection is
    /// closed and the pool keeps serving.
    @Test func aSlowStatementTimesOutAndThePoolRecovers() async throws {
        try await PostgresFixture.withStack { db throws in
            await #expect {
                _ = try await db.query("SELECT pg_sleep(30)", server: 1, timeout: .milliseconds(500))
            } throws: { ($0 as? StorageError)?.code == .timeout }
            await #expect {
                _ = try await db.withTransaction(shard: 2, timeout: .milliseconds(500)) { connection, _ in
                    try await connection.query("SELECT pg_sleep(30)", logger: PostgresFixture.logger).collect()
                }
            } throws: { ($0 as? StorageError)?.code == .timeout }
            for server in 0..<2 {
                let rows = try await db.query("SELECT 41 + 1", server: server)
                #expect(try rows.first?.decode(Int.self) == 42)
            }
            // The server's own statement_timeout (SET LOCAL is transaction-scoped, PgBouncer-safe) maps to .timeout too.
            await #expect {
                _ = try await db.withTransaction(shard: 6) { connection, _ in
                    _ = try await connection.query("SET LOCAL statement_timeout = '50ms'", logger: PostgresFixture.logger).collect()
                    return try await connection.query("SELECT pg_sleep(5)", logger: PostgresFixture.logger).collect()
                }
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.code == .timeout && error.serverCode == "57014"
            }
        }
    }

    /// The server drops the session mid-transaction: the call fails (no ROLLBACK is sent on the
    /// dead connection, which could hang) and the next call on that server works.
    @Test func aSessionKilledMidTransactionFailsWithoutHanging() async throws {
        try await PostgresFixture.withStack { db throws in
            for _ in 0..<3 {
                let start = ContinuousClock.now
                await #expect {
                    _ = try await db.withTransaction(shard: 5) { connection, schema in
                        _ = try await connection.query("SELECT 1 FROM \(schema).users LIMIT 1", logger: PostgresFixture.logger).collect()
                        return try await connection.query("SELECT pg_terminate_backend(pg_backend_pid())", logger: PostgresFixture.logger).collect()
                    }
                } throws: { ($0 as? StorageError)?.code == .unavailable }
                print("killed session failed the call after \(ContinuousClock.now - start)")
                let rows = try await db.query(shard: 5) { "SELECT count(*) FROM \($0).users" }
                #expect(rows.count == 1)
            }
        }
    }

    @Test func sqlErrorsKeepTheirSQLState() async throws {
        try await PostgresFixture.withStack { db throws in
            await #expect {
                _ = try await db.query("SELEC 1", server: 0)
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.code == .queryFailed && error.serverCode == "42601"
                    && error.description == "StorageError(query_failed)"
            }
            await #expect {
                _ = try await db.query(shard: 3) { "SELECT * FROM \($0).no_such_table" }
            } throws: { ($0 as? StorageError)?.serverCode == "42P01" }
        }
    }

    @Test func wrongPasswordIsNotReachable() async throws {
        let stack = try PostgresFixture.stackConfiguration()
        var wrong = stack.servers[0]
        wrong.password = "not-the-password"
        var configuration = try ShardedPostgresConfiguration(urls: [wrong.urlString], shardCount: 1)
        configuration.callTimeout = .seconds(1)
        let db = ShardedPostgres(configuration: configuration, logger: logger)
        try await PostgresFixture.withRunning(db) { db throws in
            // The pool keeps retrying a refused login, so the lease never completes: the deadline
            // reports the server unavailable rather than hanging.
            let statuses = await db.ping()
            #expect(statuses.first?.isReady == false)
            #expect(statuses.first?.error?.code == .unavailable)
        }
    }
}
