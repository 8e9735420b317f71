import API
import Crypto
import Foundation
import HTTPTypes
import Imaging
import NIOCore
import Pipeline
import Runtime
import S3
import Storage
import TestSupport
import Testing

/// A render that kills its worker fails that upload alone: the server, its other uploads and its workers carry on.
@Suite(.timeLimit(.minutes(5)))
struct RenderIsolationTests {
    static let crashMarker = "DARKROOM-TEST-ABORT-5e0f"

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var file: String
        /// Bytes appended to the file (the test hook's marker), or none.
        var suffix: String
        var status: HTTPResponse.Status
        var code: String?
        var crashes: Int
    }

    static let cases = [
        // The 1×1 JPEG that aborted the whole server before the fix: it renders now.
        Case(testDescription: "the former crasher tiny_1x1.jpg", file: "tiny_1x1.jpg", suffix: "", status: .created, code: nil, crashes: 0),
        // A worker aborted (SIGABRT) by the test-only hook, as a libvips assertion would.
        Case(testDescription: "a worker dying by SIGABRT", file: "orient_3.jpg", suffix: crashMarker, status: .unprocessableContent,
             code: "corrupt_image", crashes: 1),
    ]

    @Test("the upload gets its answer, concurrent uploads all succeed, the pool replaces the worker, nothing is left",
          arguments: cases)
    func crashFailsOnlyItsUpload(_ test: Case) async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent(test.file)) + Array(test.suffix.utf8)
        let others = try ["orient_1.jpg", "alpha.png", "lossy.webp", "pattern.heic", "animated.gif"].map {
            try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent($0))
        }
        let environment = ["DARKROOM_RENDER_WORKER_TEST_CRASH_MARKER": Self.crashMarker, "DARKROOM_RENDER_WORKERS": "3"]
        try await AccountStack.run(environment: environment) { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("iso"))
            var sessions: [String] = []
            for index in others.indices { sessions.append(try await client.newSession(AccountStack.uniqueName("co\(index)")).token) }
            let tokens = sessions

            let (answer, concurrent) = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status, ByteBuffer).self) { group in
                group.addTask {
                    let answer = try await client.upload(bytes, filename: test.file, token: token)
                    return (-1, answer.status, answer.body)
                }
                for (index, photo) in others.enumerated() {
                    group.addTask {
                        let answer = try await client.upload(photo, token: tokens[index])
                        return (index, answer.status, answer.body)
                    }
                }
                var mine: (HTTPResponse.Status, ByteBuffer)?
                var rest: [(HTTPResponse.Status, String)] = []
                for try await (index, status, body) in group {
                    if index < 0 { mine = (status, body) } else { rest.append((status, String(buffer: body))) }
                }
                return (mine!, rest)
            }
            #expect(answer.0 == test.status, "\(String(buffer: answer.1))")
            if let code = test.code { #expect(try errorCode(answer.1) == code) }
            #expect(concurrent.count == others.count)
            #expect(concurrent.allSatisfy { $0.0 == .created }, "\(concurrent)")

            let pool = stack.media.renderPool
            #expect(await pool.crashes == test.crashes)
            let metrics = String(buffer: try await client.json(.get, "/metrics").body)
            if test.crashes > 0 {
                #expect(metrics.contains(#"darkroom_render_worker_crashes_total{reason="signal"} \#(test.crashes)"#), "\(metrics)")
                // Nothing of the failed upload in PostgreSQL or S3.
                let owner = try #require(ShardedID(string: user.id))
                #expect(try await UploadIntegrationTests.mediaCount(owner: owner, stack.dependencies.postgres) == 0)
                let digest = MediaKeys.hex(Array(SHA256.hash(data: bytes)))
                let originals = try await stack.dependencies.objectStore.listAll(prefix: "private/originals/")
                #expect(!originals.contains { (entry: ObjectListing.Entry) in entry.key.rawValue.hasSuffix(digest) })
            }
            // The server and its pool still serve: the same user uploads a good photo next.
            let next = try await client.upload(try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("orient_8.jpg")), token: token)
            #expect(next.status == .created, "\(String(buffer: next.body))")
            #expect(await pool.busy == 0)
            #expect(await pool.started >= 1 + test.crashes)
        }
    }
}
