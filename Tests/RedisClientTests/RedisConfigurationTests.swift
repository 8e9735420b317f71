import Testing

import RedisClient

@Suite struct RedisConfigurationTests {
    @Test func defaults() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:6390")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6390)
        #expect(configuration.password == nil)
        #expect(configuration.username == nil)
        #expect(configuration.database == 0)
        #expect(configuration.poolSize == 4)
        #expect(configuration.connectTimeout == .seconds(1))
        #expect(configuration.commandTimeout == .seconds(2))
        try configuration.validate()
    }

    @Test func passwordUserAndDatabase() throws {
        let passwordOnly = try RedisConfiguration(url: "redis://:s%40cret@cache.internal:7000/3")
        #expect(passwordOnly.password == "s@cret")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.host == "cache.internal")
        #expect(passwordOnly.port == 7000)
        #expect(passwordOnly.database == 3)

        let withUser = try RedisConfiguration(url: "redis://app:pw@localhost/0")
        #expect(withUser.username == "app")
        #expect(withUser.password == "pw")
        #expect(withUser.port == 6379)

        // No colon: the lone userinfo is the password, as redis-cli and most clients read it.
        #expect(try RedisConfiguration(url: "redis://pw@localhost").password == "pw")
    }

    @Test(arguments: ["rediss://localhost:6379", "http://localhost", "redis:///0", "redis://localhost/db1", "not a url"])
    func rejectsBadURLs(url: String) {
        do {
            _ = try RedisConfiguration(url: url)
            Issue.record("expected \(url) to be rejected")
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }

    @Test func descriptionHidesThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://:hunter2@localhost:6379/1")
        #expect(!configuration.description.contains("hunter2"))
    }

    @Test func validationRejectsUnusableValues() {
        #expect(throws: RedisError.self) { try RedisConfiguration(poolSize: 0).validate() }
        #expect(throws: RedisError.self) { try RedisConfiguration(commandTimeout: .zero).validate() }
        #expect(throws: RedisError.self) { try RedisConfiguration(port: 70000).validate() }
    }
}
