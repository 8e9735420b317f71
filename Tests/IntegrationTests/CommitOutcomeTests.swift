import API
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Runtime
import S3
import Storage
import TestSupport
import Testing

/// A metadata write whose outcome is unknown never deletes objects a committed row points at (issue 10 §2). The
/// failpoints (armed through `DARKROOM_FAILPOINTS` for this test's application only) lose the transaction's answer
/// after it committed, or time it out before COMMIT.
@Suite(.timeLimit(.minutes(3)))
struct CommitOutcomeTests {
    @Test(arguments: [Failpoints.Point.mediaCommitAnswerLost, .mediaTimeoutBeforeCommit])
    func objectsAreDeletedOnlyWhenTheRowIsCertainlyAbsent(_ point: Failpoints.Point) async throws {
        try await AccountStack.run(environment: ["DARKROOM_FAILPOINTS": point.rawValue]) { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("commit"))
            let owner = try #require(ShardedID(string: user.id))
            // A photo no other test uploads: its original's key (…/<sha256>) then names this upload only.
            let bytes = try UploadIntegrationTests.bytes(point == .mediaCommitAnswerLost ? "orient_2.jpg" : "orient_4.jpg")
            let answer = try await client.upload(bytes, fields: ["caption": "#lost"], token: token)
            let db = stack.dependencies.postgres
            let store = stack.dependencies.objectStore
            let digest = MediaKeys.hex(Array(SHA256.hash(data: bytes)))
            let originals = try await store.listAll(prefix: "private/originals/").filter { $0.key.rawValue.hasSuffix(digest) }

            switch point {
            case .mediaCommitAnswerLost:
                // Committed: the upload succeeded, whatever the lost answer said, and everything it needs is there.
                try #require(answer.status == .created, "\(String(buffer: answer.body))")
                let media = try decodeMedia(answer.body)
                let id = try #require(ShardedID(string: media.id))
                #expect(try await UploadIntegrationTests.row(id, db)?.owner == owner)
                let record = try #require(try await MediaRepository(postgres: db).media(id: id, logger: AccountStack.logger))
                for key in MediaKeys.all(of: record) {
                    #expect(try await store.head(try ObjectKey(key)).size > 0, "\(key) is there")
                }
                #expect(try await client.execute(uri: "/m/\(media.id)/w320.jpg", method: .get) { $0.status } == .ok)
                // Its jobs are in the outbox, for the relay (the publisher never had the rows).
                #expect(try await UploadIntegrationTests.outbox(id, db).map(\.topic) == ["feed", "push"])
            case .mediaTimeoutBeforeCommit:
                #expect(answer.status == .serviceUnavailable, "\(String(buffer: answer.body))")
                #expect(answer.headers[.retryAfter] != nil)
                #expect(try await UploadIntegrationTests.mediaCount(owner: owner, db) == 0)
                #expect(originals.isEmpty, "certainly not committed: the objects were deleted")
            case .uploadStallAfterStore:
                Issue.record("not a metadata failpoint")
            }
        }
    }

    /// The settling itself, on transactions the test holds open: in progress is unknown (nothing may be deleted), then
    /// committed finds the row; rolled back is certainly absent.
    @Test func aTransactionIsSettledOnlyWhenTheServerKnowsItsFate() async throws {
        try await PostgresFixture.withStack { db in
            let repository = MediaRepository(postgres: db)
            let logger = PostgresFixture.logger
            for commits in [true, false] {
                let settled = try await db.withConnection(shard: 3, timeout: .seconds(30)) { connection, schema in
                    _ = try await connection.query("BEGIN", logger: logger).collect()
                    let user = try await connection.query(
                        "INSERT INTO \(schema).users (username, password_hash) VALUES (\("settle-" + UUID().uuidString), 'x') RETURNING id",
                        logger: logger
                    ).collect()[0].decode(Int64.self)
                    let (media, xid) = try await connection.query(
                        """
                        INSERT INTO \(schema).media (owner_id, content_sha256, width, height, renditions)
                        VALUES (\(user), decode(repeat('0a', 32), 'hex'), 1, 1, '[]'::jsonb) RETURNING id, txid_current()
                        """,
                        logger: logger
                    ).collect()[0].decode((ShardedID, Int64).self)
                    let pending = await repository.settle(media, transaction: xid, logger: logger)
                    _ = try await connection.query(commits ? "COMMIT" : "ROLLBACK", logger: logger).collect()
                    return (pending, await repository.settle(media, transaction: xid, logger: logger), media)
                }
                guard case .unknown = settled.0 else { Issue.record("in progress must be unknown: \(settled.0)"); continue }
                switch (commits, settled.1) {
                case let (true, .committed(record)): #expect(record.id == settled.2)
                case (false, .absent): break
                default: Issue.record("commits \(commits): settled as \(settled.1)")
                }
            }
        }
    }
}
