import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// One resource, one URL (each other spelling would be another CDN cache entry of the same immutable object), and
/// the security headers on every answer, through HTTP on the real stack with a real upload.
@Suite(.timeLimit(.minutes(2)))
struct CanonicalURLIntegrationTests {
    static let otherSpellings = [
        "/v1/media/0{media}", "/v1/media/00{media}", "/v1/media/{media}/", "//v1/media/{media}", "/v1/media//{media}",
        "/m/0{media}/w1080.jpg", "/m/{media}//w1080.jpg", "/m//{media}/w1080.jpg", "/m/{media}/w1080.jpg/", "/m/{media}/w1080.jpg//",
        "/v1/users/0{user}", "/v1/users/{user}/", "/v1/users/0{user}/media", "/v1/users/{user}//media",
    ]

    @Test func onlyTheCanonicalURLAnswersAndEveryAnswerIsNosniff() async throws {
        try await AccountStack.run { _, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("url"))
            let upload = try await client.upload(
                try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("orient_1.jpg")), token: token)
            try #require(upload.status == .created, "\(String(buffer: upload.body))")
            let media = try decodeMedia(upload.body)
            func expand(_ template: String) -> String {
                template.replacingOccurrences(of: "{media}", with: media.id).replacingOccurrences(of: "{user}", with: user.id)
            }

            var canonical = ["/v1/media/{media}", "/v1/users/{user}", "/v1/users/{user}/media"].map(expand)
            canonical += media.renditions.map { UploadIntegrationTests.path(of: $0.url) }
            for uri in canonical {
                let answer = try await client.execute(uri: uri, method: .get) { $0 }
                #expect(answer.status == .ok, "\(uri)")
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(uri)")
                #expect(answer.headers[HTTPField.Name("Content-Security-Policy")!] == "default-src 'none'; frame-ancestors 'none'", "\(uri)")
            }
            for uri in Self.otherSpellings.map(expand) {
                let answer = try await client.execute(uri: uri, method: .get) { $0 }
                #expect(answer.status == .notFound, "\(uri)")
                #expect(try errorCode(answer.body) == "not_found", "\(uri)")
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "errors too: \(uri)")
            }

            let rendition = try #require(media.renditions.first).url
            let head = try await client.execute(uri: UploadIntegrationTests.path(of: rendition), method: .head) { $0 }
            #expect(head.status == .ok && head.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let etag = try #require(head.headers[.eTag])
            let notModified = try await client.execute(uri: UploadIntegrationTests.path(of: rendition), method: .get, headers: [.ifNoneMatch: etag]) { $0 }
            #expect(notModified.status == .notModified && notModified.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        }
    }
}
