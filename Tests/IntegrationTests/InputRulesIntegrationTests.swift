import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Runtime
import Storage
import TestSupport
import Testing

/// What the adversarial probe of issue 9 sent, through HTTP on the real stack: every text field refuses control
/// characters and bytes that are not UTF-8, fields come once, numbers are plain decimals, and a refused request
/// leaves nothing behind.
@Suite(.timeLimit(.minutes(3)))
struct InputRulesIntegrationTests {
    static func photo() throws -> [UInt8] {
        try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("orient_1.jpg"))
    }

    /// A multipart body of raw parts, so a test can send bytes no `String` holds.
    static func multipart(_ parts: [(name: String, bytes: [UInt8])], boundary: String = "probe-boundary") -> (HTTPFields, ByteBuffer) {
        var body = ByteBuffer()
        for part in parts {
            let filename = part.name == "photo" ? "; filename=\"p.jpg\"" : ""
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"\(filename)\r\n\r\n")
            body.writeBytes(part.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], body)
    }

    static func error(_ body: ByteBuffer) throws -> ErrorResponse.Body {
        try JSONDecoder().decode(ErrorResponse.self, from: Data(body.readableBytesView)).error
    }

    struct MultipartCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var fields: [(name: String, bytes: [UInt8])]
        var photos = 1
        var code = "validation_failed"
        var field: String?
    }

    @Test(arguments: [
        MultipartCase(testDescription: "caption that is not UTF-8", fields: [("caption", Array("caf".utf8) + [0xE9])], field: "caption"),
        MultipartCase(testDescription: "overlong NUL in a caption", fields: [("caption", [0x61, 0xC0, 0x80])], field: "caption"),
        MultipartCase(testDescription: "filter that is not UTF-8", fields: [("filter", [0xFF])], field: "filter"),
        MultipartCase(testDescription: "two captions", fields: [("caption", Array("a".utf8)), ("caption", Array("b".utf8))], field: "caption"),
        MultipartCase(testDescription: "two photos", fields: [], photos: 2, field: "photo"),
        MultipartCase(testDescription: "1,000 captions", fields: Array(repeating: (name: "caption", bytes: Array("spam".utf8)), count: 1_000), code: "bad_request"),
    ])
    func malformedMultipartFieldsAre400AndStoreNothing(_ test: MultipartCase) async throws {
        try await AccountStack.run { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("mp"))
            let photo = try Self.photo()
            let (form, body) = Self.multipart(test.fields + Array(repeating: (name: "photo", bytes: photo), count: test.photos))
            var headers = form
            headers[.authorization] = "Bearer \(token)"
            let answer = try await client.execute(uri: "/v1/media", method: .post, headers: headers, body: body) { $0 }
            #expect(answer.status == .badRequest, "\(String(buffer: answer.body))")
            let error = try Self.error(answer.body)
            #expect(error.code == test.code)
            #expect(error.field == test.field)
            let owner = try #require(ShardedID(string: user.id))
            #expect(try await UploadIntegrationTests.mediaCount(owner: owner, stack.dependencies.postgres) == 0)
        }
    }

    @Test(arguments: [
        ("caption=nul%00inside", "caption"),
        ("caption=%07bell", "caption"),
        ("caption=%FF%FE", "caption"),
        ("caption=a&caption=b", "caption"),
        ("lat=0x10&lng=0", "lat"),
        ("lat=inf&lng=0", "lat"),
    ])
    func badQueryFieldsOfARawUploadAre400NamingTheField(_ query: String, _ field: String) async throws {
        try await AccountStack.run { stack, client in
            let (user, token) = try await client.newSession(AccountStack.uniqueName("q"))
            let answer = try await client.uploadRaw(try Self.photo(), query: query, token: token)
            #expect(answer.status == .badRequest, "\(String(buffer: answer.body))")
            let error = try Self.error(answer.body)
            #expect(error.code == "validation_failed")
            #expect(error.field == field)
            let owner = try #require(ShardedID(string: user.id))
            #expect(try await UploadIntegrationTests.mediaCount(owner: owner, stack.dependencies.postgres) == 0)
        }
    }

    @Test func aMultilineCaptionFromABrowserIsStoredWithLF() async throws {
        try await AccountStack.run { _, client in
            let (_, token) = try await client.newSession(AccountStack.uniqueName("crlf"))
            let answer = try await client.upload(try Self.photo(), fields: ["caption": "line one\r\n\tline two #crlf"], token: token)
            try #require(answer.status == .created, "\(String(buffer: answer.body))")
            #expect(try decodeMedia(answer.body).caption == "line one\n\tline two #crlf")
        }
    }

    struct JSONCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var body: [UInt8]
        var code: String
        var field: String?

        init(_ description: String, _ body: String, code: String = "validation_failed", field: String? = "text") {
            self.init(description, Array(body.utf8), code: code, field: field)
        }

        init(_ description: String, _ body: [UInt8], code: String, field: String?) {
            (testDescription, self.body, self.code, self.field) = (description, body, code, field)
        }
    }

    @Test(arguments: [
        JSONCase("escaped NUL", #"{"text":"nul\u0000inside"}"#),
        JSONCase("escaped escape", #"{"text":"\u001b[31mred"}"#),
        JSONCase("escaped carriage return alone", #"{"text":"a\rb"}"#),
        JSONCase("C1 control", #"{"text":"a\u0085b"}"#),
        JSONCase("duplicate key", #"{"text":"shown","text":"stored"}"#),
        JSONCase("escaped duplicate key", #"{"text":"shown","\u0074ext":"stored"}"#),
        JSONCase("lone surrogate", #"{"text":"\ud83d"}"#, code: "bad_request", field: nil),
        JSONCase("bytes that are not UTF-8", Array(#"{"text":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8), code: "bad_request", field: nil),
        JSONCase("2,201 escaped emoji", #"{"text":""# + String(repeating: #"\ud83d\udcf7"#, count: 2_201) + #""}"#),
    ])
    func badCommentsAre400AndStoreNothing(_ test: JSONCase) async throws {
        try await SocialStack.run { stack, client in
            let author = try await stack.user(client, "cm")
            let (photo, _) = try await stack.post(author.id)
            let answer = try await client.execute(
                uri: "/v1/media/\(photo.id)/comments", method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer \(author.token)"], body: ByteBuffer(bytes: test.body)) { $0 }
            #expect(answer.status == .badRequest, "\(String(buffer: answer.body))")
            let error = try Self.error(answer.body)
            #expect(error.code == test.code)
            #expect(error.field == test.field)
            #expect(try await stack.social.media.media(id: photo.id, logger: SocialStack.logger)?.commentCount == 0)
        }
    }

    @Test func aMaximalCommentFitsHoweverItIsEscaped() async throws {
        try await SocialStack.run { stack, client in
            let author = try await stack.user(client, "cx")
            let (photo, _) = try await stack.post(author.id)
            // 2,200 code points spelled the longest way JSON allows: 26,400 bytes, above the old 16 KB limit.
            let body = #"{"text":""# + String(repeating: #"\ud83d\udcf7"#, count: 2_200) + #""}"#
            let answer = try await client.json(.post, "/v1/media/\(photo.id)/comments", body, token: author.token)
            try #require(answer.status == .created, "\(String(buffer: answer.body).prefix(300))")
            let comment = try JSONDecoder().decode(CommentResponse.self, from: Data(answer.body.readableBytesView))
            #expect(comment.text == String(repeating: "📷", count: 2_200))
        }
    }

    /// `NAME` in each body is replaced by a fresh username.
    @Test(arguments: [
        JSONCase("duplicate username", #"{"username":"NAME","password":"long enough","username":"NAME"}"#, field: "username"),
        JSONCase("control character in display_name", #"{"username":"NAME","password":"long enough","display_name":"a\u0007"}"#, field: "display_name"),
        JSONCase("newline in display_name", #"{"username":"NAME","password":"long enough","display_name":"a\nb"}"#, field: "display_name"),
        JSONCase("NUL in password", #"{"username":"NAME","password":"long\u0000enough"}"#, field: "password"),
    ])
    func badSignupsAre400AndCreateNobody(_ test: JSONCase) async throws {
        try await AccountStack.run { stack, client in
            let name = AccountStack.uniqueName("sg")
            let body = String(decoding: test.body, as: UTF8.self).replacingOccurrences(of: "NAME", with: name)
            let answer = try await client.json(.post, "/v1/users", body)
            #expect(answer.status == .badRequest, "\(String(buffer: answer.body))")
            let error = try Self.error(answer.body)
            #expect(error.code == test.code)
            #expect(error.field == test.field)
            #expect(try await stack.services.users.user(username: name, logger: AccountStack.logger) == nil)
        }
    }
}
