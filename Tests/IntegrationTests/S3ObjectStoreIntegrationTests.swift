import Runtime
import API
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Storage
import Synchronization
import Testing
import S3

/// The S3 client against SeaweedFS on the test stack, with SigV4 auth on.
@Suite(.timeLimit(.minutes(1)))
struct S3ObjectStoreIntegrationTests {
    /// Every test writes under its own prefix so runs and parallel tests never see each other's objects.
    let prefix = "it/s3-\(UUID().uuidString.lowercased())/"

    final class AttemptCounter: Sendable {
        let attempts = Mutex<[S3ObjectStore.Attempt]>([])
        var count: Int { attempts.withLock { $0.count } }
        func record(_ attempt: S3ObjectStore.Attempt) { attempts.withLock { $0.append(attempt) } }
    }

    static func configuration() throws -> S3Configuration {
        try TestStack.configuration().objectStore.s3Configuration
    }

    /// Runs `body` with an owned-client store and always shuts the client down.
    @discardableResult
    static func withStore<T>(
        _ configuration: S3Configuration, counter: AttemptCounter? = nil,
        _ body: (S3ObjectStore) async throws -> T
    ) async throws -> T {
        let onAttempt: (@Sendable (S3ObjectStore.Attempt) -> Void)? =
            if let counter { { counter.record($0) } } else { nil }
        let store = try S3ObjectStore(configuration: configuration, logger: Logger(label: "test.s3"), onAttempt: onAttempt)
        do {
            let result = try await body(store)
            try await store.shutdown()
            return result
        } catch {
            try await store.shutdown()
            throw error
        }
    }

    func objectKey(_ name: String) throws -> ObjectKey { try ObjectKey(prefix + name) }

    static func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    @Test func putGetRangeHeadListDeleteRoundTrip() async throws {
        let photo = Self.bytes(70_000)
        let key = try objectKey("r/1080w.jpg")
        try await Self.withStore(try Self.configuration()) { store in
            let etag = try await store.put(photo, at: key, contentType: "image/jpeg")
            // Single-part ETag: the MD5 hex of the body, quotes removed.
            #expect(etag.count == 32 && etag.allSatisfy(\.isHexDigit))

            let whole = try await store.get(key)
            #expect(whole.bytes == photo)
            #expect(whole.contentType == "image/jpeg")
            #expect(whole.etag == etag)
            #expect(whole.contentLength == photo.count)
            #expect(whole.contentRange == nil)

            let ranged = try await store.get(key, range: .closed(first: 10, last: 19))
            #expect(ranged.bytes == Array(photo[10...19]))
            #expect(ranged.contentLength == 10)
            #expect(ranged.contentRange == ContentRange(first: 10, last: 19, total: photo.count))

            let tail = try await store.get(key, range: .suffix(length: 5))
            #expect(tail.bytes == Array(photo.suffix(5)))

            let metadata = try await store.head(key)
            #expect(metadata.size == photo.count)
            #expect(metadata.etag == etag)
            #expect(metadata.contentType == "image/jpeg")
            let lastModified = try #require(metadata.lastModified)
            #expect(abs(lastModified.timeIntervalSinceNow) < 600)

            let listed = try await store.listAll(prefix: prefix)
            #expect(listed.map(\.key) == [key])
            #expect(listed.first?.size == photo.count)
            #expect(listed.first?.etag == etag)

            try await store.delete(key)
            await #expect { try await store.head(key) } throws: { ($0 as? StorageError)?.code == .notFound }
            // Deleting again is not an error.
            try await store.delete(key)
            #expect(try await store.listAll(prefix: prefix).isEmpty)
        }
    }

