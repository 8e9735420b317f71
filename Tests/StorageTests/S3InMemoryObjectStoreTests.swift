import TestSupport
import NIOCore
import Testing

@testable import Storage
import S3

/// `InMemoryObjectStore` must behave like S3 where callers can tell the difference.
@Suite struct S3InMemoryObjectStoreTests {
    @Test func putGetHeadDeleteRoundTrip() async throws {
        let store = InMemoryObjectStore()
        let key = try ObjectKey("p/a.jpg")
        let etag = try await store.put(Array("hello".utf8), at: key, contentType: "image/jpeg")
        // The MD5 of "hello", as S3 reports for a single-part upload.
        #expect(etag == "5d41402abc4b2a76b9719d911017c592")
        let object = try await store.get(key)
        #expect(object.bytes == Array("hello".utf8))
        #expect(object.etag == etag)
        #expect(object.contentType == "image/jpeg")
        let metadata = try await store.head(key)
        #expect(metadata.size == 5)
        try await store.delete(key)
        try await store.delete(key)
        await #expect { try await store.head(key) } throws: { ($0 as? StorageError)?.code == .notFound }
    }

    @Test func createOnlyRefusesAnExistingKey() async throws {
        let store = InMemoryObjectStore()
        let key = try ObjectKey("k")
        try await store.put(Array("a".utf8), at: key, contentType: "text/plain", createOnly: true)
        await #expect {
            try await store.put(Array("b".utf8), at: key, contentType: "text/plain", createOnly: true)
        } throws: { ($0 as? StorageError)?.code == .alreadyExists }
        #expect(try await store.get(key).bytes == Array("a".utf8))
    }

    @Test(arguments: [
        (ObjectRange.closed(first: 0, last: 9), "0123456789", ContentRange(first: 0, last: 9, total: 20)),
        (.closed(first: 15, last: 99), "FGHIJ", ContentRange(first: 15, last: 19, total: 20)),
        (.from(first: 18), "IJ", ContentRange(first: 18, last: 19, total: 20)),
        (.suffix(length: 3), "HIJ", ContentRange(first: 17, last: 19, total: 20)),
        (.suffix(length: 50), "0123456789ABCDEFGHIJ", ContentRange(first: 0, last: 19, total: 20)),
    ])
    func rangesSelectLikeS3(range: ObjectRange, expected: String, contentRange: ContentRange) async throws {
        let store = InMemoryObjectStore()
        let key = try ObjectKey("k")
        try await store.put(Array("0123456789ABCDEFGHIJ".utf8), at: key, contentType: "text/plain")
        let object = try await store.get(key, range: range)
        #expect(String(buffer: object.body) == expected)
        #expect(object.contentRange == contentRange)
        #expect(object.contentLength == expected.utf8.count)
    }

    @Test(arguments: [ObjectRange.from(first: 20), .closed(first: 25, last: 30)])
    func unsatisfiableRangeIsInvalidRange(range: ObjectRange) async throws {
        let store = InMemoryObjectStore()
        let key = try ObjectKey("k")
        try await store.put(Array(repeating: 0, count: 20), at: key, contentType: "application/octet-stream")
        await #expect { try await store.get(key, range: range) } throws: { ($0 as? StorageError)?.code == .invalidRange }
    }

    @Test func malformedRangeIsInvalidArgument() async throws {
        let store = InMemoryObjectStore()
        let key = try ObjectKey("k")
        try await store.put(Array(repeating: 0, count: 20), at: key, contentType: "application/octet-stream")
        await #expect {
            try await store.get(key, range: .closed(first: 5, last: 2))
        } throws: { ($0 as? StorageError)?.code == .invalidArgument }
    }

    @Test func listPagesInUTF8OrderWithinThePrefix() async throws {
        let store = InMemoryObjectStore()
        for name in ["p/b", "p/a", "p/ü", "p/Z", "q/a", "p/a/1"] {
            try await store.put(Array(name.utf8), at: ObjectKey(name), contentType: "text/plain")
        }
        let first = try await store.list(prefix: "p/", continuationToken: nil, limit: 2)
        #expect(first.entries.map(\.key.rawValue) == ["p/Z", "p/a"])
        let token = try #require(first.continuationToken)
        let rest = try await store.list(prefix: "p/", continuationToken: token, limit: 10)
        #expect(rest.entries.map(\.key.rawValue) == ["p/a/1", "p/b", "p/ü"])
        #expect(rest.continuationToken == nil)
        #expect(try await store.listAll(prefix: "p/", pageSize: 1).count == 5)
    }

    @Test func injectedFailuresComeOutInOrder() async throws {
        let store = InMemoryObjectStore()
        await store.failNextOperations(with: [StorageError(.unavailable, "down"), StorageError(.timeout, "slow")])
        let key = try ObjectKey("k")
        await #expect { try await store.put(Array("a".utf8), at: key, contentType: "text/plain") } throws: {
            ($0 as? StorageError)?.code == .unavailable
        }
        await #expect { try await store.head(key) } throws: { ($0 as? StorageError)?.code == .timeout }
        try await store.put(Array("a".utf8), at: key, contentType: "text/plain")
    }

    @Test func presignedURLsValidateTheExpiry() throws {
        let store = InMemoryObjectStore()
        #expect(try store.presignedGetURL(for: ObjectKey("a b"), expiresIn: .seconds(60)) == "memory://memory/a%20b?expires=60")
        #expect(throws: StorageError.self) { try store.presignedGetURL(for: ObjectKey("k"), expiresIn: .seconds(604_801)) }
    }
}
