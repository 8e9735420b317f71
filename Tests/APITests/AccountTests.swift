import Runtime
import API
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import Storage
import Synchronization
import TestSupport
import Testing

/// The account routes on in-memory stores, bcrypt at cost 4; shared by the Session/Error/Metrics suites.
struct APIFixture {
    let users: InMemoryUserStore
    let sessions: InMemorySessionStore
    let metrics = DarkroomMetrics()
    let clock: TestClock
    let services: AccountServices

    init(sessionTTL: Duration = .seconds(30 * 86_400), bcryptPool: BoundedThreadPool = BcryptPasswordHasher.defaultPool) throws {
        clock = TestClock()
        users = InMemoryUserStore(shardMap: try ShardMap(shardCount: 8, serverCount: 2))
        let clock = self.clock
        sessions = InMemorySessionStore(now: { clock.now })
        services = AccountServices(
            users: users, sessions: sessions, passwordHasher: BcryptPasswordHasher(cost: 4, pool: bcryptPool), sessionTTL: sessionTTL)
    }

    func app() -> some ApplicationProtocol {
        Application(router: buildRouter(readinessChecks: [], accounts: services, metrics: metrics))
    }
}

final class TestClock: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { value.withLock { $0 } }
    func advance(by seconds: TimeInterval) { value.withLock { $0 += seconds } }
}


func decodeError(_ body: ByteBuffer) throws -> ErrorResponse.Body {
    try JSONDecoder().decode(ErrorResponse.self, from: Data(body.readableBytesView)).error
}

@Suite struct AccountTests {
    @Test func signUpAnswers201WithTheUserAndAStringID() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.post, "/v1/users", #"{"username":"ada","password":"analytical","display_name":"Ada L."}"#)
            #expect(answer.status == .created)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView)) as? [String: Any])
            let id = try #require(object["id"] as? String, "id must be a JSON string")
            #expect(ShardedID(string: id) != nil)
            #expect(object["username"] as? String == "ada")
            #expect(object["display_name"] as? String == "Ada L.")
            #expect(object["password_hash"] == nil && object["password"] == nil)
        }
    }

    @Test func usernamesAreLowercasedAndUniqueWhateverTheCase() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let user = try await client.signUp("Grace.H")
            #expect(user.username == "grace.h")
            for spelling in ["grace.h", "GRACE.H"] {
                let again = try await client.json(.post, "/v1/users", #"{"username":"\#(spelling)","password":"another one"}"#)
                #expect(again.status == .conflict)
                let error = try decodeError(again.body)
                #expect(error.code == "username_taken")
                #expect(error.field == "username")
            }
        }
    }

    @Test(arguments: ["", "a b", String(repeating: "x", count: 31), "über", "semi;colon", "dash-name", " padded"])
    func invalidUsernamesAre400NamingTheField(_ username: String) async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.post, "/v1/users", #"{"username":"\#(username)","password":"long enough"}"#)
            #expect(answer.status == .badRequest)
            let error = try decodeError(answer.body)
            #expect(error.code == "validation_failed")
            #expect(error.field == "username")
        }
    }

    @Test(arguments: ["", "seven77", String(repeating: "a", count: 73), String(repeating: "é", count: 37)])
    func invalidPasswordsAre400NamingTheField(_ password: String) async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.post, "/v1/users", #"{"username":"pw.test","password":"\#(password)"}"#)
            #expect(answer.status == .badRequest)
            let error = try decodeError(answer.body)
            #expect(error.code == "validation_failed")
            #expect(error.field == "password")
        }
    }

    @Test func boundaryLengthsAreAccepted() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            _ = try await client.signUp("a", password: "eight888")
            _ = try await client.signUp(String(repeating: "z", count: 30), password: String(repeating: "é", count: 36))
        }
    }

    @Test func aMissingFieldIsNamed() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.post, "/v1/users", #"{"username":"nopass"}"#)
            #expect(answer.status == .badRequest)
            let error = try decodeError(answer.body)
            #expect(error.code == "validation_failed")
            #expect(error.field == "password")
        }
    }

    @Test(arguments: ["{", "[1,2]", "not json", ""])
    func malformedBodiesAre400(_ body: String) async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let answer = try await client.json(.post, "/v1/users", body)
            #expect(answer.status == .badRequest)
            #expect(try decodeError(answer.body).code == "bad_request")
        }
    }

    @Test func anyoneCanReadAUserByIDAndUnknownOrMalformedIDsAre404() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            let user = try await client.signUp("linus")
            let found = try await client.json(.get, "/v1/users/\(user.id)")
            #expect(found.status == .ok)
            #expect(try JSONDecoder().decode(UserResponse.self, from: Data(found.body.readableBytesView)) == user)
            let unknown = String(Int64(user.id)! + 1)
            for id in [unknown, "abc", "0", "-5", "99999999999999999999999", "18446744073709551615"] {
                let answer = try await client.json(.get, "/v1/users/\(id)")
                #expect(answer.status == .notFound, "id \(id)")
                #expect(try decodeError(answer.body).code == "not_found")
            }
        }
    }

    @Test func passwordsAreStoredAsBcryptHashes() async throws {
        let fixture = try APIFixture()
        try await fixture.app().test(.router) { client in
            _ = try await client.signUp("hashme", password: "plain text pw")
        }
        let record = try #require(try await fixture.users.user(username: "hashme", logger: .init(label: "test")))
        #expect(record.passwordHash.hasPrefix("$2"))
        #expect(!record.passwordHash.contains("plain text pw"))
    }
}

@Suite struct AccountRulesTests {
    @Test(arguments: [("Alice", "alice"), ("a.b_c9", "a.b_c9"), ("ZZ", "zz")])
    func usernamesNormaliseToLowercase(_ input: String, _ expected: String) throws {
        #expect(try AccountRules.normalisedUsername(input) == expected)
    }

    @Test func loginUsernameIsNilForImpossibleNames() {
        #expect(AccountRules.loginUsername("no spaces") == nil)
        #expect(AccountRules.loginUsername("Fine") == "fine")
    }

    @Test func displayNamesRejectControlCharactersAndOverlongValues() throws {
        #expect(throws: APIError.self) { try AccountRules.normalisedDisplayName("tab\there") }
        #expect(throws: APIError.self) { try AccountRules.normalisedDisplayName(String(repeating: "n", count: 65)) }
        #expect(try AccountRules.normalisedDisplayName(nil) == "")
    }
}

@Suite struct AccountConfigurationTests {
    @Test func defaultsAreCost12AndThirtyDays() throws {
        let configuration = try DarkroomConfiguration(environment: [:])
        #expect(configuration.accounts.bcryptCost == 12)
        #expect(configuration.accounts.sessionTTL == .seconds(30 * 86_400))
    }

    @Test(arguments: [["DARKROOM_BCRYPT_COST": "3"], ["DARKROOM_BCRYPT_COST": "x"], ["DARKROOM_SESSION_TTL_SECONDS": "0"]])
    func outOfRangeValuesStopStartUp(_ environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try DarkroomConfiguration(environment: environment) }
    }
}
