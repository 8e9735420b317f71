import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite struct MetricsTests {
    private func scrape(_ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            return String(buffer: response.body)
        }
    }

    @Test func signupsAndSessionsAreCounted() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let before = try await scrape(client)
            #expect(before.contains("darkroom_signups_total 0"))
            _ = try await client.signUp("counted")
            _ = try await client.logIn("counted")
            _ = try await client.logIn("counted")
            let after = try await scrape(client)
            #expect(after.contains("darkroom_signups_total 1"))
            #expect(after.contains("darkroom_sessions_created_total 2"))
        }
    }

    @Test func requestsAreCountedByRouteTemplateNotRawPath() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let user = try await client.signUp("templated")
            _ = try await client.json(.get, "/v1/users/\(user.id)")
            _ = try await client.json(.get, "/v1/users/abc")
            _ = try await client.json(.get, "/random/\(UUID())")
            let text = try await scrape(client)
            #expect(text.contains(#"darkroom_http_requests_total{route="/v1/users/{id}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"darkroom_http_requests_total{route="/v1/users/{id}",method="GET",status="404"} 1"#))
            #expect(text.contains(#"darkroom_http_requests_total{route="NotFound",method="GET",status="404"} 1"#))
            #expect(text.contains(#"darkroom_http_requests_total{route="/v1/users",method="POST",status="201"} 1"#))
            #expect(text.contains("darkroom_http_request_duration_seconds_bucket"))
            #expect(!text.contains(user.id), "raw ids must not become label values")
        }
    }
}
