import Runtime
import Storage
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheRunStack() throws {
        let config = try DarkroomConfiguration(environment: [:])
        #expect(config.http.port == 8080)
        #expect(config.postgres.urls.count == 2)
        #expect(config.postgres.shardCount == 8)
        #expect(config.redis.url == "redis://127.0.0.1:6380")
        #expect(config.objectStore.endpoint == "http://127.0.0.1:8333")
        #expect(config.http.headerTimeout == .seconds(10))
        #expect(config.http.idleTimeout == .seconds(60))
        #expect(config.http.maxConnections == 1_000)
        #expect(config.failpoints == .none)
        #expect(config.sweep.grace == .seconds(3600))
        #expect(config.sweep.interval == .seconds(3600))
        #expect(config.origin.cacheBytes == 64 << 20)
        #expect(config.origin.signingKeys.isEmpty)
    }

    @Test func originSigningKeysKeepTheirOrder() throws {
        let (new, old) = (String(repeating: "n", count: 32), String(repeating: "o", count: 40))
        let config = try DarkroomConfiguration(environment: ["DARKROOM_ORIGIN_SIGNING_KEYS": " \(new) , \(old) ,", "DARKROOM_ORIGIN_CACHE_BYTES": "0"])
        #expect(config.origin.signingKeys == [new, old])
        #expect(config.origin.cacheBytes == 0)
    }

    @Test func failpointsAndTheSweepAreConfigured() throws {
        let config = try DarkroomConfiguration(environment: [
            "DARKROOM_FAILPOINTS": "media.commit_answer_lost, upload.stall_after_store",
            "DARKROOM_SWEEP_GRACE_SECONDS": "0",
            "DARKROOM_SWEEP_INTERVAL_SECONDS": "0",
        ])
        #expect(config.failpoints.armed == [.mediaCommitAnswerLost, .uploadStallAfterStore])
        #expect(config.sweep.grace == .zero)
        #expect(config.sweep.interval == nil, "0 turns the periodic sweep off")
    }

    @Test func readsOverrides() throws {
        let config = try DarkroomConfiguration(environment: [
            "DARKROOM_HTTP_PORT": "9000",
            "DARKROOM_PG_URLS": "postgres://a:b@127.0.0.1:1/x , postgres://a:b@127.0.0.1:2/x,postgres://a:b@127.0.0.1:3/x",
            "DARKROOM_SHARD_COUNT": "4096",
            "DARKROOM_REDIS_TIMEOUT_MS": "250",
            "DARKROOM_HTTP_HEADER_TIMEOUT_MS": "2500",
            "DARKROOM_HTTP_IDLE_TIMEOUT_MS": "30000",
            "DARKROOM_HTTP_MAX_CONNECTIONS": "64",
        ])
        #expect(config.http.port == 9000)
        #expect(config.postgres.urls == ["postgres://a:b@127.0.0.1:1/x", "postgres://a:b@127.0.0.1:2/x", "postgres://a:b@127.0.0.1:3/x"])
        #expect(config.postgres.shardCount == 4096)
        #expect(config.redis.timeout == .milliseconds(250))
        #expect(config.http.headerTimeout == .milliseconds(2500))
        #expect(config.http.idleTimeout == .seconds(30))
        #expect(config.http.maxConnections == 64)
    }

    @Test(arguments: [
        ("DARKROOM_HTTP_PORT", "eighty"),
        ("DARKROOM_HTTP_PORT", "70000"),
        ("DARKROOM_SHARD_COUNT", "0"),
        ("DARKROOM_SHARD_COUNT", "8193"),
        ("DARKROOM_PG_URLS", "mysql://x@y/z"),
        ("DARKROOM_PG_URLS", " , "),
        ("DARKROOM_REDIS_URL", "http://127.0.0.1:6379"),
        ("DARKROOM_S3_ENDPOINT", "127.0.0.1:8333"),
        ("DARKROOM_S3_BUCKET", "Bad_Bucket"),
        ("DARKROOM_LOG_LEVEL", "loud"),
        ("DARKROOM_ORIGIN_CACHE_BYTES", "-1"),
        ("DARKROOM_ORIGIN_CACHE_BYTES", "lots"),
        ("DARKROOM_ORIGIN_SIGNING_KEYS", "short"),
        ("DARKROOM_ORIGIN_SIGNING_KEYS", "0123456789abcdef0123456789abcdef,short"),
        ("DARKROOM_HTTP_HEADER_TIMEOUT_MS", "0"),
        ("DARKROOM_HTTP_IDLE_TIMEOUT_MS", "forever"),
        ("DARKROOM_HTTP_MAX_CONNECTIONS", "0"),
        ("DARKROOM_FAILPOINTS", "upload.explode"),
        ("DARKROOM_SWEEP_GRACE_SECONDS", "-1"),
        ("DARKROOM_SWEEP_INTERVAL_SECONDS", "hourly"),
        ("DARKROOM_RATE_LOGIN_IP", "ten/1m"),
        ("DARKROOM_RATE_LOGIN_ACCOUNT", "10/15w"),
        ("DARKROOM_RATE_UPLOAD_USER", "0/1h"),
        ("DARKROOM_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("DARKROOM_TRUSTED_PROXIES", "proxy.local"),
    ])
    func invalidValuesNameTheVariable(name: String, value: String) {
        #expect {
            _ = try DarkroomConfiguration(environment: [name: value])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.code == .invalidConfiguration && error.message.contains(name)
        }
    }

    @Test func passwordsNeverAppearInConfigurationErrors() {
        #expect {
            _ = try DarkroomConfiguration(environment: ["DARKROOM_PG_URLS": "mysql://user:hunter2@db/x"])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return !error.message.contains("hunter2")
        }
    }
}
