import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Synchronization
import TestSupport
import Testing

@Suite struct ErrorTests {
    @Test func unknownRoutesAnswerJSON404() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.get, "/no/such/route")
            #expect(answer.status == .notFound)
            #expect(answer.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try decodeError(answer.body) == .init(code: "not_found", message: "no such resource"))
        }
    }

    @Test(arguments: [StorageError.Code.unavailable, .timeout])
    func aStoreThatIsDownGives503WithRetryAfterAndNoDetail(_ code: StorageError.Code) async throws {
        let fixture = try APIFixture()
        fixture.users.failure.withLock { $0 = StorageError(code, "PostgreSQL 127.0.0.1:55432 secret-host detail") }
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.post, "/v1/users", #"{"username":"down","password":"long enough"}"#)
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.headers[.retryAfter] == "2")
            let text = String(buffer: answer.body)
            #expect(!text.contains("55432") && !text.contains("secret-host"))
            #expect(try decodeError(answer.body).code == "unavailable")
        }
    }

    @Test func anUnexpectedErrorIs500WithAFixedMessage() async throws {
        let fixture = try APIFixture()
        fixture.users.failure.withLock { $0 = StorageError(.queryFailed, "syntax error at or near SELECT in users") }
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.get, "/v1/users/\(1 << 23)")
            #expect(answer.status == .internalServerError)
            #expect(try decodeError(answer.body) == .init(code: "internal_error", message: "internal error"))
        }
    }

    @Test func anOversizedBodyIs413() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let padding = String(repeating: "x", count: 20_000)
            let answer = try await client.json(.post, "/v1/users", #"{"username":"big","password":"long enough","display_name":"\#(padding)"}"#)
            #expect(answer.status == .contentTooLarge)
            #expect(try decodeError(answer.body).code == "payload_too_large")
        }
    }

    @Test func errorResponsesCarryTheRequestID() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/me", method: .get, headers: [HTTPField.Name("X-Request-Id")!: "req-123"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == "req-123")
            }
        }
    }

    @Test(arguments: [
        (APIError.Code.badRequest, 400), (.validationFailed, 400), (.unauthorized, 401), (.forbidden, 403),
        (.notFound, 404), (.conflict, 409), (.usernameTaken, 409), (.payloadTooLarge, 413),
        (.unsupportedMedia, 422), (.unprocessable, 422), (.unavailable, 503), (.overloaded, 503), (.internalError, 500),
    ])
    func everyCodeHasItsStatus(_ code: APIError.Code, _ status: Int) {
        #expect(ErrorMapping.status(of: code).code == status)
    }

    @Test func storageErrorsMapToStableCodes() {
        #expect(ErrorMapping.apiError(for: StorageError(.unavailable, "x")).error.code == .unavailable)
        #expect(ErrorMapping.apiError(for: StorageError(.unavailable, "x")).error.retryAfter != nil)
        #expect(ErrorMapping.apiError(for: StorageError(.conflict, "x")).error.code == .conflict)
        #expect(ErrorMapping.apiError(for: StorageError(.protocolError, "x")).isInternal)
        struct Odd: Error {}
        #expect(ErrorMapping.apiError(for: Odd()).error.code == .internalError)
    }
}
