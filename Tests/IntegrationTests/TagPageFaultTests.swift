import API
import Foundation
import HTTPTypes
import NIOCore
import Storage
import TestSupport
import Testing

/// The tag page with one PostgreSQL server stopped: it answers with the media of the servers that are up and says
/// the page is partial, instead of failing for everyone.
@Suite(.serialized, .enabled(if: TestStack.faultTestsEnabled, "fault tests run alone in phase 2 of make test"))
struct TagPageFaultTests {
    @Test(.timeLimit(.minutes(3)))
    func aStoppedServerMakesTheTagPagePartialNotFailed() async throws {
        try await SocialStack.run { stack, client in
            let db = stack.postgres
            let tag = "f_" + UUID().uuidString.prefix(8).lowercased()
            var posted: [Int: [ShardedID]] = [:]
            while posted.keys.count < db.serverCount {
                let user = try await stack.user(client, "tf")
                let media = try await stack.post(user.id, caption: "#\(tag)", hashtags: [tag]).0
                posted[try db.server(forShard: media.id.shard), default: []].append(media.id)
            }
            let reader = try await stack.user(client, "tr")

            try await TestStack.withStopped(.pg1) {
                let answer = try await client.json(.get, "/v1/tags/\(tag)/media", token: reader.token)
                try #require(answer.status == .ok, "\(String(buffer: answer.body))")
                let page = try JSONDecoder().decode(PageResponse<MediaResponse>.self, from: Data(answer.body.readableBytesView))
                #expect(page.partial)
                #expect(page.items.map(\.id) == (posted[0] ?? []).sorted(by: >).map(\.description))
            }
        }
    }
}
