import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

@Suite struct PostgresDebugTests {
    func say(_ s: String) { FileHandle.standardError.write(Data("DBG \(Date()) \(s)\n".utf8)) }
    @Test(.timeLimit(.minutes(1))) func slow() async throws {
        try await PostgresFixture.withStack { db throws in
            say("start")
            do { _ = try await db.query("SELECT pg_sleep(30)", server: 1, timeout: .milliseconds(500)) } catch { say("1: \(String(reflecting: error))") }
            do { _ = try await db.withTransaction(shard: 2, timeout: .milliseconds(500)) { connection, _ in
                    try await connection.query("SELECT pg_sleep(30)", logger: PostgresFixture.logger).collect()
                } } catch { say("2: \(String(reflecting: error))") }
            for server in 0..<2 {
                let rows = try await db.query("SELECT 41 + 1", server: server)
                say("3: \(server) \(rows.count)")
            }
            do { _ = try await db.withTransaction(shard: 6) { connection, _ in
                    _ = try await connection.query("SET LOCAL statement_timeout = '50ms'", logger: PostgresFixture.logger).collect()
                    return try await connection.query("SELECT pg_sleep(5)", logger: PostgresFixture.logger).collect()
                } } catch { say("4: \(String(reflecting: error))") }
            say("end")
        }
        say("out")
    }
}
