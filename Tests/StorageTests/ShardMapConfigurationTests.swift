import Storage
import Testing

/// `PostgresServerURL` and `ShardedPostgresConfiguration`: from the raw settings to servers + map.
@Suite struct ShardMapConfigurationTests {
    @Test func parsesAFullURL() throws {
        let url = try PostgresServerURL("postgres://darkroom:s%40cret%3A1@127.0.0.1:55431/dark%20room")
        #expect(url.user == "darkroom")
        #expect(url.password == "s@cret:1")
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 55431)
        #expect(url.database == "dark room")
        #expect(url.tlsMode == .disable)   // loopback
        #expect(url.description == "postgres://darkroom@127.0.0.1:55431/dark room")
        #expect(!url.description.contains("cret"))
    }

    @Test func defaultsAndIPv6() throws {
        let url = try PostgresServerURL("postgresql://app@[::1]")
        #expect(url.host == "::1")
        #expect(url.port == 5432)
        #expect(url.password == nil)
        #expect(url.database == "app")
        #expect(url.tlsMode == .disable)
        #expect(try PostgresServerURL("postgres://app@[::1]:6000/x").port == 6000)
    }

    @Test(arguments: [
        ("postgres://a@db.internal/x", PostgresServerURL.TLSMode.prefer),
        ("postgres://a@db.internal/x?sslmode=require", .require),
        ("postgres://a@db.internal/x?sslmode=verify-full", .require),
        ("postgres://a@db.internal/x?sslmode=disable", .disable),
        ("postgres://a@localhost/x", .disable),
        ("postgres://a@127.0.0.1/x?sslmode=require", .require),
    ])
    func tlsMode(url: String, expected: PostgresServerURL.TLSMode) throws {
        #expect(try PostgresServerURL(url).tlsMode == expected)
    }

    @Test(arguments: [
        "mysql://a@h/x",
        "postgres://h/x",                    // no user
        "postgres://a@/x",                   // no host
        "postgres://a@h:0/x",
        "postgres://a@h:99999/x",
        "postgres://a@h:port/x",
        "postgres://a@[::1/x",
        "postgres://a@h/x?sslmode=sometimes",
        "postgres://a@h/x?application_name=y",
        "postgres://a:%zz@h/x",
    ])
    func malformedURLsAreRejected(url: String) {
        #expect {
            _ = try PostgresServerURL(url)
        } throws: { ($0 as? StorageError)?.code == .invalidArgument }
    }

    @Test func passwordNeverAppearsInErrors() {
        #expect {
            _ = try PostgresServerURL("postgres://a:hunter2@h:99999/x")
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            return !String(reflecting: error).contains("hunter2")
        }
    }

    @Test func configurationFromSettings() throws {
        let urls = ["postgres://d:d@127.0.0.1:55431/d", "postgres://d:d@127.0.0.1:55432/d"]
        let configuration = try ShardedPostgresConfiguration(urls: urls, shardCount: 8)
        #expect(configuration.servers.map(\.port) == [55431, 55432])
        #expect(configuration.shardMap.spec == "0-3:0,4-7:1")
        let explicit = try ShardedPostgresConfiguration(urls: urls, shardCount: 8, shardMapSpec: "0-5:1,6-7:0")
        #expect(explicit.shardMap.shards(onServer: 0) == [6, 7])
        // An empty spec (unset variable) means the default split.
        #expect(try ShardedPostgresConfiguration(urls: urls, shardCount: 8, shardMapSpec: "").shardMap.spec == "0-3:0,4-7:1")
    }

    @Test func configurationRejectsMismatches() {
        #expect(throws: StorageError.self) { _ = try ShardedPostgresConfiguration(urls: [], shardCount: 8) }
        #expect(throws: StorageError.self) {
            _ = try ShardedPostgresConfiguration(urls: ["postgres://d@127.0.0.1/d"], shardCount: 8, shardMapSpec: "0-3:0,4-7:1")
        }
        #expect(throws: StorageError.self) {
            _ = try ShardedPostgresConfiguration(servers: [try PostgresServerURL("postgres://d@127.0.0.1/d")], shardMap: try ShardMap(shardCount: 8, serverCount: 2))
        }
    }
}
