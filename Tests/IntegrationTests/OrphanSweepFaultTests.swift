#if canImport(Glibc)
import Glibc
#endif
import API
import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Runtime
import S3
import Storage
import TestSupport
import Testing

/// The orphan sweeper (issue 10 §3) against a real `darkroom serve` killed between Store and Metadata. Each test uses a
/// bucket of its own, so what the sweeper lists, keeps and deletes is known exactly; it runs alone in phase 2 because
/// it kills a server process and sweeps with no grace.
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct OrphanSweepFaultTests {
    /// The application on a bucket of its own (created here) with a signed-in user: `body` gets the stack, its client,
    /// the environment that names the bucket (for the processes the test starts) and the user's token.
    static func onFreshBucket(
        _ body: @Sendable (AccountStack, any TestClientProtocol, [String: String], String) async throws -> Void
    ) async throws {
        let onBucket = ["DARKROOM_S3_BUCKET": "sweep-\(UUID().uuidString.prefix(8).lowercased())", "DARKROOM_SWEEP_INTERVAL_SECONDS": "0"]
        try await AccountStack.run(environment: onBucket) { stack, client in
            try await stack.dependencies.objectStore.createBucketIfMissing()
            let (_, token) = try await client.newSession(AccountStack.uniqueName("sweep"))
            try await body(stack, client, onBucket, token)
        }
    }

    /// Uploads a project test image; its media id.
    static func upload(_ name: String, _ client: any TestClientProtocol, token: String) async throws -> ShardedID {
        let answer = try await client.upload(try UploadIntegrationTests.bytes(name), token: token)
        try #require(answer.status == .created, "\(String(buffer: answer.body))")
        return try #require(ShardedID(string: try decodeMedia(answer.body).id))
    }

    /// Keys in the bucket, by the media id they belong to.
    static func keysByMedia(_ store: some ObjectStore) async throws -> [ShardedID: Set<String>] {
        var byMedia: [ShardedID: Set<String>] = [:]
        for prefix in MediaKeys.mediaPrefixes {
            for entry in try await store.listAll(prefix: prefix) {
                let id = try #require(MediaKeys.mediaID(of: entry.key.rawValue))
                byMedia[id, default: []].insert(entry.key.rawValue)
            }
        }
        return byMedia
    }

    /// Runs `darkroom sweep`; returns its exit code, the keys it printed and its standard error.
    static func sweep(_ arguments: [String], environment: [String: String]) async throws -> (code: Int32?, keys: Set<String>, log: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-sweep-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: base.appendingPathExtension("out"))
            try? FileManager.default.removeItem(at: base.appendingPathExtension("err"))
        }
        let code = try await ChildProcess.run(
            "/bin/sh", ["-c", "exec \"$0\" sweep \"$@\" >\"$OUT\" 2>\"$ERR\"", ServeProcessTests.binary] + arguments,
            environment: TestStack.environment.merging(environment) { $1 }.merging(
                ["OUT": base.appendingPathExtension("out").path, "ERR": base.appendingPathExtension("err").path]) { $1 },
            timeout: .seconds(120))
        let out = (try? String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8)) ?? ""
        return (code, Set(out.split(separator: "\n").map(String.init)), err)
    }

    @Test func aServerKilledBetweenStoreAndMetadataLeavesOrphansTheSweeperRemovesAndNothingElse() async throws {
        try await Self.onFreshBucket { stack, client, onBucket, token in
            let store = stack.dependencies.objectStore
            // A live media, and a deleted one whose cleanup never ran (no worker runs here).
            let live = try await Self.upload("orient_1.jpg", client, token: token)
            let gone = try await Self.upload("orient_3.jpg", client, token: token)
            #expect(try await client.json(.delete, "/v1/media/\(gone)", token: token).status == .noContent)

            // A real server that stalls every upload after Store, killed there.
            let logs = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-sweep-serve-\(UUID().uuidString).log")
            defer { try? FileManager.default.removeItem(at: logs) }
            let port = 41_000 + Int.random(in: 0..<8000)
            var environment = TestStack.environment.merging(onBucket) { $1 }
            environment["DARKROOM_HTTP_PORT"] = "\(port)"
            environment["DARKROOM_FAILPOINTS"] = Failpoints.Point.uploadStallAfterStore.rawValue
            let server = try ChildProcess(
                "/bin/sh", ["-c", "exec \"$0\" serve --role api 2>\"$1\"", ServeProcessTests.binary, logs.path], environment: environment)
            var killed = false
            defer { if !killed { server.signal(SIGKILL) } }
            let ready = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready"), timeout: .seconds(5))
                return response?.status == .ok
            }
            try #require(ready, "the server never became ready")
            let photo = try UploadIntegrationTests.bytes("orient_6.jpg")
            let upload = Task {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/media")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Content-Type", value: "image/jpeg")
                request.body = .bytes(ByteBuffer(bytes: photo))
                return try? await HTTPClient.shared.execute(request, timeout: .seconds(120)).status
            }
            let stalled = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                ((try? String(contentsOf: logs, encoding: .utf8)) ?? "").contains("failpoint upload.stall_after_store")
            }
            if !stalled { print("--- serve log\n" + ((try? String(contentsOf: logs, encoding: .utf8)) ?? "")) }
            try #require(stalled, "the upload never reached the failpoint")
            server.signal(SIGKILL)
            killed = true
            #expect(try await server.waitForExit(timeout: .seconds(10)) == 128 + SIGKILL)
            #expect(await upload.value != .created, "the upload died with the server")

            let stored = try await Self.keysByMedia(store)
            let liveKeys = try #require(stored[live])
            let goneKeys = try #require(stored[gone])
            let orphanIDs = Set(stored.keys).subtracting([live, gone])
            try #require(orphanIDs.count == 1, "the killed upload's objects, under one media id: \(stored.keys)")
            let killedID = try #require(orphanIDs.first)
            let killedKeys = try #require(stored[killedID])
            #expect(killedKeys.count == liveKeys.count, "every rendition and the original were stored before the kill")
            #expect(try await UploadIntegrationTests.row(killedID, stack.dependencies.postgres) == nil, "no row was written")
            let everything = liveKeys.union(goneKeys).union(killedKeys)

            // Within the default grace (1 h) nothing is touched.
            let young = try await Self.sweep(["--dry-run"], environment: onBucket)
            #expect(young.code == 0, "\(young.log)")
            #expect(young.keys.isEmpty)
            #expect(young.log.contains("young \(everything.count) (within grace)"), "\(young.log)")

            // With no grace: exactly the killed upload's objects and the deleted media's, first listed, then deleted.
            let noGrace = onBucket.merging(["DARKROOM_SWEEP_GRACE_SECONDS": "0"]) { $1 }
            let dry = try await Self.sweep(["--dry-run"], environment: noGrace)
            #expect(dry.code == 0, "\(dry.log)")
            #expect(dry.keys == killedKeys.union(goneKeys))
            #expect(Set(try await Self.keysByMedia(store).values.joined()) == everything, "a dry run deletes nothing")

            let swept = try await Self.sweep([], environment: noGrace)
            #expect(swept.code == 0, "\(swept.log)")
            #expect(swept.keys == killedKeys.union(goneKeys))
            #expect(try await Self.keysByMedia(store) == [live: liveKeys], "only the live media's objects remain, all of them")
            let summary = swept.log.split(separator: "\n").last { $0.hasPrefix("sweep done") }.map(String.init) ?? swept.log
            #expect(summary.contains("scanned \(everything.count), deleted \(killedKeys.count + goneKeys.count), kept \(liveKeys.count) (live row)"), "\(summary)")
            print("orphan sweep figures: \(summary)")
            #expect(try await client.execute(uri: "/m/\(live)/w320.jpg", method: .get) { $0.status } == .ok)
        }
    }

    @Test func theWorkersSweepPeriodically() async throws {
        try await Self.onFreshBucket { stack, client, onBucket, token in
            let store = stack.dependencies.objectStore
            let live = try await Self.upload("orient_1.jpg", client, token: token)
            // An orphan whose media id names a real shard but no row.
            let nobody = try #require(try ShardedID.farFuture(count: 1).first)
            let orphan = try ObjectKey("public/m/\(nobody)/w320-0000000000000000.jpg")
            try await store.put(Array("orphan".utf8), at: orphan, contentType: "image/jpeg")
            let liveKeys = try #require(try await Self.keysByMedia(store)[live])

            let logs = FileManager.default.temporaryDirectory.appendingPathComponent("darkroom-sweep-work-\(UUID().uuidString).log")
            defer { try? FileManager.default.removeItem(at: logs) }
            let worker = try WorkProcessTests.startWorker(
                name: "sweep-\(UUID().uuidString.prefix(8))",
                environment: onBucket.merging(["DARKROOM_SWEEP_INTERVAL_SECONDS": "1", "DARKROOM_SWEEP_GRACE_SECONDS": "0"]) { $1 },
                log: logs)
            var stopped = false
            defer { if !stopped { worker.signal(SIGKILL) } }
            let swept = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                try await Self.keysByMedia(store)[nobody] == nil
            }
            if !swept { print("--- work log\n" + ((try? String(contentsOf: logs, encoding: .utf8)) ?? "")) }
            #expect(swept, "the worker's periodic sweep removed the orphan")
            #expect(try await Self.keysByMedia(store) == [live: liveKeys])
            worker.signal(SIGTERM)
            let code = try await worker.waitForExit(timeout: .seconds(30))
            stopped = code != nil
            #expect(code == 0)
        }
    }
}