    @Test func keysWithReservedCharactersRoundTripAndList() async throws {
        let names = ["a b.jpg", "plus+equals=amp&.jpg", "ünï/cödé.jpg", "paren(1)!*'.jpg", "tilde~dash-under_.jpg", "pct%20.jpg"]
        try await Self.withStore(try Self.configuration()) { store in
            for (index, name) in names.enumerated() {
                try await store.put(Self.bytes(10, seed: UInt8(index)), at: try objectKey(name), contentType: "image/jpeg")
            }
            for (index, name) in names.enumerated() {
                #expect(try await store.get(try objectKey(name)).bytes == Self.bytes(10, seed: UInt8(index)))
            }
            // Pages of 2 make the client follow continuation tokens (SeaweedFS uses the last key as token).
            let listed = try await store.listAll(prefix: prefix, pageSize: 2)
            #expect(listed.map(\.key) == (try names.map { try objectKey($0) }).sorted())
            for name in names { try await store.delete(try objectKey(name)) }
        }
    }

    @Test func createOnlyPutOnAnExistingKeyIsAlreadyExists() async throws {
        let key = try objectKey("once.jpg")
        let counter = AttemptCounter()
        try await Self.withStore(try Self.configuration(), counter: counter) { store in
            try await store.put(Array("first".utf8), at: key, contentType: "image/jpeg", createOnly: true)
            let before = counter.count
            await #expect {
                try await store.put(Array("second".utf8), at: key, contentType: "image/jpeg", createOnly: true)
            } throws: { error in
                let error = error as? StorageError
                return error?.code == .alreadyExists && error?.httpStatus == 412 && error?.serverCode == "PreconditionFailed"
            }
            #expect(counter.count == before + 1)
            #expect(try await store.get(key).bytes == Array("first".utf8))
            // Without create-only, the same key is overwritten.
            try await store.put(Array("third".utf8), at: key, contentType: "image/jpeg")
            #expect(try await store.get(key).bytes == Array("third".utf8))
            try await store.delete(key)
        }
    }

    @Test func wrongSecretIsAccessDeniedAfterExactlyOneAttempt() async throws {
        var configuration = try Self.configuration()
        configuration.credentials.secretKey += "-wrong"
        let counter = AttemptCounter()
        try await Self.withStore(configuration, counter: counter) { store in
            await #expect {
                try await store.put(Array("x".utf8), at: try objectKey("denied.jpg"), contentType: "image/jpeg")
            } throws: { error in
                let error = error as? StorageError
                return error?.code == .accessDenied && error?.httpStatus == 403 && error?.serverCode == "SignatureDoesNotMatch"
            }
        }
        #expect(counter.count == 1)
        #expect(counter.attempts.withLock { $0.first?.willRetry } == false)
    }

    @Test func unknownAccessKeyIsAccessDenied() async throws {
        var configuration = try Self.configuration()
        configuration.credentials.accessKey = "nobody"
        let counter = AttemptCounter()
        try await Self.withStore(configuration, counter: counter) { store in
            await #expect { try await store.checkHealth() } throws: { ($0 as? StorageError)?.code == .accessDenied }
        }
        #expect(counter.count == 1)
    }

    @Test func presignedURLWorksWithAPlainGetAndATamperedOneIsRefused() async throws {
        let photo = Self.bytes(1000)
        let key = try objectKey("shared.jpg")
        try await Self.withStore(try Self.configuration()) { store in
            try await store.put(photo, at: key, contentType: "image/jpeg")
            let url = try store.presignedGetURL(for: key, expiresIn: .seconds(300))

            let (status, body) = try await Self.plainGet(url)
            #expect(status == 200)
            #expect(body == photo)

            // Flip one hex digit of the signature.
            let last = url.last!
            let tampered = String(url.dropLast()) + (last == "0" ? "1" : "0")
            let (tamperedStatus, _) = try await Self.plainGet(tampered)
            #expect(tamperedStatus == 403)

            // The object itself is private: no signature, no bytes.
            let unsigned = String(url.prefix { $0 != "?" })
            let (unsignedStatus, _) = try await Self.plainGet(unsigned)
            #expect(unsignedStatus == 403)
            try await store.delete(key)
        }
    }

    @Test func unknownKeyIsNotFoundAndABadRangeIsInvalidRange() async throws {
        try await Self.withStore(try Self.configuration()) { store in
            await #expect { try await store.get(try objectKey("missing.jpg")) } throws: { error in
                let error = error as? StorageError
                return error?.code == .notFound && error?.serverCode == "NoSuchKey" && error?.httpStatus == 404
            }
            await #expect { try await store.head(try objectKey("missing.jpg")) } throws: { ($0 as? StorageError)?.code == .notFound }

            let small = try objectKey("small.jpg")
            try await store.put(Self.bytes(100), at: small, contentType: "image/jpeg")
            await #expect { try await store.get(small, range: .from(first: 100)) } throws: { error in
                let error = error as? StorageError
                return error?.code == .invalidRange && error?.httpStatus == 416
            }
            try await store.delete(small)
        }
    }

    @Test func createBucketIfMissingAcceptsTheExistingBucketAndHealthPasses() async throws {
        try await Self.withStore(try Self.configuration()) { store in
            try await store.createBucketIfMissing()
            try await store.createBucketIfMissing()
            try await store.checkHealth()
        }
    }

    @Test func aRefusedConnectionIsUnavailableAfterThreeAttempts() async throws {
        var configuration = try Self.configuration()
        // Port 1 on loopback: nothing listens, the kernel refuses at once.
        configuration.endpoint = "http://127.0.0.1:1"
        let counter = AttemptCounter()
        try await Self.withStore(configuration, counter: counter) { store in
            await #expect { try await store.head(try objectKey("x")) } throws: { error in
                let error = error as? StorageError
                return error?.code == .unavailable && error?.httpStatus == nil
            }
        }
        #expect(counter.count == 3)
        #expect(counter.attempts.withLock { $0.map(\.outcome) } == Array(repeating: .connectionFailed, count: 3))
    }

    @Test func concurrentCreateOnlyPutsHaveExactlyOneWinner() async throws {
        let key = try objectKey("race.jpg")
        try await Self.withStore(try Self.configuration()) { store in
            let results = await withTaskGroup(of: StorageError.Code?.self) { group in
                for writer in 0..<20 {
                    group.addTask {
                        do {
                            try await store.put(Self.bytes(2000, seed: UInt8(writer)), at: key, contentType: "image/jpeg", createOnly: true)
                            return nil
                        } catch let error as StorageError {
                            return error.code
                        } catch {
                            return .protocolError
                        }
                    }
                }
                return await group.reduce(into: [StorageError.Code?]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == nil }.count == 1)
            // Losers see 412 (key taken) or 409 (a concurrent conditional write was in flight).
            #expect(results.compactMap { $0 }.allSatisfy { $0 == .alreadyExists || $0 == .conflict })
            try await store.delete(key)
        }
    }

    @Test func aServerThatAcceptsButNeverAnswersIsATimeout() async throws {
        // A listener that accepts connections and never reads or writes: a hung gateway.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { _ in MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        var configuration = try Self.configuration()
        configuration.endpoint = "http://127.0.0.1:\(port)"
        configuration.attemptTimeout = .milliseconds(300)
        configuration.requestTimeout = .seconds(2)
        let counter = AttemptCounter()
        do {
            try await Self.withStore(configuration, counter: counter) { store in
                await #expect { try await store.get(try objectKey("x")) } throws: { ($0 as? StorageError)?.code == .timeout }
            }
        } catch {
            try await server.close()
            throw error
        }
        try await server.close()
        #expect(counter.count == 3)
        #expect(counter.attempts.withLock { $0.allSatisfy { $0.outcome == .timedOut } })
    }

    /// A GET with no signing at all, as a browser or the CDN would send it.
    static func plainGet(_ url: String) async throws -> (Int, [UInt8]) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 10 * 1024 * 1024)
        return (Int(response.status.code), Array(body.readableBytesView))
    }
}
